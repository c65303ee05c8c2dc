// A worker of the local pool (piscina): one WASM backend per worker thread, reused for every point
// it is given; each point's result is written atomically to points/NNNNN.json.
import { workerData } from 'node:worker_threads';
import { createBackend, kernelModule, type Backend } from '../backend/index.js';
import { failedPoint, runPoint, type PointResult } from './point.js';
import { writePointResult, type PointTask } from './store.js';

let backend: Promise<Backend> | null = null;

export default async function run(task: PointTask): Promise<PointResult> {
  // The pool hands every thread the module its main thread compiled (see kernelModule).
  if (workerData?.kernels) void kernelModule(workerData.kernels as WebAssembly.Module);
  backend ??= createBackend(task.backend, { threads: 1 }); // the pool already uses every core
  const result = await runPoint(await backend, task.point, task.record).catch((e: unknown) =>
    failedPoint(task.point, e),
  );
  writePointResult(task.dir, result);
  return result;
}
