// On a phone every table reads as a stack of cards (see "phones" in app.css); each cell is
// labelled with its column's heading so a card still says what each line is. Kept in a file:
// the Content-Security-Policy runs no inline script.
function labelCells() {
  for (const table of document.querySelectorAll('main table')) {
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    if (heads.length === 0) continue;
    for (const row of table.querySelectorAll('tbody tr')) {
      [...row.children].forEach((cell, i) => {
        if (heads[i] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', heads[i]);
        // A cell with nothing in it is left out of the card rather than shown as a bare heading.
        if (!cell.textContent.trim() && !cell.querySelector('input, select, button, img, svg')) cell.classList.add('blank');
      });
    }
  }
}
document.addEventListener('DOMContentLoaded', labelCells);
document.addEventListener('htmx:afterSettle', labelCells);
