// Hashes files for the Upload page off its main thread. Chromium fills a Blob's arrayBuffer() on the thread that asks
// for it: on the page, an 80 MiB file held the main thread for 0.6 s, and every upload due to start waited for it.
import { digest } from './sha256-digest.js';

self.onmessage = async ({ data: { id, blob } }) => {
  try {
    const bytes = await digest(blob);
    self.postMessage({ id, bytes }, [bytes.buffer]);
  } catch (error) {
    self.postMessage({ id, error: String(error?.message || error) });
  }
};
