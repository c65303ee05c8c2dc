import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: fft.js is bundled in and the WASM kernels are inlined as base64, so the same
    // ESM file runs in Node and in a browser page or worker without a bundler.
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    noExternal: ['fft.js'],
    platform: 'neutral',
  },
]);
