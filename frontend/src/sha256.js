// SHA-256 of files, base64, computed in a worker (sha256-worker.js) so the page stays responsive and uploads start
// while a large file is still being hashed. Where no worker starts, the page hashes the file itself.
import { digest } from './sha256-digest.js';
import { base64 } from './ssec.js';

let worker; // undefined: not started yet; null: none (the page hashes)
let ids = 0;
// id -> { blob, resolve, reject }, until the worker answers
const waiting = new Map();

function hashWorker() {
  if (worker === undefined) {
    try {
      worker = new Worker('/assets/sha256-worker.js');
      worker.onmessage = ({ data: { id, bytes, error } }) => {
        const job = waiting.get(id);
        if (!job) return;
        waiting.delete(id);
        if (error) job.reject(new Error(`Could not hash the file: ${error}`));
        else job.resolve(bytes);
      };
      // The script did not load or broke, or a message could not be passed: what it was given is hashed here
      // instead, as is everything after.
      worker.onerror = hashHere;
      worker.onmessageerror = hashHere;
    } catch {
      worker = null;
    }
  }
  return worker;
}

function hashHere() {
  console.warn('Gatehouse: the hashing worker is not available; files are hashed on the page.');
  worker?.terminate();
  worker = null;
  for (const job of waiting.values()) digest(job.blob).then(job.resolve, job.reject);
  waiting.clear();
}

export async function sha256Base64(blob) {
  const hasher = hashWorker();
  const bytes = hasher
    ? await new Promise((resolve, reject) => {
      const id = ++ids;
      waiting.set(id, { blob, resolve, reject });
      hasher.postMessage({ id, blob });
    })
    : await digest(blob);
  return base64(bytes);
}
