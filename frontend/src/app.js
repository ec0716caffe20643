// Small progressive enhancements shared by every page; pages work without it.

// Confirm destructive actions declared with data-confirm="…".
document.addEventListener('submit', (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// "Select all" boxes: <input type="checkbox" data-select-all="name"> ticks every checkbox named "name".
document.addEventListener('change', (event) => {
  const name = event.target.dataset?.selectAll;
  if (name) {
    document.querySelectorAll(`input[type=checkbox][name="${CSS.escape(name)}"]`).forEach((box) => {
      box.checked = event.target.checked;
    });
  }
});
