// The time loop: fixed or adaptive steps (step doubling), blow-up detection, abort, observers.
// It advances any state with any Stepper; what "density" means is supplied by the caller's monitor.
import type { Backend, Field } from '../backend/index.js';
import { NumericalError, ValidationError, checkNumber } from '../errors.js';

/**
 * A one-step method: out = u(t + h) from u(t), u untouched, out distinct from u. A step with many
 * stages or substeps awaits `pause` between them: it yields to the event loop now and then (so a
 * Ctrl-C or a page stays live on big grids) and throws StepInterrupted once the run is aborted.
 */
export interface Stepper {
  readonly order: number;
  /** Writes u(t + h) into out (u untouched, out distinct from u). */
  step(t: number, h: number, u: readonly Field[], out: readonly Field[], pause?: Pause): void | Promise<void>;
}

/** Yields to the event loop if `everyMs` have passed since the last yield; throws StepInterrupted after an abort. */
export type Pause = () => Promise<void>;

/** Fills out[m] = f(m) for m < out.length, pausing every `chunk` entries (per-mode tables of big grids take seconds). */
export async function tabulate(
  out: Float64Array,
  f: (m: number) => number,
  pause?: Pause,
  chunk = 1 << 16,
): Promise<Float64Array> {
  for (let start = 0; start < out.length; start += chunk) {
    if (start > 0) await pause?.();
    const end = Math.min(out.length, start + chunk);
    for (let m = start; m < end; m++) out[m] = f(m);
  }
  return out;
}

/** Yields to the event loop when `everyMs` have passed since its last yield (one clock for a whole run). */
export function yielder(everyMs: number): () => Promise<void> {
  let last = now();
  return async () => {
    if (now() - last > everyMs) {
      await tick();
      last = now();
    }
  };
}

/** The Pause handed to steppers: yields as `turn` does, then throws StepInterrupted once the run is aborted. */
export function pauser(signal: AbortSignal | undefined, turn: () => Promise<void>): Pause {
  return async () => {
    await turn();
    if (signal?.aborted) throw new StepInterrupted();
  };
}

/** Thrown by a stepper between stages when the run was aborted; the step's input is untouched. */
export class StepInterrupted extends Error {
  constructor() {
    super('step interrupted');
    this.name = 'StepInterrupted';
  }
}

/** When a state counts as no longer resolved (negative density), and what then. */
export interface ResolutionOptions {
  /** A state with min ρ < −negativeTolerance · max ρ is no longer resolved (default 1e-3). */
  negativeTolerance?: number;
  /** 'stop' (default): end with status 'under-resolved', keeping the last resolved state; 'warn': go on, note it in the outcome. */
  action?: 'stop' | 'warn';
}

/** Step-size control by step doubling. */
export interface AdaptiveOptions {
  /** Relative and absolute tolerances on the RMS local error (defaults 1e-6, 1e-9). */
  rtol?: number;
  atol?: number;
  /** Smallest allowed step; a step below it is reported as blow-up (default 1e-10 × initial dt). */
  dtMin?: number;
  /** Largest allowed step (default: unbounded). */
  dtMax?: number;
}

/** The controls of one run of the Integrator (and of every model’s solve()). */
export interface RunOptions {
  /** Final time. */
  tEnd: number;
  /** Time step (fixed) or initial step (adaptive). */
  dt: number;
  /** Time scheme, by name (the model says which it offers). */
  scheme?: string;
  /** Step-size control by step doubling; `true` uses the defaults. */
  adaptive?: AdaptiveOptions | boolean;
  /** Blow-up threshold on the monitored maximum (e.g. max ρ). */
  maxDensity?: number;
  /** Stop after this many accepted steps (status 'stopped'). */
  maxSteps?: number;
  signal?: AbortSignal;
  /** Yield to the event loop at least this often (ms), so abort signals and UIs stay live. */
  yieldEveryMs?: number;
  /** What to do when the density goes negative beyond a tolerance (see ResolutionOptions). */
  resolution?: ResolutionOptions;
  /** Times in (t, tEnd) the run lands on exactly, as on tEnd (snapshots); observers see t equal to them. */
  landAt?: readonly number[];
}

/** The next time to land on after t: the first of `landAt` beyond t, else tEnd. */
export function nextLanding(t: number, tEnd: number, landAt: readonly number[] | undefined): number {
  if (landAt) for (const s of landAt) if (s > t && s < tEnd) return s;
  return tEnd;
}

/**
 * How a run ended. 'blow-up': a resolved state's max ρ passed maxDensity. 'under-resolved': the
 * discretisation no longer resolves the solution (negative density). 'unstable': the explicit part
 * produced non-finite values at a fixed step. 'step-too-small': adaptive control could not meet its
 * tolerance above dtMin. In every case the model holds the last good state.
 */
export type RunStatus =
  'done' | 'blow-up' | 'under-resolved' | 'unstable' | 'step-too-small' | 'aborted' | 'stopped';

/** How a run ended, with the time and max density of the last good state. */
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
  /** With resolution.action 'warn': the first time a state was accepted although under-resolved, and why. */
  warning?: string;
}

export interface Monitor {
  /** Min and max of the monitored density and whether every value of the state is finite. */
  check(u: readonly Field[]): { min: number; max: number; finite: boolean };
  /** A step that the explicit part of the scheme should take stably from state u (a CFL estimate). */
  stableStep?(u: readonly Field[]): number;
}

/** Returning 'stop' from an observer ends the run with status 'stopped'. */
export type StepHook = (t: number, dt: number, step: number) => void | 'stop';

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
/** Yields to the event loop (abort signals, progress output and UIs stay live during a run). */
const tick = () =>
  new Promise<void>((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));

/** Integrator state that a checkpoint must hold to resume bit for bit. */
export interface ClockState {
  t: number;
  dt: number;
  steps: number;
  rejected: number;
}

/** Refuses an inconsistent clock from a checkpoint, naming the field (`field.t`, `field.dt`, …). */
export function checkClock(c: ClockState, field: string): ClockState {
  if (!c || typeof c !== 'object') throw new ValidationError(field, c, 'a clock {t, dt, steps, rejected}');
  checkNumber(`${field}.t`, c.t, 0, Infinity, { hiOpen: true });
  if (!(Number.isNaN(c.dt) || (Number.isFinite(c.dt) && c.dt > 0)))
    throw new ValidationError(`${field}.dt`, c.dt, 'a finite step > 0 (or NaN before the first step)');
  for (const k of ['steps', 'rejected'] as const)
    if (!Number.isSafeInteger(c[k]) || c[k] < 0)
      throw new ValidationError(`${field}.${k}`, c[k], 'a non-negative integer');
  return { t: c.t, dt: c.dt, steps: c.steps, rejected: c.rejected };
}

export class Integrator {
  clock: ClockState;
  private stepper: { scheme: string; stepper: Stepper } | null = null;
  private readonly cand: Field[];
  /** Step doubling's two extra states, allocated at the first adaptive run. */
  private half: Field[] = [];
  private full: Field[] = [];

  /**
   * Advances the state `u` in place. `schemes` lists the scheme names `makeStepper` accepts; the
   * first is the default. The first `solutionFields` fields are the solution, on which step doubling
   * measures its error; the others are carried by the stepper (a multistep history, derived fields).
   */
  constructor(
    private readonly backend: Backend,
    readonly u: Field[],
    private readonly schemes: readonly string[],
    private readonly makeStepper: (scheme: string) => Stepper,
    private readonly solutionFields = u.length,
  ) {
    const be = backend;
    this.clock = { t: 0, dt: NaN, steps: 0, rejected: 0 };
    this.cand = u.map((f) => be.alloc(f.length));
  }

  async run(opts: RunOptions, monitor: Monitor, hook: StepHook): Promise<RunOutcome> {
    const scheme = opts.scheme ?? this.schemes[0];
    if (!this.schemes.includes(scheme))
      throw new ValidationError('scheme', scheme, this.schemes.map((x) => `'${x}'`).join(' or '));
    checkNumber('tEnd', opts.tEnd, this.clock.t, Infinity, { hiOpen: true });
    checkNumber('dt', opts.dt, 0, Infinity, { loOpen: true, hiOpen: true });
    const ad = opts.adaptive === true ? {} : opts.adaptive || null;
    const rtol = ad ? checkNumber('adaptive.rtol', ad.rtol ?? 1e-6, 0, 1) : 0;
    const atol = ad ? checkNumber('adaptive.atol', ad.atol ?? 1e-9, 0, Infinity) : 0;
    if (ad && rtol === 0 && atol === 0) throw new ValidationError('adaptive', ad, 'rtol > 0 or atol > 0');
    const dtMin = ad ? checkNumber('adaptive.dtMin', ad.dtMin ?? 1e-10 * opts.dt, 0, opts.dt) : 0;
    const dtMax =
      ad?.dtMax !== undefined
        ? checkNumber('adaptive.dtMax', ad.dtMax, opts.dt, Infinity, { hiOpen: true })
        : Infinity;
    const maxDensity = opts.maxDensity ?? Infinity;
    if (!(maxDensity > 0))
      throw new ValidationError(
        'maxDensity',
        maxDensity,
        'a number > 0 (Infinity turns the blow-up threshold off)',
      );
    const negTol = checkNumber(
      'resolution.negativeTolerance',
      opts.resolution?.negativeTolerance ?? 1e-3,
      0,
      Infinity,
      { hiOpen: true },
    );
    const action = opts.resolution?.action ?? 'stop';
    if (action !== 'stop' && action !== 'warn')
      throw new ValidationError('resolution.action', action, "'stop' or 'warn'");
    if (this.stepper?.scheme !== scheme) this.stepper = { scheme, stepper: this.makeStepper(scheme) };
    const stepper = this.stepper.stepper;
    const be = this.backend,
      C = this.u.length,
      p = stepper.order;
    const c = this.clock;
    if (!Number.isFinite(c.dt) || !ad) c.dt = opts.dt;
    if (ad && this.half.length === 0) {
      this.half = this.u.map((f) => be.alloc(f.length));
      this.full = this.u.map((f) => be.alloc(f.length));
    }
    let warning: string | undefined;

    const initial = monitor.check(this.u);
    if (!initial.finite) throw new NumericalError('the initial state has non-finite values', c.t);
    // Negative density the scheme created (beyond what the initial data had) means it no longer resolves the solution.
    const floor = Math.min(0, initial.min);
    const unresolved = (m: { min: number; max: number }) =>
      m.min < floor - negTol * m.max
        ? `min density ${m.min.toPrecision(4)} < −${negTol} × max density ${m.max.toPrecision(4)}${floor < 0 ? ` below the initial minimum ${floor.toPrecision(4)}` : ''}: the discretisation no longer resolves the solution (try discretisation 'finite-volume' or a finer grid)`
        : null;
    let lastMax = initial.max;
    const outcome = (status: RunStatus, reason?: string): RunOutcome => ({
      status,
      t: c.t,
      steps: c.steps,
      rejected: c.rejected,
      max: lastMax,
      reason,
      warning,
    });
    if (lastMax >= maxDensity)
      return outcome('blow-up', `max density ${lastMax} is already above maxDensity ${maxDensity}`);

    const stepsAtStart = c.steps;
    // One yield clock for the loop and for the pauses inside long steps.
    const turn = yielder(opts.yieldEveryMs ?? 50),
      pause = pauser(opts.signal, turn);
    try {
      while (c.t < opts.tEnd) {
        await turn();
        if (opts.signal?.aborted) return outcome('aborted', String(opts.signal.reason ?? 'aborted'));
        if (opts.maxSteps !== undefined && c.steps - stepsAtStart >= opts.maxSteps)
          return outcome('stopped', `maxSteps = ${opts.maxSteps} reached`);
        const target = nextLanding(c.t, opts.tEnd, opts.landAt),
          remaining = target - c.t;
        // Land exactly on the target, without a round-off-sized extra step. A remaining time within
        // round-off of dt is stepped with dt itself: the stepper's tables for dt are reused, where a
        // step of (t + dt) − t would tabulate new ETD coefficients at every landing (100 ms at 512²).
        const lands = remaining <= c.dt * (1 + 1e-9),
          h = lands && Math.abs(remaining - c.dt) > c.dt * 1e-9 ? remaining : c.dt;
        let accepted = true;
        let nextDt = c.dt;
        if (ad) {
          // Step doubling: one step of h vs two of h/2; keep the finer result.
          await stepper.step(c.t, h, this.u, this.full, pause);
          await stepper.step(c.t, h / 2, this.u, this.half, pause);
          await stepper.step(c.t + h / 2, h / 2, this.half, this.cand, pause);
          let err = 0;
          for (let i = 0; i < this.solutionFields; i++) {
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
            if (c.dt < dtMin)
              return outcome(
                'step-too-small',
                `step size fell below dtMin = ${dtMin} to meet rtol = ${rtol}, atol = ${atol} (max density ${lastMax.toPrecision(6)}); loosen the tolerances or lower dtMin`,
              );
            continue;
          }
        } else {
          await stepper.step(c.t, h, this.u, this.cand, pause);
        }
        await pause(); // the monitor transforms the candidate: on big grids, a turn of the event loop first
        const m = monitor.check(this.cand);
        if (!m.finite) {
          if (ad) {
            c.rejected++;
            c.dt = h / 4;
            if (c.dt < dtMin)
              return outcome(
                'step-too-small',
                `non-finite values even at steps below dtMin = ${dtMin} (max density ${lastMax.toPrecision(6)} at t = ${c.t.toPrecision(6)})`,
              );
            continue;
          }
          const stable = monitor.stableStep?.(this.u);
          const hint =
            stable !== undefined && Number.isFinite(stable)
              ? `; a step below ${stable.toPrecision(2)} (the drift's CFL limit at the last good state) should be stable`
              : '';
          return outcome(
            'unstable',
            `non-finite values at t = ${(c.t + h).toPrecision(6)} with the fixed step ${h}: the explicit part went unstable (last good state: t = ${c.t.toPrecision(6)}, max density ${lastMax.toPrecision(6)})${hint}, or use adaptive steps`,
          );
        }
        const why = unresolved(m);
        if (why !== null) {
          if (action === 'stop')
            return outcome('under-resolved', `at t = ${(c.t + h).toPrecision(6)}: ${why}`);
          warning ??= `under-resolved from t = ${(c.t + h).toPrecision(6)}: ${why}`;
        }
        // Accept by swapping the fields (no copy): u and cand keep their array identity, not their fields.
        for (let i = 0; i < C; i++) [this.u[i], this.cand[i]] = [this.cand[i], this.u[i]];
        c.t = lands ? target : c.t + h;
        c.steps++;
        c.dt = nextDt;
        lastMax = m.max;
        if (m.max >= maxDensity) {
          // 'blow-up' is reserved for a resolved state: growth of an unresolved one is the scheme's, not the solution's.
          if (why !== null)
            return outcome(
              'under-resolved',
              `max density ${m.max.toPrecision(6)} exceeded maxDensity = ${maxDensity} in a state that is not resolved (${why})`,
            );
          return outcome(
            'blow-up',
            `max density ${m.max.toPrecision(6)} exceeded maxDensity = ${maxDensity}`,
          );
        }
        if (hook(c.t, h, c.steps) === 'stop') return outcome('stopped', 'stopped by an observer');
      }
    } catch (e) {
      // An abort between a long step's stages: the state is the one before the step.
      if (e instanceof StepInterrupted)
        return outcome(
          'aborted',
          `${String(opts.signal?.reason ?? 'aborted')} (during a step; the state is the one before it)`,
        );
      throw e;
    }
    return outcome('done');
  }
}
