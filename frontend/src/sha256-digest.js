// A file's SHA-256, as raw bytes. Shared by the hashing worker and, where no worker can start, the page itself.
import { sha256 } from '@noble/hashes/sha2.js';

/** Up to this size a file is hashed by WebCrypto in one go (native speed, the file held in memory once). */
const WHOLE_FILE_HASH_MAX = 512 * 1024 * 1024;
const SLICE = 4 * 1024 * 1024;

/** WebCrypto up to WHOLE_FILE_HASH_MAX; above, a slice at a time in file order (WebCrypto cannot hash in pieces). */
export async function digest(blob) {
  if (blob.size <= WHOLE_FILE_HASH_MAX) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  }
  const hasher = sha256.create();
  for (let offset = 0; offset < blob.size; offset += SLICE) {
    hasher.update(new Uint8Array(await blob.slice(offset, offset + SLICE).arrayBuffer()));
  }
  return hasher.digest();
}
