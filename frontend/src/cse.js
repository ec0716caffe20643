// Client-side encryption, for teams that require it: chunked AES-256-GCM with a key derived (PBKDF2-SHA-256) from the
// user's passphrase or key file. The key never leaves the browser; Gatehouse and the store see only ciphertext.
//
// Format "aes-256-gcm-chunked-v1":
//   header, 32 bytes: "GHCSE1", 2 zero bytes, a 16-byte random salt, chunk size (uint32 BE), PBKDF2 iterations (uint32 BE)
//   then one record per chunk of plaintext (the last may be shorter; an empty file has one empty chunk):
//     AES-GCM(key, iv = 8 zero bytes + chunk index (uint32 BE), additional data = header + index + last-flag byte)
//     = the chunk's ciphertext followed by its 16-byte tag
// The random salt gives every file its own key, so counter IVs never repeat under a key; the index and the last flag in
// the additional data make a reordered, dropped or truncated chunk fail to decrypt instead of yielding a shorter file.

export const SCHEME = 'aes-256-gcm-chunked-v1';
export const CHUNK = 1024 * 1024;
const MAGIC = [0x47, 0x48, 0x43, 0x53, 0x45, 0x31];
const HEADER = 32;
const TAG = 16;
const ITERATIONS = 600_000;
export const MIN_PASSPHRASE = 12;

/** The key material: a key file's bytes, or the passphrase's UTF-8 bytes. */
export async function secretFrom(passphrase, keyFile) {
  if (keyFile) return new Uint8Array(await keyFile.arrayBuffer());
  if (!passphrase || passphrase.length < MIN_PASSPHRASE) {
    throw new Error(`Enter a passphrase of at least ${MIN_PASSPHRASE} characters, or choose a key file.`);
  }
  return new TextEncoder().encode(passphrase);
}

async function deriveKey(secret, salt, iterations, usage) {
  const material = await crypto.subtle.importKey('raw', secret, 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material,
    { name: 'AES-GCM', length: 256 }, false, [usage]);
}

function nonce(index) {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setUint32(8, index);
  return iv;
}

function additionalData(header, index, last) {
  const data = new Uint8Array(HEADER + 5);
  data.set(header);
  new DataView(data.buffer).setUint32(HEADER, index);
  data[HEADER + 4] = last ? 1 : 0;
  return data;
}

/** Encrypts a file chunk by chunk (never the whole file in one buffer) into a Blob of the format above. */
export async function encrypt(blob, secret, onProgress) {
  const header = new Uint8Array(HEADER);
  header.set(MAGIC);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  header.set(salt, 8);
  const view = new DataView(header.buffer);
  view.setUint32(24, CHUNK);
  view.setUint32(28, ITERATIONS);
  const key = await deriveKey(secret, salt, ITERATIONS, 'encrypt');
  const records = [header];
  const count = Math.max(1, Math.ceil(blob.size / CHUNK));
  for (let index = 0; index < count; index++) {
    const plain = await blob.slice(index * CHUNK, (index + 1) * CHUNK).arrayBuffer();
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce(index), additionalData: additionalData(header, index, index === count - 1) }, key, plain);
    records.push(new Uint8Array(sealed));
    onProgress?.((index + 1) / count);
  }
  return new Blob(records, { type: 'application/octet-stream' });
}

/** Decrypts a stream of the format above, record by record as it arrives; the plaintext chunks, in order. */
export async function decrypt(stream, secret, onProgress) {
  const reader = stream.getReader();
  let buffered = new Uint8Array(0);
  let ended = false;
  let received = 0;
  const fill = async (wanted) => {
    while (buffered.length < wanted && !ended) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      received += value.length;
      const joined = new Uint8Array(buffered.length + value.length);
      joined.set(buffered);
      joined.set(value, buffered.length);
      buffered = joined;
    }
  };
  await fill(HEADER);
  if (buffered.length < HEADER || !MAGIC.every((byte, i) => buffered[i] === byte)) {
    throw new Error('This file was not encrypted by Gatehouse, or its first bytes were changed.');
  }
  const header = buffered.slice(0, HEADER);
  buffered = buffered.slice(HEADER);
  const view = new DataView(header.buffer);
  const chunk = view.getUint32(24);
  const iterations = view.getUint32(28);
  if (chunk < 1 || chunk > 64 * CHUNK || iterations < 100_000 || iterations > 10_000_000) {
    throw new Error('This file\'s encryption header is damaged.');
  }
  const key = await deriveKey(secret, header.slice(8, 24), iterations, 'decrypt');
  const plain = [];
  for (let index = 0; ; index++) {
    // One byte beyond a full record tells whether this record is the last.
    await fill(chunk + TAG + 1);
    const size = Math.min(buffered.length, chunk + TAG);
    const last = ended && buffered.length <= chunk + TAG;
    if (size < TAG) throw new Error('The file is truncated: its last part is missing.');
    const record = buffered.slice(0, size);
    buffered = buffered.slice(size);
    try {
      plain.push(new Uint8Array(await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: nonce(index), additionalData: additionalData(header, index, last) }, key, record)));
    } catch {
      throw new Error(index === 0 ? 'Wrong passphrase or key file (or the file was changed after it was encrypted).'
        : 'The file was changed or truncated after it was encrypted.');
    }
    onProgress?.(received);
    if (last) return plain;
  }
}
