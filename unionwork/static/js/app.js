// Behaviour that used to sit in inline handlers (onchange, onsubmit, javascript:), which the
// Content-Security-Policy blocks: declared with data- attributes instead.
document.addEventListener("change", (e) => {
  if (e.target.matches("[data-autosubmit]") && e.target.form) e.target.form.requestSubmit();
});
document.addEventListener("submit", (e) => {
  const message = e.target.dataset ? e.target.dataset.confirm : null;
  if (message && !window.confirm(message)) e.preventDefault();
}, true);
document.addEventListener("click", (e) => {
  const back = e.target.closest("[data-history-back]");
  if (back && window.history.length > 1) { e.preventDefault(); window.history.back(); }
});
