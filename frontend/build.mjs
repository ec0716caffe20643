// Bundles src/*.js into the Quarkus static resources (served under /assets/).
import { build } from 'esbuild';

const outdir = new URL('../src/main/resources/META-INF/resources/assets/', import.meta.url).pathname;
const options = { bundle: true, minify: true, sourcemap: true, target: ['es2020'], outdir, logLevel: 'info' };

await build({
  ...options,
  entryPoints: ['src/app.js', 'src/app.css', 'src/upload.js', 'src/dashboard.js', 'src/decrypt.js'],
  format: 'esm',
});

// The hashing worker is loaded as a classic script (new Worker without type: 'module'), which every browser runs.
await build({ ...options, entryPoints: ['src/sha256-worker.js'], format: 'iife' });
