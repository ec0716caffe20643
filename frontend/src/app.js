// Small progressive enhancements shared by every page; pages work without it.

// Confirm destructive actions declared with data-confirm="…".
document.addEventListener('submit', (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
