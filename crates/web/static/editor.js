// The item editor's live preview: on every change, the form is sent to /catalog/preview
// into the preview frame (the server renders the guide). Without this file the
// "更新预览" button does the same by hand.
(function () {
  'use strict';
  const form = document.querySelector('form[data-preview]');
  if (!form) return;
  const button = form.querySelector('[data-preview-button]');
  if (!button || typeof form.requestSubmit !== 'function') return;
  let timer = null;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => form.requestSubmit(button), 400);
  };
  form.addEventListener('change', refresh);
  refresh();
})();
