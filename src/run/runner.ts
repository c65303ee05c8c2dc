// Runs a scenario end to end and leaves its results in a folder: NPY snapshots, PNG pictures,
// diagnostics.csv, summary.json, manifest.json, checkpoints. Node only (file system); the CLI and
// the tests use it. Every file is complete or absent (outputs.ts); a checkpoint holds the state and
// the bookkeeping, not the history (the series is in diagnostics.csv, whose valid length it records),
// and is bound to its scenario: resuming under another scenario is refused, naming what differs.
import { createBackend, type BackendChoice } from '../backend/index.js';
import { ValidationError } from '../errors.js';
import type { Model, StateCheckpoint, StepDiagnostics } from '../models/model.js';
import { limitStudy } from '../studies/limit.js';
import { encodeNpy } from '../io/npy.js';
import { encodePng } from '../io/png.js';
import { heatmap, linePlot, type Raster } from '../io/plot.js';
import { decodeCheckpoint, encodeCheckpoint } from '../io/checkpoint.js';
import { differences, digest } from '../io/identity.js';
import { deflateSync } from 'node:zlib';
import {
  buildModel,
  kineticOptions,
  solveOptions,
  validateScenario,
  type Scenario,
} from '../scenario/validate.js';
import { VERSION } from '../version.js';
import type { RunStatus } from '../integrate/run.js';
import { MANIFEST, OutputError, OutputFolder, nodeFiles, type FileLayer, type Manifest } from './outputs.js';

export interface Progress {
  t: number;
  tEnd: number;
  dt: number;
  step: number;
  mass: number;
  maxRho: number;
}

export interface RunnerOptions {
  outDir: string;
  backend?: BackendChoice;
  /** Write a checkpoint every this many steps (atomically: write, then rename). */
  checkpointEvery?: number;
  /** Continue the run whose checkpoint is in outDir. */
  resume?: boolean;
  /** Replace the run that outDir already holds (only the files its manifest lists are removed). */
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Messages worth a line on the terminal (e.g. an extended tEnd on resume). */
  onNotice?: (message: string) => void;
  /** File operations (tests inject failures here). */
  files?: FileLayer;
}

/** A run's outcome: the model's status, with an abort by the user (Ctrl-C) reported as 'interrupted'. */
export type RunnerStatus = Exclude<RunStatus, 'aborted'> | 'interrupted';

export interface Series {
  t: number[];
  dt: number[];
  mass: number[];
  minRho: number[];
  maxRho: number[];
  energy: number[];
}

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

/** The runner's checkpoint: the model's, plus the bookkeeping and what it belongs to. */
interface RunnerCheckpoint {
  format: 'fractaxis-run';
  scenario: { model: Scenario['model']; run: Scenario['run'] };
  /** The model's own checkpoint (its clock and state fields). */
  model: StateCheckpoint;
  nextSnapshot: number;
  /** The valid prefix of diagnostics.csv: rows after the header and bytes. */
  series: { rows: number; bytes: number };
  snapshots: RunSummary['snapshots'];
  wallTimeSeconds: number;
  /** Set by the checkpoint written when a run ends (not interrupted): resume then only extends tEnd. */
  finished?: { status: RunnerStatus; reason?: string };
}

const CHECKPOINT = 'checkpoint.fxck';
const SERIES = 'diagnostics.csv';
const COLUMNS = ['t', 'dt', 'mass', 'minRho', 'maxRho', 'energy'] as const;
const HEADER = `${COLUMNS.join(',')}\n`;
const png = (r: Raster) =>
  encodePng(r.rgba, r.width, r.height, (d) => new Uint8Array(deflateSync(d, { level: 6 })));

/** Runs (or resumes) a scenario into opts.outDir. */
export async function runScenario(input: Scenario | null, opts: RunnerOptions): Promise<RunSummary> {
  const files = opts.files ?? nodeFiles,
    dir = opts.outDir;
  const previous = prepareFolder(dir, files);
  const resumed = opts.resume ? readCheckpoint(dir, files) : null;
  if (!opts.resume && previous) {
    if (!opts.overwrite)
      throw new ValidationError(
        '--out',
        dir,
        `a folder without another run (it holds '${previous.scenario}', status ${previous.status}): use --resume ${dir}, another --out, or --overwrite`,
      );
    new OutputFolder(dir, files, previous).clear(previous);
  }
  input ??= opts.resume ? readScenarioFile(dir, files) : null;
  if (!input) throw new ValidationError('scenario', input, 'a scenario (or --resume DIR)');
  const scenario = validateScenario(input);
  if (resumed) bindCheckpoint(resumed, scenario, dir, opts.onNotice);
  const backend = await createBackend(opts.backend ?? 'auto');
  const model: Model = buildModel(backend, scenario);
  try {
    if (resumed) model.restore(resumed.model);
    const folder = new OutputFolder(
      dir,
      files,
      previous && opts.resume
        ? previous
        : {
            format: 'fractaxis-output',
            scenario: scenario.name ?? 'scenario',
            digest: digest(scenario.model),
            status: 'running',
            files: {},
          },
    );
    return await execute(scenario, model, backend.kind, folder, resumed, opts);
  } finally {
    model.dispose();
  }
}

/** Makes sure dir is a usable folder; returns the manifest of a run it already holds, if any. */
function prepareFolder(dir: string, files: FileLayer): Manifest | null {
  if (files.existsSync(dir) && !files.statSync(dir).isDirectory())
    throw new ValidationError('--out', dir, 'a folder (this path is a file)');
  try {
    files.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new OutputError(
      dir,
      (e as NodeJS.ErrnoException).code ?? 'error',
      'cannot create the output folder',
    );
  }
  const path = `${dir}/${MANIFEST}`;
  if (files.existsSync(path)) {
    try {
      return JSON.parse(new TextDecoder().decode(files.readFileSync(path))) as Manifest;
    } catch {
      throw new ValidationError(
        path,
        'unreadable JSON',
        "a fractaxis manifest (delete the folder's outputs or use another --out)",
      );
    }
  }
  return files.existsSync(`${dir}/${CHECKPOINT}`) || files.existsSync(`${dir}/summary.json`)
    ? { format: 'fractaxis-output', scenario: 'an earlier run', digest: '', status: 'unknown', files: {} }
    : null;
}

function readCheckpoint(dir: string, files: FileLayer): RunnerCheckpoint {
  const path = `${dir}/${CHECKPOINT}`;
  if (!files.existsSync(path))
    throw new ValidationError(
      '--resume',
      dir,
      `a folder holding ${CHECKPOINT} (there is none: nothing to resume)`,
    );
  if (files.statSync(path).isDirectory()) throw new ValidationError(path, 'a directory', 'a checkpoint file');
  const cp = decodeCheckpoint<RunnerCheckpoint>(files.readFileSync(path), path);
  if (cp?.format !== 'fractaxis-run' || !cp.scenario || !cp.model || !cp.series)
    throw new ValidationError(
      path,
      'an incomplete checkpoint',
      'a runner checkpoint (scenario, model, series)',
    );
  return cp;
}

function readScenarioFile(dir: string, files: FileLayer): Scenario {
  const path = `${dir}/scenario.json`;
  if (!files.existsSync(path))
    throw new ValidationError(path, 'missing', 'the scenario.json written when the run started');
  try {
    return JSON.parse(new TextDecoder().decode(files.readFileSync(path))) as Scenario;
  } catch (e) {
    throw new ValidationError(
      path,
      'invalid JSON',
      `the scenario.json written when the run started (${(e as Error).message})`,
    );
  }
}

/**
 * Refuses a checkpoint of another scenario, naming the fields that differ; of the run section only
 * tEnd may change (extending a run), and is reported through onNotice.
 */
function bindCheckpoint(
  cp: RunnerCheckpoint,
  scenario: Scenario,
  dir: string,
  onNotice?: (m: string) => void,
): void {
  const where = `${dir}/${CHECKPOINT}`;
  const model = differences(cp.scenario.model, scenario.model, 'model');
  const { tEnd: oldEnd, ...oldRun } = cp.scenario.run,
    { tEnd, ...run } = scenario.run;
  const runDiff = differences(oldRun, run, 'run');
  if (model.length + runDiff.length > 0) {
    throw new ValidationError(
      where,
      `a checkpoint of another scenario (differs in ${[...model, ...runDiff].join(', ')})`,
      'a checkpoint of this scenario (only run.tEnd may change when resuming)',
    );
  }
  const clockT = cp.model.clock?.t;
  if (!(tEnd >= clockT))
    throw new ValidationError('run.tEnd', tEnd, `at least ${clockT}, the time the checkpoint reached`);
  const count = scenario.run.snapshots ?? 10;
  if (
    !Number.isSafeInteger(cp.nextSnapshot) ||
    cp.nextSnapshot < 1 ||
    cp.nextSnapshot > count + 1 ||
    cp.snapshots.length < 1 ||
    (oldEnd === tEnd && cp.snapshots.length > cp.nextSnapshot)
  ) {
    throw new ValidationError(
      `${where} nextSnapshot`,
      cp.nextSnapshot,
      `an integer in [1, ${count + 1}] consistent with the ${cp.snapshots.length} snapshots written`,
    );
  }
  if (cp.snapshots.some((s) => !(s.t <= clockT)))
    throw new ValidationError(
      `${where} snapshots`,
      'a snapshot later than the clock',
      `snapshots at t ≤ ${clockT}`,
    );
  if (tEnd !== oldEnd)
    onNotice?.(`extending run.tEnd from ${oldEnd} to ${tEnd}: the run continues from t = ${clockT}`);
  else if (cp.finished)
    throw new ValidationError(
      '--resume',
      dir,
      `an unfinished run: this one ended '${cp.finished.status}' at t = ${clockT} (see summary.json); raise run.tEnd in scenario.json to continue it`,
    );
}

/** Reads the valid prefix of diagnostics.csv back (the checkpoint says how long it is) and drops any tail. */
function restoreSeries(folder: OutputFolder, recorded: { rows: number; bytes: number }): Series {
  const path = folder.path(SERIES),
    files = folder.files;
  const bytes = files.existsSync(path) ? files.readFileSync(path) : new Uint8Array(0);
  if (bytes.length < recorded.bytes)
    throw new ValidationError(
      path,
      `${bytes.length} bytes`,
      `at least the ${recorded.bytes} bytes the checkpoint recorded (the series was truncated)`,
    );
  const lines = new TextDecoder()
    .decode(bytes.subarray(0, recorded.bytes))
    .split('\n')
    .filter((l) => l !== '');
  if (lines[0] !== HEADER.trim() || lines.length - 1 !== recorded.rows)
    throw new ValidationError(
      path,
      `${lines.length - 1} rows`,
      `the ${recorded.rows} rows the checkpoint recorded`,
    );
  if (bytes.length > recorded.bytes) files.truncateSync(path, recorded.bytes);
  folder.record(SERIES);
  const series: Series = { t: [], dt: [], mass: [], minRho: [], maxRho: [], energy: [] };
  for (const line of lines.slice(1)) line.split(',').forEach((v, j) => series[COLUMNS[j]].push(Number(v)));
  return series;
}

type Record = StepDiagnostics;

async function execute(
  scenario: Scenario,
  model: Model,
  backendKind: string,
  folder: OutputFolder,
  resumed: RunnerCheckpoint | null,
  opts: RunnerOptions,
): Promise<RunSummary> {
  const run = scenario.run,
    count = run.snapshots ?? 10,
    name = scenario.name ?? 'scenario';
  const g = model.grid,
    shape = [...g.shape].slice(0, g.dim).reverse(); // numpy order: (nz, ny, nx)
  const series = resumed
    ? restoreSeries(folder, resumed.series)
    : ({ t: [], dt: [], mass: [], minRho: [], maxRho: [], energy: [] } as Series);
  const snapshots = resumed?.snapshots ?? [];
  // Snapshot k of the schedule is at t = tEnd k/count; files are numbered in the order written.
  const extended = resumed !== null && resumed.scenario.run.tEnd !== run.tEnd;
  let nextSnapshot = !resumed
    ? 1
    : extended
      ? firstSnapshotAfter(model.time, run.tEnd, count)
      : resumed.nextSnapshot;
  let seriesBytes = resumed?.series.bytes ?? HEADER.length,
    pending = '';
  const wallStart = performance.now() - 1000 * (resumed?.wallTimeSeconds ?? 0);

  const picture = (field: Float64Array, title: string): Raster => {
    if (g.dim === 1)
      return linePlot(
        [{ x: g.coordinates(0), y: field, label: title.split(' ')[0], color: [31, 119, 180] }],
        { title, xlabel: 'x', ylabel: title.split(' ')[0] },
      );
    const [nx, ny] = g.shape,
      slice =
        g.dim === 3 ? field.subarray((g.shape[2] >> 1) * nx * ny, ((g.shape[2] >> 1) + 1) * nx * ny) : field;
    return heatmap(slice, nx, ny, title, g.lengths);
  };
  const flushSeries = () => {
    if (pending === '') return;
    folder.append(SERIES, pending);
    seriesBytes += new TextEncoder().encode(pending).length;
    pending = '';
  };
  const snapshot = () => {
    const index = snapshots.length,
      tag = String(index).padStart(4, '0'),
      files = [`rho_${tag}.npy`, `rho_${tag}.png`];
    const rho = model.density();
    folder.write(files[0], encodeNpy(rho, shape));
    folder.write(files[1], png(picture(rho, `rho  t = ${model.time.toPrecision(4)}`)));
    const S = model.signal();
    if (S) {
      files.push(`S_${tag}.npy`);
      folder.write(`S_${tag}.npy`, encodeNpy(S, shape));
    }
    snapshots.push({ index, t: model.time, files });
    flushSeries();
    folder.commit('running');
  };
  const record = (d: Record) => {
    if (series.t.length > 0 && d.t === series.t.at(-1)) return; // a resumed solve repeats the last row first
    const row = [d.t, d.dt ?? run.dt, d.mass, d.minRho, d.maxRho, d.energy ?? NaN];
    row.forEach((v, j) => series[COLUMNS[j]].push(v));
    pending += `${row.map(String).join(',')}\n`;
  };
  const checkpoint = (finished?: RunnerCheckpoint['finished']) => {
    flushSeries();
    const cp: RunnerCheckpoint = {
      format: 'fractaxis-run',
      scenario: { model: scenario.model, run: scenario.run },
      model: model.checkpoint(),
      nextSnapshot,
      series: { rows: series.t.length, bytes: seriesBytes },
      snapshots,
      wallTimeSeconds: (performance.now() - wallStart) / 1000,
      finished,
    };
    folder.write(CHECKPOINT, encodeCheckpoint(cp));
    folder.commit(finished?.status ?? 'running');
  };
  let lastCheckpointT = resumed ? model.time : NaN;
  const guarded = (what: () => void) => {
    try {
      what();
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      const kept = Number.isNaN(lastCheckpointT)
        ? 'no checkpoint was written yet'
        : `the last checkpoint (t = ${lastCheckpointT.toPrecision(6)}) is intact: fix the cause and continue with --resume ${folder.dir}`;
      throw new OutputError(
        e.path,
        e.code,
        `${e.detail}; the run stopped at t = ${model.time.toPrecision(6)}; ${kept}`,
      );
    }
  };
  if (!resumed) {
    guarded(() => {
      folder.write('scenario.json', JSON.stringify(scenario, null, 2));
      folder.write(SERIES, HEADER);
      snapshot();
    });
  }
  // The blow-up threshold is fixed once from the run's initial state (segments must not move it).
  // A zero initial density has no scale to set a threshold from: no default threshold then.
  const initialMax = resumed ? series.maxRho[0] : model.diagnostics().maxRho;
  const maxDensity = run.maxDensity ?? (initialMax > 0 ? 1e3 * initialMax : Infinity);

  // One solve to tEnd that lands on every snapshot time; the snapshots are written by its observer.
  const times = Array.from({ length: count }, (_, i) => (run.tEnd * (i + 1)) / count);
  let status: RunnerStatus = 'done',
    reason: string | undefined;
  let sinceCheckpoint = 0;
  const observer = (d: Record) => {
    record(d);
    opts.onProgress?.({
      t: d.t,
      tEnd: run.tEnd,
      dt: d.dt ?? run.dt,
      step: d.step,
      mass: d.mass,
      maxRho: d.maxRho,
    });
    if (nextSnapshot <= count && d.t === times[nextSnapshot - 1]) {
      guarded(() => snapshot());
      nextSnapshot++;
    }
    if (opts.checkpointEvery && ++sinceCheckpoint >= opts.checkpointEvery) {
      sinceCheckpoint = 0;
      guarded(() => checkpoint());
      lastCheckpointT = model.time;
    }
  };
  if (model.time < run.tEnd) {
    const r = await model.solve({
      ...solveOptions(scenario),
      maxDensity,
      tEnd: run.tEnd,
      landAt: times.slice(nextSnapshot - 1),
      signal: opts.signal,
      observers: [observer],
    });
    if (r.status === 'aborted') {
      status = 'interrupted';
      reason = r.reason;
      guarded(() => checkpoint());
    } else if (r.status !== 'done') {
      status = r.status;
      reason = r.reason;
    }
  }
  let study: RunSummary['limitStudy'];
  guarded(() => finalPictures(folder, model, series, status, picture, shape, name));
  if (status === 'done' && scenario.model.type === 'kinetic' && scenario.model.compare) {
    const spec = scenario.model,
      rhoFinal = model.density();
    const { eps: _e, ...kin } = kineticOptions(spec);
    const res = await limitStudy(model.backend, {
      kinetic: kin,
      epsilons: spec.compare!.epsilons,
      tEnd: run.tEnd,
      dt: run.dt,
      signal: opts.signal,
    });
    study = res.rows.map((r) => ({ eps: r.eps, l1: r.l1, relL1: r.relL1 }));
    guarded(() => {
      folder.write('limit_rho.npy', encodeNpy(res.reference, shape));
      folder.write(
        'limit.png',
        png(
          linePlot(
            [
              { x: g.coordinates(0), y: res.reference, label: 'limit (fKS)', color: [0, 0, 0] },
              { x: g.coordinates(0), y: rhoFinal, label: `kinetic eps=${spec.eps}`, color: [214, 39, 40] },
            ],
            { title: `rho at t = ${run.tEnd}: kinetic vs limit`, xlabel: 'x', ylabel: 'rho' },
          ),
        ),
      );
    });
  }
  const summary: RunSummary = {
    name,
    status,
    reason,
    t: model.time,
    steps: model.steps,
    backend: backendKind,
    versions: { fractaxis: VERSION, node: typeof process !== 'undefined' ? process.version : 'unknown' },
    wallTimeSeconds: (performance.now() - wallStart) / 1000,
    scenario,
    diagnostics: series,
    snapshots,
    limitStudy: study,
  };
  guarded(() => {
    folder.write(
      'summary.json',
      JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2),
    );
    // A finished run's last checkpoint lets it be extended (an interrupted one has written its own).
    if (status !== 'interrupted') checkpoint({ status, reason });
    else folder.commit(status);
  });
  return summary;
}

/** The first k in 1..count with tEnd k/count after t (count when t is past them all but short of tEnd). */
function firstSnapshotAfter(t: number, tEnd: number, count: number): number {
  for (let k = 1; k <= count; k++) if ((tEnd * k) / count > t) return k;
  return count + 1;
}

function finalPictures(
  folder: OutputFolder,
  model: Model,
  series: Series,
  status: RunnerStatus,
  picture: (f: Float64Array, title: string) => Raster,
  shape: number[],
  name: string,
): void {
  const rhoFinal = model.density();
  if (status !== 'done' && status !== 'interrupted')
    folder.write('rho_final.npy', encodeNpy(rhoFinal, shape));
  folder.write('rho_final.png', png(picture(rhoFinal, `rho  t = ${model.time.toPrecision(4)}  (${status})`)));
  const S = model.signal();
  if (S) folder.write('S_final.png', png(picture(S, `S  t = ${model.time.toPrecision(4)}`)));
  folder.write(
    'diagnostics.png',
    png(
      linePlot(
        [
          {
            x: series.t,
            y: series.mass.map((m) => m / series.mass[0]),
            label: 'mass/mass(0)',
            color: [31, 119, 180],
          },
          {
            x: series.t,
            y: series.maxRho.map((m) => m / series.maxRho[0]),
            label: 'max rho/max rho(0)',
            color: [214, 39, 40],
          },
        ],
        { title: `${name}: diagnostics`, xlabel: 't', ylabel: 'relative to t = 0', logY: true },
      ),
    ),
  );
}
