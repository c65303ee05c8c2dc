// Runs a scenario end to end and leaves its results in a folder: NPY snapshots, PNG pictures,
// summary.json, checkpoints. Node only (file system); the CLI and the tests use it.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createBackend, type BackendChoice } from '../backend/index.js';
import { KellerSegel, type KellerSegelCheckpoint } from '../models/keller-segel.js';
import type { KineticCheckpoint } from '../models/kinetic.js';
import { limitStudy } from '../models/limit.js';
import { encodeNpy } from '../io/npy.js';
import { encodePng } from '../io/png.js';
import { heatmap, linePlot, type Raster } from '../io/plot.js';
import { decodeCheckpoint, encodeCheckpoint } from '../io/checkpoint.js';
import { buildModel, kineticOptions, solveOptions, validateScenario, type Scenario } from '../scenario/validate.js';
import { VERSION } from '../version.js';
import type { RunStatus } from '../integrate/run.js';

export interface Progress { t: number; tEnd: number; dt: number; step: number; mass: number; maxRho: number }

export interface RunnerOptions {
  outDir: string;
  backend?: BackendChoice;
  /** Write a checkpoint every this many steps (atomically: write, then rename). */
  checkpointEvery?: number;
  /** Continue the run whose checkpoint is in outDir. */
  resume?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** A run's outcome: the model's status, with an abort by the user (Ctrl-C) reported as 'interrupted'. */
export type RunnerStatus = Exclude<RunStatus, 'aborted'> | 'interrupted';

export interface Series { t: number[]; dt: number[]; mass: number[]; minRho: number[]; maxRho: number[]; energy: number[] }

export interface RunSummary {
  name: string;
  status: RunnerStatus;
  reason?: string;
  t: number;
  steps: number;
  backend: string;
  versions: { fractaxis: string; node: string };
  wallTimeSeconds: number;
  scenario: Scenario;
  diagnostics: Series;
  snapshots: { index: number; t: number; files: string[] }[];
  limitStudy?: { eps: number; l1: number; relL1: number }[];
}

interface RunnerCheckpoint {
  model: KellerSegelCheckpoint | KineticCheckpoint;
  nextSnapshot: number;
  diagnostics: Series;
  snapshots: RunSummary['snapshots'];
  wallTimeSeconds: number;
}

const CHECKPOINT = 'checkpoint.fxck';
const png = (r: Raster) => encodePng(r.rgba, r.width, r.height, (d) => new Uint8Array(deflateSync(d, { level: 6 })));

function writeAtomic(path: string, data: Uint8Array | string): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

/** Runs (or resumes) a scenario into opts.outDir. */
export async function runScenario(input: Scenario | null, opts: RunnerOptions): Promise<RunSummary> {
  const out = opts.outDir;
  mkdirSync(out, { recursive: true });
  let resumed: RunnerCheckpoint | null = null;
  if (opts.resume) {
    const cpPath = join(out, CHECKPOINT);
    if (!existsSync(cpPath)) throw new Error(`--resume ${out}: no ${CHECKPOINT} in that folder`);
    resumed = decodeCheckpoint<RunnerCheckpoint>(new Uint8Array(readFileSync(cpPath)));
    input ??= JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8')) as Scenario;
  }
  if (!input) throw new Error('no scenario given');
  const scenario = validateScenario(input);
  const backend = await createBackend(opts.backend ?? 'auto');
  const model = buildModel(backend, scenario);
  if (!resumed) writeFileSync(join(out, 'scenario.json'), JSON.stringify(scenario, null, 2));
  const run = scenario.run, count = run.snapshots ?? 10;
  const series: Series = resumed?.diagnostics ?? { t: [], dt: [], mass: [], minRho: [], maxRho: [], energy: [] };
  const snapshots = resumed?.snapshots ?? [];
  let nextSnapshot = resumed?.nextSnapshot ?? 1;
  const wallStart = performance.now() - 1000 * (resumed?.wallTimeSeconds ?? 0);
  if (resumed) (model as { restore(cp: unknown): void }).restore(resumed.model);
  const g = model.grid;
  const shape = [...g.shape].slice(0, g.dim).reverse(); // numpy order: (nz, ny, nx)
  const name = scenario.name ?? 'scenario';

  const picture = (field: Float64Array, title: string): Raster => {
    if (g.dim === 1) return linePlot([{ x: g.coordinates(0), y: field, label: title.split(' ')[0], color: [31, 119, 180] }], { title, xlabel: 'x', ylabel: title.split(' ')[0] });
    const [nx, ny] = g.shape, slice = g.dim === 3 ? field.subarray((g.shape[2] >> 1) * nx * ny, ((g.shape[2] >> 1) + 1) * nx * ny) : field;
    return heatmap(slice, nx, ny, title, g.lengths);
  };
  const snapshot = (index: number) => {
    const tag = String(index).padStart(4, '0'), files = [`rho_${tag}.npy`, `rho_${tag}.png`];
    const rho = model.density();
    writeFileSync(join(out, files[0]), encodeNpy(rho, shape));
    writeFileSync(join(out, files[1]), png(picture(rho, `rho  t = ${model.time.toPrecision(4)}`)));
    const S = model.signal();
    if (S) { files.push(`S_${tag}.npy`); writeFileSync(join(out, `S_${tag}.npy`), encodeNpy(S, shape)); }
    snapshots.push({ index, t: model.time, files });
  };
  const record = (d: { t: number; step: number; mass: number; minRho: number; maxRho: number; dt?: number; energy?: number }) => {
    if (series.t.length > 0 && d.t === series.t.at(-1)) return; // start-of-segment repeat
    series.t.push(d.t); series.dt.push(d.dt ?? run.dt); series.mass.push(d.mass); series.minRho.push(d.minRho); series.maxRho.push(d.maxRho); series.energy.push(d.energy ?? NaN);
  };
  const checkpoint = () => {
    const cp: RunnerCheckpoint = { model: model.checkpoint(), nextSnapshot, diagnostics: series, snapshots, wallTimeSeconds: (performance.now() - wallStart) / 1000 };
    writeAtomic(join(out, CHECKPOINT), encodeCheckpoint(cp));
  };
  if (!resumed) snapshot(0);
  // The blow-up threshold is fixed once from the run's initial state (segments must not move it).
  // A zero initial density has no scale to set a threshold from: no default threshold then.
  const initialMax = resumed ? resumed.diagnostics.maxRho[0] : model.diagnostics().maxRho;
  const maxDensity = run.maxDensity ?? (initialMax > 0 ? 1e3 * initialMax : Infinity);

  let status: RunnerStatus = 'done', reason: string | undefined;
  let sinceCheckpoint = 0;
  const observer = (d: { t: number; step: number; mass: number; minRho: number; maxRho: number; dt?: number; energy?: number }) => {
    record(d);
    opts.onProgress?.({ t: d.t, tEnd: run.tEnd, dt: d.dt ?? run.dt, step: d.step, mass: d.mass, maxRho: d.maxRho });
    if (opts.checkpointEvery && ++sinceCheckpoint >= opts.checkpointEvery) { sinceCheckpoint = 0; checkpoint(); }
  };
  for (; nextSnapshot <= count; nextSnapshot++) {
    const tTarget = (run.tEnd * nextSnapshot) / count;
    const r = model instanceof KellerSegel
      ? await model.solve({ ...solveOptions(run), maxDensity, tEnd: tTarget, signal: opts.signal, observers: [observer] })
      : await model.solve({ tEnd: tTarget, dt: run.dt, maxDensity, signal: opts.signal, observers: [observer] });
    if (r.status === 'aborted') { status = 'interrupted'; reason = r.reason; checkpoint(); break; }
    if (r.status !== 'done') { status = r.status; reason = r.reason; break; }
    snapshot(nextSnapshot);
  }

  // Final pictures and data.
  const rhoFinal = model.density();
  if (status !== 'done' && status !== 'interrupted') {
    writeFileSync(join(out, 'rho_final.npy'), encodeNpy(rhoFinal, shape));
  }
  writeFileSync(join(out, 'rho_final.png'), png(picture(rhoFinal, `rho  t = ${model.time.toPrecision(4)}  (${status})`)));
  const S = model.signal();
  if (S) writeFileSync(join(out, 'S_final.png'), png(picture(S, `S  t = ${model.time.toPrecision(4)}`)));
  writeFileSync(join(out, 'diagnostics.png'), png(linePlot([
    { x: series.t, y: series.mass.map((m) => m / series.mass[0]), label: 'mass/mass(0)', color: [31, 119, 180] },
    { x: series.t, y: series.maxRho.map((m) => m / series.maxRho[0]), label: 'max rho/max rho(0)', color: [214, 39, 40] },
  ], { title: `${name}: diagnostics`, xlabel: 't', ylabel: 'relative to t = 0', logY: true })));

  let study: RunSummary['limitStudy'];
  if (status === 'done' && scenario.model.type === 'kinetic' && scenario.model.compare) {
    const spec = scenario.model;
    const { eps: _e, ...kin } = kineticOptions(spec);
    const res = await limitStudy(backend, { kinetic: kin, epsilons: spec.compare!.epsilons, tEnd: run.tEnd, dt: run.dt, signal: opts.signal });
    study = res.rows.map((r) => ({ eps: r.eps, l1: r.l1, relL1: r.relL1 }));
    writeFileSync(join(out, 'limit_rho.npy'), encodeNpy(res.reference, shape));
    writeFileSync(join(out, 'limit.png'), png(linePlot([
      { x: g.coordinates(0), y: res.reference, label: 'limit (fKS)', color: [0, 0, 0] },
      { x: g.coordinates(0), y: rhoFinal, label: `kinetic eps=${spec.eps}`, color: [214, 39, 40] },
    ], { title: `rho at t = ${run.tEnd}: kinetic vs limit`, xlabel: 'x', ylabel: 'rho' })));
  }

  const summary: RunSummary = {
    name, status, reason, t: model.time, steps: model.steps,
    backend: backend.kind, versions: { fractaxis: VERSION, node: typeof process !== 'undefined' ? process.version : 'unknown' },
    wallTimeSeconds: (performance.now() - wallStart) / 1000, scenario, diagnostics: series, snapshots, limitStudy: study,
  };
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
  return summary;
}
