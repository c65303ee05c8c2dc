// Running a sweep: on every core of this machine (a piscina pool of worker threads, one WASM
// instance each), on a Slurm cluster (a job array whose tasks each run one point: `plan` writes the
// sbatch script, `collect` merges), or on a Kubernetes Indexed Job (JOB_COMPLETION_INDEX). Points
// already done for the same scenario are skipped, so Ctrl-C and a re-run resume; a failed point is
// recorded with its reason and does not stop the sweep. Results on a cluster are bitwise the local
// pool's: every point is a deterministic function of its scenario.
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { createBackend, kernelModule, wasmSimdSupported, type BackendChoice } from '../backend/index.js';
import { ValidationError } from '../errors.js';
import { KellerSegel } from '../models/keller-segel/model.js';
import type { KellerSegelOptions } from '../models/keller-segel/options.js';
import { nodeFiles, writeAtomic } from '../run/outputs.js';
import { failedPoint, runPoint, type PointResult } from './point.js';
import { DEFAULT_RECORD, expandSweep, type SweepPoint, type SweepSpec } from './spec.js';
import { SWEEP_FILE, bindSweepFolder, readPointResult, writePointResult, type PointTask } from './store.js';

/** Where and how a sweep runs. */
export interface SweepOptions {
  /** The sweep's folder (sweep.json, points/, results). */
  outDir: string;
  /** Worker threads (default: the machine's cores); 0 runs the points one by one in this thread. */
  workers?: number;
  /** Only these points (a Slurm array task or a shard); default all. */
  indices?: readonly number[];
  backend?: BackendChoice;
  signal?: AbortSignal;
  /** After every point finished (run or skipped): done so far, the total, and an ETA in seconds. */
  onProgress?: (p: { done: number; total: number; ran: number; failed: number; etaSeconds: number }) => void;
}

/** What a sweep run did: points run now, points already done (skipped), points that failed. */
export interface SweepRun {
  total: number;
  ran: number;
  skipped: number;
  failed: number;
  aborted: boolean;
}

/** The worker file: next to this bundle (dist/) or, from the sources (tests), the built one. */
function workerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const f of [join(here, 'sweep-worker.js'), join(here, '..', '..', 'dist', 'sweep-worker.js')])
    if (existsSync(f)) return f;
  throw new Error('dist/sweep-worker.js is missing: run `npm run build`');
}

/** The sweep as stored in its folder: the base scenario inlined, so every node runs the same points. */
function stored(input: unknown): { spec: SweepSpec; points: SweepPoint[] } {
  const { spec, base, points } = expandSweep(input);
  return { spec: { ...spec, base }, points };
}

/**
 * The library API: runs the sweep's pending points and yields each result as it finishes (points
 * already done are yielded first, from their files). In a page, use the points with runPoint in
 * Web Workers the same way.
 */
export function sweep(
  input: unknown,
  opts: SweepOptions,
): AsyncGenerator<PointResult & { skipped: boolean }> {
  return sweepPoints(stored(input), opts);
}

/** sweep() on an already expanded sweep. */
async function* sweepPoints(
  { spec, points }: { spec: SweepSpec; points: SweepPoint[] },
  opts: SweepOptions,
): AsyncGenerator<PointResult & { skipped: boolean }> {
  bindSweepFolder(opts.outDir, spec);
  const record = spec.record ?? DEFAULT_RECORD;
  const chosen = opts.indices ? points.filter((p) => opts.indices!.includes(p.index)) : points;
  if (opts.indices)
    for (const i of opts.indices)
      if (!points.some((p) => p.index === i))
        throw new ValidationError('--index', i, `a point of this sweep, 0 to ${points.length - 1}`);
  const pending: SweepPoint[] = [];
  for (const p of chosen) {
    const done = readPointResult(opts.outDir, p);
    if (done) yield { ...done, skipped: true };
    else pending.push(p);
  }
  const task = (point: SweepPoint): PointTask => ({
    dir: opts.outDir,
    backend: opts.backend ?? 'auto',
    point,
    record,
  });
  const workers = opts.workers ?? availableParallelism();
  if (workers === 0) {
    const backend = await createBackend(opts.backend ?? 'auto');
    for (const p of pending) {
      if (opts.signal?.aborted) return;
      const r = await runPoint(backend, p, record, opts.signal).catch((e: unknown) => failedPoint(p, e));
      if (opts.signal?.aborted) return; // the interrupted point is not recorded: it runs again next time
      writePointResult(opts.outDir, r);
      yield { ...r, skipped: false };
    }
    return;
  }
  // Every queued task listens to the one abort signal.
  if (opts.signal) setMaxListeners(pending.length + 10, opts.signal);
  const pool = new Piscina({
    filename: workerFile(),
    workerData: { kernels: wasmSimdSupported() && opts.backend !== 'js' ? await kernelModule() : undefined },
    maxThreads: workers,
    minThreads: Math.min(workers, pending.length),
  });
  // An abort terminates the workers still running; one of them may already have posted its result,
  // and piscina reports that late message as a pool 'error'. Its point is not recorded (it runs again
  // next time), so that is expected; any other pool error fails the sweep once the queue has settled.
  let poolError: unknown;
  pool.on('error', (e: unknown) => {
    if (!opts.signal?.aborted) poolError ??= e;
  });
  try {
    const queue: Promise<PointResult | null>[] = pending.map((p) =>
      pool.run(task(p), { signal: opts.signal }).catch((e: unknown) => {
        if (opts.signal?.aborted) return null; // interrupted: no file, it runs again next time
        const r = failedPoint(p, e);
        writePointResult(opts.outDir, r);
        return r;
      }),
    );
    // Yield in completion order.
    const waiting = new Map(queue.map((q, i) => [i, q.then((r) => ({ i, r }))]));
    while (waiting.size > 0) {
      const { i, r } = await Promise.race(waiting.values());
      waiting.delete(i);
      if (r) yield { ...r, skipped: false };
    }
    if (poolError !== undefined) throw poolError;
  } finally {
    await pool.destroy();
  }
}

/** Runs a sweep (see sweep()) and reports what it did. */
export async function runSweep(input: unknown, opts: SweepOptions): Promise<SweepRun> {
  const expanded = stored(input);
  const total = opts.indices?.length ?? expanded.points.length;
  const t0 = performance.now();
  const out: SweepRun = { total, ran: 0, skipped: 0, failed: 0, aborted: false };
  for await (const r of sweepPoints(expanded, opts)) {
    if (r.skipped) out.skipped++;
    else out.ran++;
    if (
      !r.skipped &&
      ['error', 'unstable', 'under-resolved', 'step-too-small'].includes(String(r.quantities.status))
    )
      out.failed++;
    const done = out.ran + out.skipped,
      rate = out.ran / Math.max((performance.now() - t0) / 1000, 1e-3);
    opts.onProgress?.({
      done,
      total,
      ran: out.ran,
      failed: out.failed,
      etaSeconds: rate > 0 ? (total - done) / rate : NaN,
    });
  }
  out.aborted = opts.signal?.aborted === true && out.ran + out.skipped < total;
  return out;
}

/** The points a shard i/n runs: every n-th point from i (n shards cover the sweep once). */
export function shardIndices(shard: string, total: number): number[] {
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  const i = m ? Number(m[1]) : NaN,
    n = m ? Number(m[2]) : NaN;
  if (!(n >= 1 && i >= 0 && i < n))
    throw new ValidationError('--shard', shard, "i/n with 0 ≤ i < n, e.g. '0/4'");
  return Array.from({ length: total }, (_, k) => k).filter((k) => k % n === i);
}

/** The resources of the Slurm job array planSweep writes. */
export interface PlanOptions {
  /** At most this many array tasks at once (sbatch --array=0-N%K; default 32). */
  maxConcurrent?: number;
  /** Wall-time limit per task, HH:MM:SS (default 01:00:00). */
  time?: string;
  partition?: string;
  /** The command that runs fractaxis on the nodes (default: this node and this CLI, by absolute path). */
  command?: string;
}

/**
 * Writes the Slurm job-array script for a sweep into its folder (and sweep.json): one array task per
 * point, each running `fractaxis sweep run --index $SLURM_ARRAY_TASK_ID`; memory per task from the
 * largest point's estimate. Returns the script's path and the number of points.
 */
export function planSweep(
  input: unknown,
  outDir: string,
  o: PlanOptions = {},
): { script: string; points: number } {
  const { spec, points } = stored(input);
  const dir = resolve(outDir);
  bindSweepFolder(dir, spec);
  const K = o.maxConcurrent ?? 32;
  if (!Number.isInteger(K) || K < 1) throw new ValidationError('--max-concurrent', K, 'an integer ≥ 1');
  const time = o.time ?? '01:00:00';
  if (!/^(\d+-)?\d{1,2}:\d{2}:\d{2}$/.test(time))
    throw new ValidationError('--time', time, 'HH:MM:SS or D-HH:MM:SS');
  // Memory: the largest Keller–Segel point's own estimate (adaptive steps, tables) plus Node's heap; 1 GiB for kinetic points.
  let bytes = 0;
  for (const p of points) {
    const m = p.scenario.model;
    bytes = Math.max(
      bytes,
      m.type === 'keller-segel'
        ? KellerSegel.memoryEstimate(
            { ...(m as unknown as KellerSegelOptions), initial: { rho: 1 } },
            p.scenario.run.adaptive ? 'adaptive' : 'fixed',
          ).bytes
        : 2 ** 30,
    );
  }
  const mb = Math.ceil(bytes / 2 ** 20) + 512;
  const cli =
    o.command ?? `${process.execPath} ${resolve(dirname(fileURLToPath(import.meta.url)), 'cli.js')}`;
  const script = [
    '#!/bin/bash',
    `#SBATCH --job-name=fractaxis-${spec.name ?? 'sweep'}`,
    `#SBATCH --array=0-${points.length - 1}%${K}`,
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=1',
    `#SBATCH --mem=${mb}M`,
    `#SBATCH --time=${time}`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    `#SBATCH --output=${join(dir, 'logs', '%A_%a.out')}`,
    '# Written by `fractaxis sweep plan`. Each array task runs one point; `fractaxis sweep collect`',
    `# ${dir} merges the results once the array has finished.`,
    'set -euo pipefail',
    `${cli} sweep run ${join(dir, SWEEP_FILE)} --out ${dir} --index "\${SLURM_ARRAY_TASK_ID}" --workers 0`,
    '',
  ].join('\n');
  nodeFiles.mkdirSync(join(dir, 'logs'), { recursive: true });
  const path = join(dir, 'sweep.sbatch');
  writeAtomic(nodeFiles, path, script);
  return { script: path, points: points.length };
}
