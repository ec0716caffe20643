// The Upload page's uploader for Uppy: sends each file's bytes straight to the store with URLs Gatehouse signs. A file
// in parts keeps PARALLEL_PARTS parts in flight (Uppy's own S3 uploader sends one part after another, which left
// most of the link idle). What to declare and how to sign is the page's (see upload.js): this only moves bytes,
// reports progress, and pauses, resumes, retries and cancels. Parts already sent stay sent across a pause or a retry.
import { BasePlugin, EventManager } from '@uppy/core';
import { fetcher, filterFilesToEmitUploadStarted, filterFilesToUpload, TaskQueue } from '@uppy/core/utils';

const PARALLEL_PARTS = 4;
// Files moving at once; with PARALLEL_PARTS each this stays within a browser's six connections per host.
const PARALLEL_FILES = 2;

/**
 * Options: declare(file) -> Gatehouse's declaration {multipart, partSize, partCount, put?: {url, headers}};
 * partUrl(session, partNumber) -> url; putHeaders(session) -> headers for the one PUT; cancel(session);
 * landed(session), told when a file's bytes are all in the store.
 */
export default class GatehouseUploader extends BasePlugin {
  #queue = new TaskQueue({ concurrency: PARALLEL_FILES });
  // Uppy file id -> { session, sent: Map(partNumber -> bytes), done: Set(partNumber) }, kept across pauses and retries.
  #transfers = new Map();

  constructor(uppy, opts) {
    super(uppy, opts);
    this.type = 'uploader';
    this.id = 'GatehouseUploader';
  }

  install() {
    this.#resumable(true);
    this.uppy.addUploader(this.#upload);
    this.uppy.on('cancel-all', this.#cancelAll);
  }

  uninstall() {
    this.#resumable(false);
    this.uppy.removeUploader(this.#upload);
    this.uppy.off('cancel-all', this.#cancelAll);
    this.#queue.clear();
  }

  #resumable(value) {
    this.uppy.setState({ capabilities: { ...this.uppy.getState().capabilities, resumableUploads: value } });
  }

  #cancelAll = () => this.#queue.clear();

  #upload = async (fileIDs) => {
    const files = filterFilesToUpload(this.uppy.getFilesByIds(fileIDs));
    this.uppy.emit('upload-start', filterFilesToEmitUploadStarted(files));
    await Promise.allSettled(files.map((file) => this.#queue.add(() => this.#send(file.id))));
  };

  /** Settles when the file is in the store, has failed, or was removed; a pause leaves it pending until resumed. */
  #send(fileId) {
    return new Promise((resolve) => {
      const events = new EventManager(this.uppy);
      let controller = null;
      const finish = () => {
        events.remove();
        resolve();
      };
      const stop = () => controller?.abort();
      const run = async () => {
        stop();
        controller = new AbortController();
        const { signal } = controller;
        try {
          await this.#transfer(this.uppy.getFile(fileId), signal);
          if (signal.aborted) return;
          this.opts.landed?.(this.#transfers.get(fileId).session);
          this.#transfers.delete(fileId); // nothing left to resume
          this.uppy.emit('upload-success', this.uppy.getFile(fileId), { status: 200, body: {} });
          finish();
        } catch (error) {
          if (signal.aborted || error?.name === 'AbortError') return;
          this.uppy.emit('upload-error', this.uppy.getFile(fileId), error);
          finish();
        }
      };
      const remove = () => {
        stop();
        const transfer = this.#transfers.get(fileId);
        this.#transfers.delete(fileId);
        if (transfer?.session) this.opts.cancel(transfer.session).catch(() => {});
        finish();
      };
      events.onFileRemove(fileId, remove);
      events.onCancelAll(fileId, remove);
      events.onFilePause(fileId, (paused) => (paused ? stop() : run()));
      events.onPauseAll(fileId, stop);
      events.onResumeAll(fileId, run);
      run();
    });
  }

  async #transfer(file, signal) {
    let transfer = this.#transfers.get(file.id);
    if (!transfer) {
      transfer = { session: null, sent: new Map(), done: new Set() };
      this.#transfers.set(file.id, transfer);
    }
    transfer.session ??= await this.opts.declare(file);
    signal.throwIfAborted();
    const progress = () => {
      let bytes = 0;
      for (const sent of transfer.sent.values()) bytes += sent;
      this.uppy.emit('upload-progress', this.uppy.getFile(file.id), {
        uploadStarted: file.progress.uploadStarted ?? Date.now(),
        bytesUploaded: bytes,
        bytesTotal: file.data.size,
      });
    };
    if (!transfer.session.multipart) {
      await put(transfer.session.put.url, this.opts.putHeaders(transfer.session), file.data, signal, (loaded) => {
        transfer.sent.set(1, loaded);
        progress();
      });
      return;
    }
    const { partSize, partCount } = transfer.session;
    // One failed part stops the others: the error is shown once, and a retry resumes from the parts that finished.
    const parts = new AbortController();
    const stopParts = () => parts.abort();
    signal.addEventListener('abort', stopParts, { once: true });
    let next = 1;
    const sendParts = async () => {
      for (;;) {
        while (transfer.done.has(next)) next += 1;
        if (next > partCount) return;
        const number = next;
        next += 1;
        const url = await this.opts.partUrl(transfer.session, number);
        parts.signal.throwIfAborted();
        const body = file.data.slice((number - 1) * partSize, Math.min(number * partSize, file.data.size));
        transfer.sent.set(number, 0);
        await put(url, {}, body, parts.signal, (loaded) => {
          transfer.sent.set(number, loaded);
          progress();
        });
        transfer.sent.set(number, body.size);
        transfer.done.add(number);
        progress();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, partCount) }, sendParts));
    } catch (error) {
      stopParts();
      // Parts cut short count for nothing: the retry sends them whole.
      for (const number of transfer.sent.keys()) if (!transfer.done.has(number)) transfer.sent.delete(number);
      throw error;
    } finally {
      signal.removeEventListener('abort', stopParts);
    }
  }
}

/** One PUT to the store; 5xx and 429 are retried a few times, a refusal (4xx) is reported with the store's code. */
async function put(url, headers, body, signal, onProgress) {
  try {
    await fetcher(url, {
      method: 'PUT',
      body,
      headers,
      signal,
      retries: 3,
      timeout: 60_000,
      shouldRetry: (xhr) => xhr.status === 0 || xhr.status === 429 || xhr.status >= 500,
      onUploadProgress: (event) => event.lengthComputable && onProgress(event.loaded),
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    const xhr = error?.request;
    const code = xhr?.responseText?.match(/<Code>([^<]*)<\/Code>/)?.[1];
    const refused = new Error(xhr?.status
      ? `The store refused the upload (${xhr.status}${code ? ` ${code}` : ''}).`
      : 'The store could not be reached; check the connection and retry.');
    refused.isUserFacing = true;
    throw refused;
  }
}
