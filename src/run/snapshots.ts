// Snapshots: the state at tEnd·k/count, k = 1…count (and at the start), handed to every sink: the
// NPY files and pictures of the folder, and the HDF5 time series. The schedule is this observer's
// nextTime, so the run lands on every snapshot time exactly.
import type { Model, StepDiagnostics } from '../models/model.js';
import type { RunObserver } from './observer.js';

/** One written snapshot, as summary.json lists it. */
export interface SnapshotRecord {
  index: number;
  t: number;
  files: string[];
}

/** Where a snapshot goes: returns the names of the files it wrote (for summary.json). */
export interface SnapshotSink {
  snapshot(index: number, t: number, model: Model): string[];
}

/** Where the schedule stood at a checkpoint. */
export interface SnapshotMark {
  /** The next k of the schedule (count + 1 when all are written). */
  nextSnapshot: number;
  snapshots: SnapshotRecord[];
}

export class SnapshotOutput implements RunObserver {
  readonly snapshots: SnapshotRecord[];
  private next: number;

  /**
   * `resumed`: the mark of the checkpoint; `extendedFrom`: the time reached when tEnd was raised
   * on resume (the schedule is then tEnd's, from the first snapshot after that time).
   */
  constructor(
    private readonly tEnd: number,
    private readonly count: number,
    private readonly sinks: SnapshotSink[],
    resumed: SnapshotMark | null,
    extendedFrom?: number,
  ) {
    this.snapshots = resumed?.snapshots ?? [];
    this.next = !resumed
      ? 0
      : extendedFrom !== undefined
        ? this.firstAfter(extendedFrom)
        : resumed.nextSnapshot;
  }

  nextTime(t: number): number | undefined {
    for (let k = Math.max(1, this.next); k <= this.count; k++) if (this.time(k) > t) return this.time(k);
    return undefined;
  }

  step(d: StepDiagnostics, model: Model): void {
    if (this.next === 0) {
      this.write(model); // the initial state
      this.next = 1;
    } else if (this.next <= this.count && d.t === this.time(this.next)) {
      this.write(model);
      this.next++;
    }
  }

  mark(): SnapshotMark {
    return { nextSnapshot: Math.max(1, this.next), snapshots: this.snapshots };
  }

  private write(model: Model): void {
    const index = this.snapshots.length,
      t = model.time;
    const files = this.sinks.flatMap((s) => s.snapshot(index, t, model));
    this.snapshots.push({ index, t, files });
  }

  /** Snapshot k of the schedule is at tEnd·k/count. */
  private time(k: number): number {
    return (this.tEnd * k) / this.count;
  }

  /** The first k with tEnd·k/count after t (count + 1 when none is). */
  private firstAfter(t: number): number {
    for (let k = 1; k <= this.count; k++) if (this.time(k) > t) return k;
    return this.count + 1;
  }
}
