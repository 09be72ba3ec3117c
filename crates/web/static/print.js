// A button marked data-print prints the page. Kept in a file: the Content-Security-Policy runs
// no inline script or handler.
document.addEventListener('click', (event) => {
  if (event.target instanceof Element && event.target.closest('[data-print]')) {
    window.print();
  }
});
