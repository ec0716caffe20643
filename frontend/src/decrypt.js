// Downloads of client-side encrypted items: sign a URL (Gatehouse checks the grant and audits it, as for any
// download), fetch the ciphertext straight from the store, decrypt it here with the passphrase or key file, and save
// the plaintext. Neither the key nor the plaintext ever reaches Gatehouse or the store.
import { decrypt, secretFrom } from './cse.js';

const csrf = document.querySelector('meta[name="csrf-token"]')?.content;

document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-decrypt]');
  if (!button) return;
  const box = button.closest('.decrypt');
  const status = box.querySelector('[role="status"]');
  button.disabled = true;
  try {
    const secret = await secretFrom(box.querySelector('input[type="password"]').value,
      box.querySelector('input[type="file"]').files[0]);
    status.textContent = 'Asking Gatehouse for a download URL…';
    const signed = await fetch(`/api/items/${encodeURIComponent(button.dataset.decrypt)}/download-url`, {
      method: 'POST',
      headers: { 'X-CSRF-Token': csrf, 'X-Requested-With': 'JavaScript', Accept: 'application/json' },
      credentials: 'same-origin',
    });
    const answer = await signed.json().catch(() => ({}));
    if (!signed.ok) throw new Error(answer.message || `Gatehouse answered ${signed.status}.`);
    status.textContent = 'Downloading…';
    const response = await fetch(answer.url, { credentials: 'omit', referrerPolicy: 'no-referrer' });
    if (!response.ok) throw new Error(`The store answered ${response.status}.`);
    const plain = await decrypt(response.body, secret, (bytes) => {
      status.textContent = `Decrypting… ${(bytes / 1048576).toFixed(1)} MiB`;
    });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob(plain, { type: button.dataset.type || 'application/octet-stream' }));
    link.download = button.dataset.filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    status.textContent = 'Decrypted and saved.';
  } catch (error) {
    status.textContent = error.message;
  } finally {
    button.disabled = false;
  }
});
