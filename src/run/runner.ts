// Runs a scenario end to end and leaves its results in a folder: NPY snapshots, PNG pictures,
// run.h5, diagnostics.csv, summary.json, manifest.json, checkpoints. Node only (file system); the
// CLI is a thin shell over it. One solve to tEnd; every output is an observer of it (observer.ts)
// that asks for the times it needs, so the solve lands on them. Every file is complete or absent
// (outputs.ts); a checkpoint holds the state and the outputs' marks, not the history (the series is
// in diagnostics.csv and run.h5, whose valid lengths it records), and is bound to its scenario:
// resuming under another scenario is refused, naming what differs.
import { createBackend, type BackendChoice } from '../backend/index.js';
import { ValidationError } from '../errors.js';
import type { Model, StepDiagnostics } from '../models/model.js';
import { limitStudy } from '../studies/limit.js';
import { encodeNpy } from '../io/npy.js';
import { comparisonFigure, lineFigure, type ColourScale } from '../io/figure.js';
import { encodeCheckpoint } from '../io/checkpoint.js';
import { digest } from '../io/identity.js';
import { landingTimes, type RunObserver, type RunnerStatus } from './observer.js';
import { SeriesOutput, type Series } from './series.js';
import { SnapshotOutput, type SnapshotRecord } from './snapshots.js';
import { FolderSnapshots, finalFigures, npyShape, writeFigure } from './figures.js';
import { initRenderer } from './render.js';
import { writeMovie } from './movie.js';
import { HDF5, Hdf5Output } from './hdf5.js';
import {
  CHECKPOINT,
  bindCheckpoint,
  prepareFolder,
  readCheckpoint,
  readScenarioFile,
  type RunnerCheckpoint,
} from './resume.js';
import {
  buildModel,
  kineticOptions,
  solveOptions,
  validateScenario,
  type Scenario,
} from '../scenario/validate.js';
import { VERSION } from '../version.js';
import { OutputError, OutputFolder, nodeFiles, type FileLayer } from './outputs.js';

/** Where a run stands (for progress bars). */
export interface Progress {
  t: number;
  tEnd: number;
  dt: number;
  step: number;
  mass: number;
  maxRho: number;
}

/** Where and how runScenario runs. */
export interface RunnerOptions {
  outDir: string;
  backend?: BackendChoice;
  /** Threads of the wasm backend (default: the machine's cores; results are bitwise the same). */
  threads?: number;
  /** Write a checkpoint every this many steps (atomically: write, then rename). */
  checkpointEvery?: number;
  /** Continue the run whose checkpoint is in outDir. */
  resume?: boolean;
  /** Replace the run that outDir already holds (only the files its manifest lists are removed). */
  overwrite?: boolean;
  signal?: AbortSignal;
  /** Called after every accepted step. */
  onProgress?: (p: Progress) => void;
  /** Messages worth a line on the terminal (e.g. an extended tEnd on resume). */
  onNotice?: (message: string) => void;
  /** File operations (tests inject failures here). */
  files?: FileLayer;
  /** Write run.h5 (default true). */
  hdf5?: boolean;
  /** Colour scale of the field figures: 'linear' (default), 'log' (aggregates stand out) or 'symlog'. */
  colourScale?: ColourScale;
  /** Write movie.gif of ρ over the snapshots (and movie.mp4 when ffmpeg is on the PATH). */
  movie?: boolean;
  /** More outputs: told of every accepted state, landed on at the times they ask for. */
  observers?: RunObserver[];
}

export type { RunnerStatus, RunObserver, Series };

/** What summary.json holds: how the run ended, its diagnostics and the files written. */
export interface RunSummary {
  name: string;
  status: RunnerStatus;
  reason?: string;
  t: number;
  steps: number;
  backend: string;
  /** Threads the backend's kernels ran on. */
  threads: number;
  versions: { fractaxis: string; node: string };
  wallTimeSeconds: number;
  scenario: Scenario;
  diagnostics: Series;
  snapshots: SnapshotRecord[];
  /** The HDF5 file of the run (absent with hdf5: false). */
  hdf5?: string;
  /** The movie files written (with movie: true). */
  movie?: string[];
  limitStudy?: { eps: number; l1: number; relL1: number }[];
}

/** Runs (or resumes) a scenario into opts.outDir. */
export async function runScenario(input: Scenario | null, opts: RunnerOptions): Promise<RunSummary> {
  const files = opts.files ?? nodeFiles,
    dir = opts.outDir;
  // Options are checked before the folder is touched: a typo never costs the previous run.
  if (opts.colourScale !== undefined && !['linear', 'log', 'symlog'].includes(opts.colourScale))
    throw new ValidationError('--colour-scale', opts.colourScale, "'linear', 'log' or 'symlog'");
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
  const backend = await createBackend(opts.backend ?? 'auto', { threads: opts.threads });
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
  const wallStart = performance.now() - 1000 * (resumed?.wallTimeSeconds ?? 0);
  const colourScale = opts.colourScale ?? 'linear';
  await initRenderer();
  let lastCheckpointT = resumed ? model.time : NaN;
  /** An output failure names what is kept: the last checkpoint, from which --resume continues. */
  const guarded = <T>(what: () => T): T => {
    try {
      return what();
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
  if (!resumed) guarded(() => folder.write('scenario.json', JSON.stringify(scenario, null, 2)));
  const series = guarded(() => new SeriesOutput(folder, run.dt, resumed?.series ?? null));
  // run.h5 continues only where the checkpoint vouches for it (a run started without it goes on without).
  const withHdf5 = opts.hdf5 !== false && (!resumed || resumed.hdf5 !== undefined);
  if (opts.hdf5 !== false && !withHdf5)
    opts.onNotice?.(`${HDF5} is not written: the run being resumed was started without it`);
  const hdf5 = withHdf5
    ? await Hdf5Output.open(folder, model, scenario, series.series, resumed?.hdf5 ?? null)
    : null;
  const extended = resumed !== null && resumed.scenario.run.tEnd !== run.tEnd;
  const snapshots = new SnapshotOutput(
    run.tEnd,
    count,
    [new FolderSnapshots(folder, colourScale), ...(hdf5 ? [hdf5] : [])],
    resumed,
    extended ? model.time : undefined,
  );
  const checkpoint = (finished?: RunnerCheckpoint['finished']) => {
    const cp: RunnerCheckpoint = {
      format: 'fractaxis-run',
      scenario: { model: scenario.model, run: scenario.run },
      model: model.checkpoint(),
      ...snapshots.mark(),
      series: series.mark(),
      hdf5: hdf5?.mark(),
      wallTimeSeconds: (performance.now() - wallStart) / 1000,
      finished,
    };
    folder.write(CHECKPOINT, encodeCheckpoint(cp));
    folder.commit(finished?.status ?? 'running');
  };
  // The runner's own bookkeeping after the outputs: commit the folder after a snapshot, checkpoint every N steps.
  let written = snapshots.snapshots.length,
    sinceCheckpoint = 0;
  const bookkeeping: RunObserver = {
    step(d) {
      opts.onProgress?.({
        t: d.t,
        tEnd: run.tEnd,
        dt: d.dt || run.dt,
        step: d.step,
        mass: d.mass,
        maxRho: d.maxRho,
      });
      if (snapshots.snapshots.length > written) {
        written = snapshots.snapshots.length;
        series.flush();
        folder.commit('running');
      }
      if (opts.checkpointEvery && ++sinceCheckpoint >= opts.checkpointEvery) {
        sinceCheckpoint = 0;
        checkpoint();
        lastCheckpointT = model.time;
      }
    },
  };
  const observers: RunObserver[] = [series, snapshots, bookkeeping, ...(opts.observers ?? [])];
  // The blow-up threshold is fixed once from the run's initial state (a resumed run keeps it).
  // A zero initial density has no scale to set a threshold from: no default threshold then.
  const initialMax = resumed ? series.series.maxRho[0] : model.diagnostics().maxRho;
  const maxDensity = run.maxDensity ?? (initialMax > 0 ? 1e3 * initialMax : Infinity);

  let status: RunnerStatus = 'done',
    reason: string | undefined;
  if (model.time < run.tEnd) {
    const r = await model.solve({
      ...solveOptions(scenario),
      maxDensity,
      tEnd: run.tEnd,
      landAt: landingTimes(observers, model.time, run.tEnd),
      signal: opts.signal,
      observers: [(d: StepDiagnostics) => guarded(() => observers.forEach((o) => o.step?.(d, model)))],
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
  let movie: string[] | undefined;
  guarded(() => {
    series.end();
    finalFigures(folder, model, series.series, status, name, colourScale);
    if (opts.movie) movie = writeMovie(folder, model, snapshots.snapshots, colourScale);
  });
  if (status === 'done' && scenario.model.type === 'kinetic' && scenario.model.compare)
    study = await compareWithLimit(scenario, model, folder, opts.signal, guarded);
  for (const o of opts.observers ?? []) await o.end?.(status, model);
  const summary: RunSummary = {
    name,
    status,
    reason,
    t: model.time,
    steps: model.steps,
    backend: backendKind,
    threads: model.backend.threads,
    versions: { fractaxis: VERSION, node: typeof process !== 'undefined' ? process.version : 'unknown' },
    wallTimeSeconds: (performance.now() - wallStart) / 1000,
    scenario,
    diagnostics: series.series,
    snapshots: snapshots.snapshots,
    hdf5: hdf5 ? HDF5 : undefined,
    movie,
    limitStudy: study,
  };
  guarded(() => {
    folder.write(
      'summary.json',
      JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2),
    );
    // A finished run's last checkpoint lets it be extended (an interrupted one has written its own).
    if (status !== 'interrupted') checkpoint({ status, reason });
    hdf5?.end(status, reason);
    folder.commit(status);
  });
  return summary;
}

/** The kinetic run against its ε → 0 limit (scenario `compare`): limit_rho.npy and limit.png. */
async function compareWithLimit(
  scenario: Scenario,
  model: Model,
  folder: OutputFolder,
  signal: AbortSignal | undefined,
  guarded: <T>(what: () => T) => T,
): Promise<RunSummary['limitStudy']> {
  const spec = scenario.model as Extract<Scenario['model'], { type: 'kinetic' }>,
    run = scenario.run,
    g = model.grid,
    rhoFinal = model.density();
  const { eps: _e, ...kin } = kineticOptions(spec);
  const res = await limitStudy(model.backend, {
    kinetic: kin,
    epsilons: spec.compare!.epsilons,
    tEnd: run.tEnd,
    dt: run.dt,
    signal,
  });
  guarded(() => {
    folder.write('limit_rho.npy', encodeNpy(res.reference, npyShape(model)));
    const shape = g.shape.slice(0, g.dim),
      title = `ρ at t = ${run.tEnd}: kinetic vs limit`;
    // 2-D/3-D: the two densities side by side on one colour scale, then a cut through the middle along x.
    if (g.dim > 1)
      writeFigure(
        folder,
        'limit',
        comparisonFigure(
          [
            { field: rhoFinal, title: `kinetic, ε = ${spec.eps}` },
            { field: res.reference, title: 'limit (fractional KS)' },
          ],
          shape,
          { label: 'ρ', lengths: g.lengths, title },
        ),
      );
    const cut = (f: Float64Array) => {
      if (g.dim === 1) return f;
      const [nx, ny, nz] = g.shape,
        row = ((nz >> 1) * ny + (ny >> 1)) * nx;
      return f.slice(row, row + nx);
    };
    const along = g.dim === 1 ? '' : ` (cut at ${g.dim === 2 ? 'y' : 'y, z'} = mid-box)`;
    writeFigure(
      folder,
      g.dim === 1 ? 'limit' : 'limit_cut',
      lineFigure(
        [
          { x: g.coordinates(0), y: cut(res.reference), label: 'limit (fractional KS)', color: '#000' },
          {
            x: g.coordinates(0),
            y: cut(rhoFinal),
            label: `kinetic, ε = ${spec.eps}`,
            color: '#d62728',
            dashed: true,
          },
        ],
        { title: title + along, xlabel: 'x', ylabel: 'ρ' },
      ),
    );
  });
  return res.rows.map((r) => ({ eps: r.eps, l1: r.l1, relL1: r.relL1 }));
}
