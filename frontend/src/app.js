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

// File inputs with data-max-bytes: say at once when a file is too large, instead of a failed upload later.
document.addEventListener('change', (event) => {
  const input = event.target;
  const max = Number(input.dataset?.maxBytes);
  if (input.type === 'file' && max && input.files?.[0]) {
    input.setCustomValidity(input.files[0].size > max
      ? `This file is ${(input.files[0].size / 1048576).toFixed(1)} MiB; the limit is ${(max / 1048576).toFixed(0)} MiB. Split it into smaller files.`
      : '');
    input.reportValidity();
  }
});
