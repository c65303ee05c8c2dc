// `npm run bench [-- filter]`: prints a Markdown table of wasm vs js timings measured side by side.
import { createBackend } from '../dist/index.js';
import { benchKernels } from './kernels.mjs';
import { benchModels } from './models.mjs';
import { benchKinetic } from './kinetic.mjs';
import { table } from './harness.mjs';
import { benchSweep, sweepTable } from './sweep.mjs';
import { benchFftw, fftwTable } from './fftw.mjs';
import { benchStep, stepTable } from './step.mjs';
import { benchThreads, threadTable } from './threads.mjs';

const filter = process.argv[2] ?? '';
// The wasm vs js, FFTW and numpy tables compare one thread with one thread; `threads` compares
// one thread with every core.
const wasm = await createBackend('wasm', { threads: 1 });
const js = await createBackend('js');
const suites = {
  kernels: benchKernels,
  kinetic: benchKinetic,
  models: benchModels,
  sweep: benchSweep,
  fftw: benchFftw,
  step: benchStep,
  threads: benchThreads,
};
for (const [name, run] of Object.entries(suites)) if (name.includes(filter)) await run(wasm, js);
console.log(table() + sweepTable() + fftwTable() + stepTable() + threadTable());
