// The Upload page: Uppy's dashboard, uploading straight to S3 with URLs Gatehouse signs.
// Gatehouse picks every key, binds type/size/SHA-256 into the signature, creates and completes multipart uploads
// itself, and lists a file only after verifying it. The bytes never pass through Gatehouse.
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import GatehouseUploader from './uploader.js';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import './upload.css';
import { encrypt, secretFrom, SCHEME, MIN_PASSPHRASE } from './cse.js';
import { customerKey, md5Base64, KEY_HEADER } from './ssec.js';
import { sha256Base64 } from './sha256.js';

const root = document.getElementById('uploader');
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const multipartThreshold = Number(root.dataset.multipartThreshold);
const team = root.dataset.team || undefined;
// The team requires client-side encryption: every file is encrypted here before it is declared and uploaded.
const clientEncryption = root.dataset.browserKey === 'encrypt';
// The team encrypts with its own key (SSE-C): the key goes with the PUT to the store, its MD5 to Gatehouse.
const sseC = root.dataset.browserKey === 'sse-c';
// One batch per round of the four parallel part uploads: few URLs signed ahead, none idle long enough to expire.
const PART_BATCH = 4;

// Uppy file id -> { id, key, multipart, put, parts: Map(partNumber -> Promise({url, expires})) }
const sessions = new Map();

// Gatehouse's own calls say they come from a script. When the sign-in has ended (the IdP would not refresh it), the
// portal then answers 499 instead of a login redirect that a script cannot follow (and CORS would block): the page
// asks the user to sign in again in another tab and carries on where it stopped; parts already sent stay sent.
const FROM_SCRIPT = { 'X-Requested-With': 'JavaScript' };
let signedOut = null;

// A 429 with Retry-After (the KMS request budget is spent for now) is waited out a few times, not failed.
const MAX_WAITS = 5;

async function gatehouse(path, init = {}) {
  for (let waits = 0; ; ) {
    const response = await fetch(path, {
      ...init,
      headers: { ...FROM_SCRIPT, Accept: 'application/json', ...init.headers },
      credentials: 'same-origin',
    });
    const retryAfter = Number(response.headers.get('Retry-After'));
    if (response.status === 429 && retryAfter > 0 && retryAfter <= 60 && waits < MAX_WAITS) {
      waits += 1;
      uppy.info(`Gatehouse is busy (its KMS request budget is spent for now): trying again in ${retryAfter} s.`, 'warning',
        retryAfter * 1000);
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      continue;
    }
    // 499: the session ended; 401: no session cookie left at all.
    if (response.status !== 499 && response.status !== 401) return response;
    await signInAgain();
  }
}

function signInAgain() {
  if (!signedOut) {
    signedOut = new Promise((resolve) => {
      const banner = document.getElementById('session-ended');
      banner.hidden = false;
      banner.querySelector('a').focus();
      // Poll while the banner shows: the sign-in in the other tab sets the session cookie this page sends too.
      const poll = setInterval(async () => {
        const me = await fetch('/api/me', { headers: { ...FROM_SCRIPT, Accept: 'application/json' }, credentials: 'same-origin' })
          .catch(() => null);
        if (me?.ok) {
          clearInterval(poll);
          banner.hidden = true;
          signedOut = null;
          resolve();
        }
      }, 2000);
    });
  }
  return signedOut;
}

async function api(method, path, body) {
  const response = await gatehouse(path, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const error = new Error(json.message || `Gatehouse refused the request (${response.status}).`);
    error.isUserFacing = true;
    throw error;
  }
  return json;
}

/** Sent in parts by Gatehouse's own rule (its answer to the declaration decides; this only starts the hash early). */
function inParts(file) {
  return !sseC && file.size > multipartThreshold;
}

async function declare(file) {
  let session = sessions.get(file.id);
  if (!session) {
    const teamKey = sseC ? await customerKey(team, passphrase.value, keyFile.files[0]) : null;
    // In parts: no pass over the whole file before the first byte moves; the hash is taken (in a worker) as the
    // parts go, and handed over with the completion.
    const hashing = inParts(file) ? sha256Base64(file.data) : null;
    if (!hashing) uppy.setFileState(file.id, { gatehouseStatus: 'hashing' });
    const started = await api('POST', '/api/uploads', {
      team,
      filename: file.name,
      size: file.size,
      contentType: file.type || 'application/octet-stream',
      // Of the bytes that travel: the ciphertext, for an encrypted file.
      sha256: hashing ? undefined : await sha256Base64(file.data),
      clientEncryption: file.gatehouseEncrypted ? SCHEME : undefined,
      sseCustomerKeyMd5: teamKey?.md5,
      contentMd5: sseC ? await md5Base64(file.data) : undefined,
    });
    session = { ...started, parts: new Map(), customerKey: teamKey?.key, sha256: hashing };
    sessions.set(file.id, session);
  }
  return session;
}

/**
 * A part's URL. Signed on demand, a batch at a time, so no URL expires while earlier parts are still uploading; the
 * parts uploading side by side share the batch that is being signed rather than each asking for one. The next batch
 * is asked for as soon as a batch starts uploading, so no part waits for its signature (Gatehouse gives part URLs
 * the time of two parts).
 */
async function partUrl(session, partNumber) {
  const cached = session.parts.get(partNumber);
  const part = cached && await cached.catch(() => null);
  const url = part && part.expires - Date.now() > 30_000 ? part.url : (await signBatch(session, partNumber, true)).url;
  const ahead = partNumber + PART_BATCH;
  if (ahead <= session.partCount && !session.parts.has(ahead)) signBatch(session, ahead, false);
  return url;
}

/** Signs up to PART_BATCH parts from `first` that were not asked for yet (and `first` again if `again`). */
function signBatch(session, first, again) {
  const wanted = [];
  for (let n = first; n < first + PART_BATCH && n <= session.partCount; n++) {
    if ((again && n === first) || !session.parts.has(n)) wanted.push(n);
  }
  const batch = api('POST', `/api/uploads/${session.id}/parts`, { partNumbers: wanted });
  for (const n of wanted) {
    const part = batch.then((signed) => {
      const found = signed.find((p) => p.partNumber === n);
      return { url: found.url, expires: Date.parse(found.expiresAt) };
    });
    part.catch(() => {}); // a batch signed ahead that fails is asked for again when its part is due, and fails there
    session.parts.set(n, part);
  }
  return session.parts.get(first);
}

const passphrase = document.getElementById('cse-passphrase');
const keyFile = document.getElementById('cse-key-file');

const uppy = new Uppy({
  autoProceed: false,
  restrictions: { maxNumberOfFiles: Number(root.dataset.maxFiles) || 20 },
  onBeforeUpload: () => {
    if ((clientEncryption || sseC) && !keyFile.files[0] && passphrase.value.length < MIN_PASSPHRASE) {
      uppy.info(`Team ${team} requires encryption: enter a passphrase of at least ${MIN_PASSPHRASE} characters, `
        + 'or choose a key file, first.', 'error', 8000);
      passphrase.focus();
      return false;
    }
    return true;
  },
});

if (clientEncryption) {
  // Before anything is declared: the size, the SHA-256 and the bytes sent are the ciphertext's.
  uppy.addPreProcessor(async (fileIDs) => {
    const secret = await secretFrom(passphrase.value, keyFile.files[0]);
    for (const fileId of fileIDs) {
      const file = uppy.getFile(fileId);
      if (!file || file.gatehouseEncrypted) continue;
      const progress = (value) => uppy.emit('preprocess-progress', uppy.getFile(fileId),
        { mode: 'determinate', message: 'Encrypting…', value });
      progress(0);
      const sealed = await encrypt(file.data, secret, progress);
      uppy.setFileState(fileId, {
        data: sealed,
        size: sealed.size,
        gatehouseEncrypted: true,
        progress: { ...uppy.getFile(fileId).progress, bytesTotal: sealed.size },
      });
      uppy.emit('preprocess-complete', uppy.getFile(fileId));
    }
  });
}

uppy.use(Dashboard, {
  inline: true,
  target: root,
  width: '100%',
  height: 420,
  proudlyDisplayPoweredByUppy: false,
  showProgressDetails: true,
  note: root.dataset.note,
});

uppy.use(GatehouseUploader, {
  declare,
  partUrl,
  // SSE-C: the key itself is the one header Gatehouse did not sign (it never saw it); the store checks it against
  // the signed MD5.
  putHeaders: (session) => (session.customerKey
    ? { ...session.put.headers, [KEY_HEADER]: session.customerKey } : session.put.headers),
  cancel: (session) => api('DELETE', `/api/uploads/${session.id}`),
  // Verification starts as soon as a file's bytes are in, while other files may still be uploading.
  landed: (session) => {
    session.verdict = verify(session).catch((error) => ({ status: 'failed', reason: error.message }));
  },
});

/**
 * Asks Gatehouse to verify and list the upload. 202 means another request is verifying it right now: ask again,
 * a bounded number of times. Any refusal comes back as an outcome with its reason.
 */
async function verify(session) {
  // A file in parts: the whole file's SHA-256 (hashed while its parts travelled) goes with the completion.
  const sha256 = session.sha256 ? `?sha256=${encodeURIComponent(await session.sha256)}` : '';
  for (let attempt = 0; attempt < 120; attempt++) {
    const response = await gatehouse(`/api/uploads/${session.id}/complete${sha256}`, {
      method: 'POST',
      headers: { 'X-CSRF-Token': csrf },
    });
    const body = await response.json().catch(() => ({}));
    if (response.status !== 202) {
      return {
        status: body.status || 'failed',
        reason: body.reason || body.message || (response.ok ? null : `Gatehouse answered ${response.status}.`),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return { status: 'failed', reason: 'Verification is taking unusually long; see My uploads for the outcome.' };
}

// After the bytes are in S3, Gatehouse verifies the object (size, type, SHA-256, encryption) before listing it; the
// uploader asked for it as the file landed, and the verdict is shown here, once every file's bytes are in. A
// rejection shows on the file itself, not only in the list below: the dashboard must not show a green check.
uppy.addPostProcessor(async (fileIDs) => {
  for (const fileId of fileIDs) {
    const file = uppy.getFile(fileId);
    const session = sessions.get(fileId);
    if (!file || !session) continue;
    uppy.emit('postprocess-progress', file, { mode: 'indeterminate', message: 'Verifying…' });
    const outcome = await (session.verdict ?? verify(session));
    session.verdict = null;
    report(file, outcome);
    if (outcome.status !== 'verified') {
      uppy.setFileState(fileId, { error: `Not listed: ${outcome.reason || outcome.status}` });
      uppy.info(`${file.name} was not listed: ${outcome.reason || outcome.status}`, 'error', 10_000);
    }
    uppy.emit('postprocess-complete', uppy.getFile(fileId));
  }
});

uppy.on('upload-error', (file, error) => {
  const message = error?.isUserFacing ? error.message : `${error?.message || 'Upload failed'}`;
  report(file, { status: 'failed', reason: message });
});

const results = document.getElementById('upload-results');

function report(file, outcome) {
  const row = document.createElement('li');
  row.dataset.status = outcome.status;
  const name = document.createElement('strong');
  name.textContent = file.name;
  const status = document.createElement('span');
  status.className = outcome.status === 'verified' ? 'status-ok' : 'status-bad';
  status.textContent = ` ${outcome.status}${outcome.reason ? ` — ${outcome.reason}` : ''}`;
  row.append(name, status);
  results.prepend(row);
  document.getElementById('upload-empty')?.remove();
}
