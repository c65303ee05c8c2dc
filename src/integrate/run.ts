// The time loop: fixed or adaptive steps (step doubling), blow-up detection, abort, observers.
// It advances any StiffProblem; what "density" means is supplied by the caller's monitor.
import type { Field } from '../backend/index.js';
import { NumericalError, ValidationError, checkNumber } from '../errors.js';
import { EtdStepper, type Scheme, type StiffProblem } from './etd.js';

export interface AdaptiveOptions {
  /** Relative and absolute tolerances on the RMS local error (defaults 1e-6, 1e-9). */
  rtol?: number;
  atol?: number;
  /** Smallest allowed step; a step below it is reported as blow-up (default 1e-10 × initial dt). */
  dtMin?: number;
  /** Largest allowed step (default: unbounded). */
  dtMax?: number;
}

export interface RunOptions {
  /** Final time. */
  tEnd: number;
  /** Time step (fixed) or initial step (adaptive). */
  dt: number;
  scheme?: Scheme;
  /** Step-size control by step doubling; `true` uses the defaults. */
  adaptive?: AdaptiveOptions | boolean;
  /** Blow-up threshold on the monitored maximum (e.g. max ρ). */
  maxDensity?: number;
  /** Stop after this many accepted steps (status 'stopped'). */
  maxSteps?: number;
  signal?: AbortSignal;
  /** Yield to the event loop at least this often (ms), so abort signals and UIs stay live. */
  yieldEveryMs?: number;
}

export type RunStatus = 'done' | 'blow-up' | 'aborted' | 'stopped';

export interface RunOutcome {
  status: RunStatus;
  /** Time reached: the time of the last good state (the one the model now holds). */
  t: number;
  steps: number;
  rejected: number;
  /** Monitored maximum (max ρ) of the last good state. */
  max: number;
  /** Why a run stopped early (blow-up criterion, abort reason). */
  reason?: string;
}

export interface Monitor {
  /** Maximum of the monitored density and whether every value of the state is finite. */
  check(u: readonly Field[]): { max: number; finite: boolean };
}

/** Returning 'stop' from an observer ends the run with status 'stopped'. */
export type StepHook = (t: number, dt: number, step: number) => void | 'stop';

export const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
/** Yields to the event loop (abort signals, progress output and UIs stay live during a run). */
export const tick = () => new Promise<void>((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));

/** Integrator state that a checkpoint must hold to resume bit for bit. */
export interface ClockState { t: number; dt: number; steps: number; rejected: number }

export class Integrator {
  clock: ClockState;
  private stepper: EtdStepper | null = null;
  private readonly cand: Field[];
  private readonly half: Field[];
  private readonly full: Field[];

  constructor(private readonly problem: StiffProblem, readonly u: Field[], t0 = 0) {
    const be = problem.backend;
    this.clock = { t: t0, dt: NaN, steps: 0, rejected: 0 };
    this.cand = u.map((f) => be.alloc(f.length));
    this.half = u.map((f) => be.alloc(f.length));
    this.full = u.map((f) => be.alloc(f.length));
  }

  async run(opts: RunOptions, monitor: Monitor, hook: StepHook): Promise<RunOutcome> {
    const scheme = opts.scheme ?? 'etdrk4';
    if (scheme !== 'etdrk2' && scheme !== 'etdrk4') throw new ValidationError('scheme', scheme, "'etdrk2' or 'etdrk4'");
    checkNumber('tEnd', opts.tEnd, this.clock.t, Infinity, { hiOpen: true });
    checkNumber('dt', opts.dt, 0, Infinity, { loOpen: true, hiOpen: true });
    const ad = opts.adaptive === true ? {} : opts.adaptive || null;
    const rtol = ad ? checkNumber('adaptive.rtol', ad.rtol ?? 1e-6, 0, 1) : 0;
    const atol = ad ? checkNumber('adaptive.atol', ad.atol ?? 1e-9, 0, Infinity) : 0;
    if (ad && rtol === 0 && atol === 0) throw new ValidationError('adaptive', ad, 'rtol > 0 or atol > 0');
    const dtMin = ad ? checkNumber('adaptive.dtMin', ad.dtMin ?? 1e-10 * opts.dt, 0, opts.dt) : 0;
    const dtMax = ad?.dtMax !== undefined ? checkNumber('adaptive.dtMax', ad.dtMax, opts.dt, Infinity, { hiOpen: true }) : Infinity;
    const maxDensity = opts.maxDensity ?? Infinity;
    if (this.stepper?.scheme !== scheme) this.stepper = new EtdStepper(this.problem, scheme);
    const stepper = this.stepper;
    const be = this.problem.backend, C = this.u.length, p = stepper.order;
    const c = this.clock;
    if (!Number.isFinite(c.dt) || !ad) c.dt = opts.dt;

    const initial = monitor.check(this.u);
    if (!initial.finite) throw new NumericalError('the initial state has non-finite values', c.t);
    let lastMax = initial.max;
    const startMax = Math.max(initial.max, Number.MIN_VALUE);
    const outcome = (status: RunStatus, reason?: string): RunOutcome => ({ status, t: c.t, steps: c.steps, rejected: c.rejected, max: lastMax, reason });
    if (lastMax >= maxDensity) return outcome('blow-up', `max density ${lastMax} is already above maxDensity ${maxDensity}`);

    let lastYield = now();
    const yieldEvery = opts.yieldEveryMs ?? 50;
    const stepsAtStart = c.steps;
    while (c.t < opts.tEnd) {
      if (now() - lastYield > yieldEvery) { await tick(); lastYield = now(); }
      if (opts.signal?.aborted) return outcome('aborted', String(opts.signal.reason ?? 'aborted'));
      if (opts.maxSteps !== undefined && c.steps - stepsAtStart >= opts.maxSteps) return outcome('stopped', `maxSteps = ${opts.maxSteps} reached`);
      const remaining = opts.tEnd - c.t;
      // Land exactly on tEnd, without a round-off-sized extra step.
      const h = remaining <= c.dt * (1 + 1e-9) ? remaining : c.dt;
      let accepted = true;
      let nextDt = c.dt;
      if (ad) {
        // Step doubling: one step of h vs two of h/2; keep the finer result.
        stepper.step(c.t, h, this.u, this.full);
        stepper.step(c.t, h / 2, this.u, this.half);
        stepper.step(c.t + h / 2, h / 2, this.half, this.cand);
        let err = 0;
        for (let i = 0; i < C; i++) {
          const fine = Math.sqrt(be.sumSquares(this.cand[i]) / this.cand[i].length);
          be.axpy(this.full[i], -1, this.cand[i]);
          const diff = Math.sqrt(be.sumSquares(this.full[i]) / this.cand[i].length);
          err = Math.max(err, diff / (atol + rtol * fine));
        }
        if (!Number.isFinite(err)) err = Infinity;
        const factor = err === 0 ? 4 : Math.min(4, Math.max(0.2, 0.9 * Math.pow(err, -1 / (p + 1))));
        accepted = err <= 1;
        nextDt = Math.min(dtMax, (accepted ? Math.max(c.dt, h) : h) * factor);
        if (!accepted) {
          c.rejected++;
          c.dt = nextDt;
          if (c.dt < dtMin) return outcome('blow-up', `step size collapsed below dtMin = ${dtMin} (max density ${lastMax.toPrecision(6)})`);
          continue;
        }
      } else {
        stepper.step(c.t, h, this.u, this.cand);
      }
      const m = monitor.check(this.cand);
      if (!m.finite) {
        if (ad) { c.rejected++; c.dt = h / 4; if (c.dt < dtMin) return outcome('blow-up', `step size collapsed below dtMin = ${dtMin} (max density ${lastMax.toPrecision(6)})`); continue; }
        if (lastMax >= 10 * startMax) return outcome('blow-up', `non-finite values after max density grew from ${startMax.toPrecision(6)} to ${lastMax.toPrecision(6)}`);
        throw new NumericalError(`non-finite values at t = ${(c.t + h).toPrecision(6)} with no prior growth of the density (max ${lastMax.toPrecision(6)} at t = ${c.t.toPrecision(6)}): the time step ${h} is too large for this problem`, c.t);
      }
      for (let i = 0; i < C; i++) be.copy(this.u[i], this.cand[i]);
      c.t = h === remaining ? opts.tEnd : c.t + h;
      c.steps++;
      c.dt = nextDt;
      lastMax = m.max;
      if (m.max >= maxDensity) return outcome('blow-up', `max density ${m.max.toPrecision(6)} exceeded maxDensity = ${maxDensity}`);
      if (hook(c.t, h, c.steps) === 'stop') return outcome('stopped', 'stopped by an observer');
    }
    return outcome('done');
  }
}
