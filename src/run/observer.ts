// What a run's outputs are: observers of the one solve. Each is told of every accepted state and
// asks for the times at which it wants the state exactly (the run lands on them); what it must
// find again on resume goes into the runner's checkpoint. Snapshots (NPY, pictures, HDF5), the
// diagnostics series, checkpoints and progress are all observers; users add their own.
import type { Model, StepDiagnostics } from '../models/model.js';
import type { RunStatus } from '../integrate/run.js';

/** A run's outcome: the model's status, with an abort by the user (Ctrl-C) reported as 'interrupted'. */
export type RunnerStatus = Exclude<RunStatus, 'aborted'> | 'interrupted';

/** An output of a run: told of every accepted state; asks for the times it needs exactly. */
export interface RunObserver {
  /** The first time after t at which this observer wants the state exactly (undefined: none). */
  nextTime?(t: number): number | undefined;
  /** The state at the start (or at resume), then after every accepted step; the model holds it. */
  step?(d: StepDiagnostics, model: Model): void;
  /** The run ended (the model holds its last good state); write what is written once. */
  end?(status: RunnerStatus, model: Model): void | Promise<void>;
}

/** Every time in (t, tEnd] that some observer asks for, ascending. */
export function landingTimes(observers: readonly RunObserver[], t: number, tEnd: number): number[] {
  const times = new Set<number>();
  for (const o of observers) {
    if (!o.nextTime) continue;
    let last = t;
    for (let s = o.nextTime(last); s !== undefined && s <= tEnd; s = o.nextTime(last)) {
      if (!(s > last)) throw new Error(`an observer's nextTime(${last}) returned ${s}, not a later time`);
      times.add(s);
      last = s;
    }
  }
  return [...times].sort((a, b) => a - b);
}
