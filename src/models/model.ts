// The contract every model keeps, so that the runner, the studies and the demo need no per-model
// branches: a state advanced by solve(), read by density()/signal(), saved and restored by
// checkpoint()/restore(), given back by dispose().
import type { Backend } from '../backend/index.js';
import type { Grid } from '../grid.js';
import type { RunStatus } from '../integrate/run.js';

/** What every model reports after each accepted step (and at the start). */
export interface StepDiagnostics {
  t: number;
  step: number;
  mass: number;
  minRho: number;
  maxRho: number;
  dt?: number;
  energy?: number;
}

/** Options every model's solve() takes; models add their own (a scheme, step control). */
export interface ModelSolveOptions {
  tEnd: number;
  dt: number;
  maxDensity?: number;
  maxSteps?: number;
  signal?: AbortSignal;
  /** Times in (t, tEnd) to land on exactly (snapshots). */
  landAt?: readonly number[];
  observers?: ((d: StepDiagnostics) => void | 'stop')[];
}

export interface ModelOutcome {
  status: RunStatus;
  t: number;
  steps: number;
  max: number;
  reason?: string;
}

export interface Model {
  readonly grid: Grid;
  readonly backend: Backend;
  /** Simulated time of the current state, and accepted steps so far. */
  readonly time: number;
  readonly steps: number;
  solve(opts: ModelSolveOptions): Promise<ModelOutcome>;
  /** ρ(x) and S(x) of the current state (copies, x fastest); S is null without a chemical. */
  density(): Float64Array;
  signal(): Float64Array | null;
  diagnostics(): StepDiagnostics;
  checkpoint(): unknown;
  restore(checkpoint: unknown): void;
  dispose(): void;
}
