// Resuming a run: the folder it left, its checkpoint (the model's state plus the outputs' marks),
// and the binding that refuses a checkpoint of another scenario, naming the fields that differ
// (of the run section only tEnd may change, to extend a run).
import { ValidationError } from '../errors.js';
import { decodeCheckpoint } from '../io/checkpoint.js';
import { differences } from '../io/identity.js';
import type { StateCheckpoint } from '../models/model.js';
import type { Scenario } from '../scenario/validate.js';
import type { Hdf5Mark } from './hdf5.js';
import type { RunnerStatus } from './observer.js';
import { MANIFEST, OutputError, type FileLayer, type Manifest } from './outputs.js';
import type { SeriesMark } from './series.js';
import type { SnapshotRecord } from './snapshots.js';

/** The runner's checkpoint: the model's, plus the bookkeeping and what it belongs to. */
export interface RunnerCheckpoint {
  format: 'fractaxis-run';
  scenario: { model: Scenario['model']; run: Scenario['run'] };
  /** The model's own checkpoint (its clock and state fields). */
  model: StateCheckpoint;
  nextSnapshot: number;
  /** The valid prefix of diagnostics.csv: rows after the header and bytes. */
  series: SeriesMark;
  snapshots: SnapshotRecord[];
  /** Frames and diagnostics rows of run.h5 (absent when the run writes none). */
  hdf5?: Hdf5Mark;
  wallTimeSeconds: number;
  /** Set by the checkpoint written when a run ends (not interrupted): resume then only extends tEnd. */
  finished?: { status: RunnerStatus; reason?: string };
}

export const CHECKPOINT = 'checkpoint.fxck';

/** Makes sure dir is a usable folder; returns the manifest of a run it already holds, if any. */
export function prepareFolder(dir: string, files: FileLayer): Manifest | null {
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

export function readCheckpoint(dir: string, files: FileLayer): RunnerCheckpoint {
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

export function readScenarioFile(dir: string, files: FileLayer): Scenario {
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
export function bindCheckpoint(
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
