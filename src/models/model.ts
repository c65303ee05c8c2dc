// The contract every model keeps, so that the runner, the studies and the demo need no per-model
// branches: a state advanced by solve() through the one Integrator loop, read by
// density()/signal(), saved and restored by checkpoint()/restore(), given back by dispose().
import type { Backend, Field } from '../backend/index.js';
import type { Grid } from '../grid.js';
import { NumericalError, ValidationError, checkFinite } from '../errors.js';
import { checkIdentity } from '../io/identity.js';
import {
  checkClock,
  type ClockState,
  type Integrator,
  type Monitor,
  type RunOptions,
  type RunOutcome,
} from '../integrate/run.js';

/** What every model reports after each accepted step (and at the start, with dt = 0). */
export interface StepDiagnostics {
  t: number;
  dt: number;
  step: number;
  /** ∫ρ dx */
  mass: number;
  minRho: number;
  maxRho: number;
  /** A free energy, where the model defines one. */
  energy?: number;
}

/** Called with the diagnostics of the start and of every accepted step; 'stop' ends the run ('stopped'). */
export type ModelObserver<M, D extends StepDiagnostics = StepDiagnostics> = (d: D, model: M) => void | 'stop';

/** What every model's solve() takes: the Integrator's controls plus observers. */
export interface ModelSolveOptions<
  M = Model,
  D extends StepDiagnostics = StepDiagnostics,
> extends RunOptions {
  observers?: ModelObserver<M, D>[];
  /** Blow-up threshold on max ρ; default 1e3 × the initial max ρ. */
  maxDensity?: number;
}

/** How a solve ended, with the diagnostics of every accepted step. */
export interface ModelResult<D extends StepDiagnostics = StepDiagnostics> extends RunOutcome {
  /** Diagnostics at the start and after every accepted step. */
  diagnostics: D[];
}

/** A model's checkpoint: its options' identity, the Integrator clock and the state fields. */
export interface StateCheckpoint<K extends string = string> {
  kind: K;
  /** The options of the model that wrote it (canonical form; initial data by digest): restore refuses another model's. */
  identity?: unknown;
  clock: ClockState;
  /** The Integrator's state fields, in the model's order. */
  state: Float64Array[];
}

/** The contract both models keep: the runner, the studies and the demo use only this. */
export interface Model {
  readonly grid: Grid;
  readonly backend: Backend;
  /** Simulated time of the current state, and accepted steps so far. */
  readonly time: number;
  readonly steps: number;
  /** Advances to opts.tEnd through the Integrator (resuming from the current time). */
  solve(opts: ModelSolveOptions<never>): Promise<ModelResult>;
  /** ρ(x) and S(x) of the current state (copies, x fastest); S is null without a chemical. */
  density(): Float64Array;
  /** S(x) of the current state (a copy), or null without a chemical. */
  signal(): Float64Array | null;
  /** Mass and min/max ρ of the current state. */
  diagnostics(): StepDiagnostics;
  /** Everything needed to continue the run bit for bit. */
  checkpoint(): StateCheckpoint;
  /** Continues from a checkpoint of a model built with the same options. */
  restore(checkpoint: StateCheckpoint): void;
  /** Gives the model’s memory back to its backend. */
  dispose(): void;
}

/**
 * The solve() both models share: diagnostics at the start and after every step, observers, the
 * default blow-up threshold, one Integrator run. `afterStep(dt)` gives the diagnostics of the state
 * just accepted (the monitor has just looked at it, so a model can reuse what it computed).
 */
export async function solveWithDiagnostics<M, D extends StepDiagnostics>(
  model: M,
  integrator: Integrator,
  opts: ModelSolveOptions<M, D>,
  first: D,
  monitor: Monitor,
  afterStep: (dt: number) => D,
): Promise<ModelResult<D>> {
  const observers = opts.observers ?? [];
  const diagnostics: D[] = [first];
  for (const o of observers) o(first, model);
  const maxDensity = opts.maxDensity ?? (first.maxRho > 0 ? 1e3 * first.maxRho : Infinity);
  const outcome = await integrator.run({ ...opts, maxDensity }, monitor, (_t, dt) => {
    const d = afterStep(dt);
    diagnostics.push(d);
    let stop = false;
    for (const o of observers) if (o(d, model) === 'stop') stop = true;
    return stop ? 'stop' : undefined;
  });
  return { ...outcome, diagnostics };
}

/** The checkpoint of an Integrator's state. */
export function stateCheckpoint<K extends string>(
  kind: K,
  identity: unknown,
  integrator: Integrator,
): StateCheckpoint<K> {
  return { kind, identity, clock: { ...integrator.clock }, state: integrator.u.map((f) => f.data.slice()) };
}

/**
 * Restores an Integrator's state from a checkpoint of the same model (kind, identity, field
 * lengths), checked in full before anything is overwritten: a refused checkpoint changes nothing.
 */
export function restoreState(
  cp: StateCheckpoint,
  kind: string,
  identity: unknown,
  integrator: Integrator,
): void {
  const state = integrator.u;
  if (cp?.kind !== kind || !Array.isArray(cp.state) || cp.state.length !== state.length)
    throw new ValidationError('checkpoint', cp?.kind, `a ${kind} checkpoint with ${state.length} fields`);
  checkIdentity(cp.identity, identity);
  const clock = checkClock(cp.clock, 'checkpoint.clock');
  cp.state.forEach((s, i) => {
    if (!(s instanceof Float64Array) || s.length !== state[i].length)
      throw new ValidationError(`checkpoint.state[${i}].length`, s?.length, `exactly ${state[i].length}`);
    checkFinite(`checkpoint.state[${i}]`, s);
  });
  cp.state.forEach((s, i) => state[i].data.set(s));
  integrator.clock = clock;
}

/** Fills `out` with a user function of the local state; NaN/Inf stops with the function named. */
export function evaluateLaw(
  out: Field,
  S: Field,
  f: (i: number, S: Float64Array) => number,
  name: string,
  t: number,
): void {
  const o = out.data,
    s = S.data;
  for (let i = 0; i < o.length; i++) {
    const v = f(i, s);
    if (!Number.isFinite(v))
      throw new NumericalError(`${name} returned ${v} at grid point ${i} (S = ${s[i]}) at t = ${t}`, t);
    o[i] = v;
  }
}
