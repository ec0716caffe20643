// Bundles src/*.js into the Quarkus static resources (served under /assets/).
import { build } from 'esbuild';

const outdir = new URL('../src/main/resources/META-INF/resources/assets/', import.meta.url).pathname;

await build({
  entryPoints: ['src/app.js', 'src/app.css', 'src/upload.js', 'src/dashboard.js', 'src/decrypt.js'],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2020'],
  outdir,
  logLevel: 'info',
});

// The hashing worker is loaded as a classic script (new Worker without type: 'module'), which every browser runs.
await build({
  entryPoints: ['src/sha256-worker.js'],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['es2020'],
  outdir,
  logLevel: 'info',
});
