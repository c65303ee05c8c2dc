import { writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import pkg from './package.json' with { type: 'json' };

const define = { __FRACTAXIS_VERSION__: JSON.stringify(pkg.version) };

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
    define,
    async onSuccess() {
      const { scenarioSchema } = await import('./src/scenario/schema.js');
      writeFileSync('dist/scenario.schema.json', JSON.stringify(scenarioSchema, null, 2) + '\n');
    },
  },
  {
    // fractaxis/node: the runner and sweeps as a library (files, HDF5 through h5wasm, which is ESM
    // only); sweep-worker is the file each pool thread loads.
    entry: { node: 'src/node.ts', 'sweep-worker': 'src/sweep/worker.ts' },
    format: ['esm'],
    // gifenc ships CommonJS without named exports for Node's ESM loader; bundled from its ESM build (9 KB).
    noExternal: ['gifenc'],
    dts: true,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    define,
  },
  {
    // The command line: Node only, with the scenario validator (ajv) and the file outputs.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    noExternal: ['gifenc'],
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    define,
  },
]);
