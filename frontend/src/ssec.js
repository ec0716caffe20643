// SSE-C, for teams that hold their own key: the browser makes the 256-bit key and sends it to the store with every
// request; Gatehouse gets only its MD5 (to sign, S3 checks the key against it) and never the key itself.
import SparkMD5 from 'spark-md5';
import { MIN_PASSPHRASE } from './cse.js';

const ITERATIONS = 600_000;

export function base64(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The team's key: SHA-256 of a key file's bytes, or PBKDF2-SHA-256 of the passphrase with the team as salt (the same
 * passphrase must give the same key for every upload and download of the team's files). Key and MD5, base64.
 */
export async function customerKey(team, passphrase, keyFile) {
  let key;
  if (keyFile) {
    key = new Uint8Array(await crypto.subtle.digest('SHA-256', await keyFile.arrayBuffer()));
  } else {
    if (!passphrase || passphrase.length < MIN_PASSPHRASE) {
      throw new Error(`Enter the team's passphrase (at least ${MIN_PASSPHRASE} characters), or choose its key file.`);
    }
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveBits']);
    key = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', iterations: ITERATIONS,
      salt: new TextEncoder().encode(`gatehouse-sse-c/${team}`) }, material, 256));
  }
  return { key: base64(key), md5: base64(hexToBytes(SparkMD5.ArrayBuffer.hash(key.buffer))) };
}

/** MD5 of a file, base64 (S3's Content-MD5), read 4 MiB at a time. */
export async function md5Base64(blob) {
  const md5 = new SparkMD5.ArrayBuffer();
  for (let offset = 0; offset < blob.size; offset += 4 * 1024 * 1024) {
    md5.append(await blob.slice(offset, offset + 4 * 1024 * 1024).arrayBuffer());
  }
  return base64(hexToBytes(md5.end()));
}

function hexToBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  return bytes;
}

export const KEY_HEADER = 'x-amz-server-side-encryption-customer-key';
