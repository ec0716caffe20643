// Downloads of client-side encrypted items: sign a URL (Gatehouse checks the grant and audits it, as for any
// download), fetch the ciphertext straight from the store, decrypt it here with the passphrase or key file, and save
// the plaintext. Neither the key nor the plaintext ever reaches Gatehouse or the store.
import { decrypt, secretFrom } from './cse.js';
import { customerKey, KEY_HEADER } from './ssec.js';

const csrf = document.querySelector('meta[name="csrf-token"]')?.content;

document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-decrypt]');
  if (!button) return;
  const box = button.closest('.decrypt');
  const status = box.querySelector('[role="status"]');
  button.disabled = true;
  try {
    const passphrase = box.querySelector('input[type="password"]').value;
    const keyFile = box.querySelector('input[type="file"]').files[0];
    // SSE-C: the store decrypts, given the team's key; Gatehouse signs for the key's MD5 only.
    const teamKey = button.dataset.sseC ? await customerKey(button.dataset.sseC, passphrase, keyFile) : null;
    const secret = teamKey ? null : await secretFrom(passphrase, keyFile);
    status.textContent = 'Asking Gatehouse for a download URL…';
    const signed = await fetch(`/api/items/${encodeURIComponent(button.dataset.decrypt)}/download-url`, {
      method: 'POST',
      headers: { 'X-CSRF-Token': csrf, 'X-Requested-With': 'JavaScript', Accept: 'application/json',
        ...(teamKey ? { 'X-SSE-Customer-Key-MD5': teamKey.md5 } : {}) },
      credentials: 'same-origin',
    });
    const answer = await signed.json().catch(() => ({}));
    if (!signed.ok) throw new Error(answer.message || `Gatehouse answered ${signed.status}.`);
    status.textContent = 'Downloading…';
    const response = await fetch(answer.url, {
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      headers: teamKey ? { ...answer.headers, [KEY_HEADER]: teamKey.key } : {},
    });
    if (!response.ok) {
      throw new Error(teamKey && (response.status === 403 || response.status === 400)
        ? 'The store refused the key: wrong passphrase or key file.' : `The store answered ${response.status}.`);
    }
    const plain = teamKey ? [await response.blob()] : await decrypt(response.body, secret, (bytes) => {
      status.textContent = `Decrypting… ${(bytes / 1048576).toFixed(1)} MiB`;
    });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob(plain, { type: button.dataset.type || 'application/octet-stream' }));
    link.download = button.dataset.filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    status.textContent = teamKey ? 'Downloaded and saved.' : 'Decrypted and saved.';
  } catch (error) {
    status.textContent = error.message;
  } finally {
    button.disabled = false;
  }
});
