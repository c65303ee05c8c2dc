// The fractional Keller–Segel family (SCIENCE.md §3):
//   ∂t ρ = −Dρ (−Δ)^{α/2} ρ − ∇·(ρ χ(S) Q(∇S)) + Γ(ρ, S)
//   parabolic: ∂t S = DS ΔS − μ S + G(ρ, S), G = βρ by default;  elliptic: −DS ΔS + μ S = βρ.
// The model states the stiff linear symbols and the nonlinear term; EtdStepper integrates them.
import type { Backend, Field, ScopedBackend } from '../backend/index.js';
import { ModelGuard } from './guard.js';
import type { Model } from './model.js';
import { checkFlux, checkGrowth, type Flux, type Growth } from '../laws.js';
import {
  MemoryLimitError,
  NumericalError,
  ValidationError,
  checkAlpha,
  checkFinite,
  checkKeys,
  checkNumber,
} from '../errors.js';
import { canonical, differences, digest } from '../io/identity.js';
import { Grid, type GridOptions } from '../grid.js';
import { EtdStepper, type Scheme, type StiffProblem } from '../integrate/etd.js';
import { StrangStepper } from '../integrate/strang.js';
import { FiniteVolume, POSITIVITY_LIMIT, type DriftLaws } from './finite-volume.js';
import {
  Integrator,
  checkClock,
  type Pause,
  type RunOptions,
  type RunOutcome,
  type ClockState,
} from '../integrate/run.js';
import { sampleInitial, type InitialData } from './initial.js';

export type Chemical =
  | { type: 'parabolic'; D: number; beta?: number; mu?: number; G?: (rho: number, S: number) => number }
  | { type: 'elliptic'; D?: number; beta?: number; mu?: number };

/** χ: a constant, a dim×dim matrix (anisotropic), the receptor law χ0/(1+S/K)², or a function of S. */
export type Sensitivity =
  number | number[][] | { type: 'receptor'; chi0: number; K: number } | ((S: number) => number);

export type { Growth, Flux } from '../laws.js';

export interface KellerSegelOptions {
  grid: GridOptions;
  /** Order of the fractional Laplacian, 0 < α ≤ 2 (α = 2: classical). Give alpha or gamma. */
  alpha?: number;
  /** Kinetic tail exponent 0 < γ < 1; α = γ + 1. */
  gamma?: number;
  /** Dρ > 0 (default 1). */
  diffusion?: number;
  chemical: Chemical;
  chi: Sensitivity;
  growth?: Growth;
  flux?: Flux;
  initial: { rho: InitialData; S?: InitialData };
  /**
   * 'finite-volume' (default): positivity-preserving and mass-conserving (exact semigroup of the
   * discrete fractional Laplacian, minmod upwind drift, Strang splitting; second order), right for
   * aggregation. 'spectral': Fourier pseudo-spectral with ETDRK2/4, spectrally accurate for smooth
   * solutions; a state it no longer resolves ends the run as 'under-resolved'.
   */
  discretisation?: Discretisation;
  /** Finite volumes: drift substeps keep dt Σ_d max|u_d|/h_d ≤ cfl, in (0, 0.5] (default 0.4). */
  cfl?: number;
}

export type Discretisation = 'spectral' | 'finite-volume';
export const DISCRETISATIONS: readonly Discretisation[] = ['finite-volume', 'spectral'];

export interface Diagnostics {
  t: number;
  dt: number;
  step: number;
  /** ∫ρ dx */
  mass: number;
  minRho: number;
  maxRho: number;
  /** Dρ∫ρ log ρ − (χ/2)∫ρS (parabolic–elliptic, scalar χ, linear flux, no growth); else undefined. */
  energy?: number;
}

export type Observer = (d: Diagnostics, model: KellerSegel) => void | 'stop';

export interface SolveOptions extends RunOptions {
  observers?: Observer[];
  /** Default blow-up threshold: 1e3 × the initial max ρ. */
  maxDensity?: number;
}

export interface SolveResult extends RunOutcome {
  /** Diagnostics at the start and after every accepted step. */
  diagnostics: Diagnostics[];
}

export interface KellerSegelCheckpoint {
  kind: 'keller-segel';
  /** The options of the model that wrote it (canonical form; initial data by digest): restore refuses another model's. */
  identity?: unknown;
  /** Absent in checkpoints written before finite volumes existed (they are spectral). */
  discretisation?: Discretisation;
  clock: ClockState;
  /** The spectral state (ρ̂ and, when parabolic, Ŝ). */
  state: Float64Array[];
}

/** Options with every default filled and every range checked (the models read only this). */
export interface ResolvedKellerSegel {
  discretisation: Discretisation;
  cfl: number;
  alpha: number;
  D: number;
  chemical: {
    type: 'parabolic' | 'elliptic';
    D: number;
    beta: number;
    mu: number;
    G?: (rho: number, S: number) => number;
  };
  chiMatrix: number[] | null;
  chiReceptor: { chi0: number; K: number } | null;
  chiFunction: ((S: number) => number) | null;
  growth: Growth;
  flux: Flux;
}

/** Validates the options object; every error names the field path and the accepted range. */
export function resolveKellerSegel(o: KellerSegelOptions, dim: number): ResolvedKellerSegel {
  if (!o || typeof o !== 'object') throw new ValidationError('options', o, 'an options object');
  checkKeys(
    o,
    [
      'grid',
      'alpha',
      'gamma',
      'diffusion',
      'chemical',
      'chi',
      'growth',
      'flux',
      'initial',
      'discretisation',
      'cfl',
    ],
    '',
  );
  if (o.chemical && typeof o.chemical === 'object')
    checkKeys(
      o.chemical,
      o.chemical.type === 'parabolic' ? ['type', 'D', 'beta', 'mu', 'G'] : ['type', 'D', 'beta', 'mu'],
      'chemical',
    );
  if (o.initial && typeof o.initial === 'object') checkKeys(o.initial, ['rho', 'S'], 'initial');
  if ((o.alpha === undefined) === (o.gamma === undefined))
    throw new ValidationError(
      'alpha/gamma',
      { alpha: o.alpha, gamma: o.gamma },
      'exactly one of alpha in (0, 2] or gamma in (0, 1)',
    );
  const alpha =
    o.alpha !== undefined
      ? checkAlpha('alpha', o.alpha)
      : checkNumber('gamma', o.gamma, 0, 1, { loOpen: true, hiOpen: true }) + 1;
  const D = checkNumber('diffusion', o.diffusion ?? 1, 0, Infinity, { loOpen: true, hiOpen: true });
  const c = o.chemical as Chemical | undefined;
  if (!c || (c.type !== 'parabolic' && c.type !== 'elliptic'))
    throw new ValidationError(
      'chemical.type',
      (c as { type?: unknown } | undefined)?.type,
      "'parabolic' or 'elliptic'",
    );
  const chemical = {
    type: c.type,
    D: checkNumber('chemical.D', c.D ?? 1, 0, Infinity, { loOpen: true, hiOpen: true }),
    beta: checkNumber('chemical.beta', c.beta ?? 1, -Infinity, Infinity),
    mu: checkNumber('chemical.mu', c.mu ?? 0, 0, Infinity, { hiOpen: true }),
    G: c.type === 'parabolic' ? c.G : undefined,
  };
  if (chemical.G !== undefined && typeof chemical.G !== 'function')
    throw new ValidationError('chemical.G', chemical.G, 'a function (rho, S) => number');
  let chiMatrix: number[] | null = null,
    chiReceptor: ResolvedKellerSegel['chiReceptor'] = null,
    chiFunction: ResolvedKellerSegel['chiFunction'] = null;
  const chi = o.chi;
  if (typeof chi === 'number') {
    checkNumber('chi', chi, -Infinity, Infinity);
    chiMatrix = Array.from({ length: dim * dim }, (_, i) => (i % (dim + 1) === 0 ? chi : 0));
  } else if (Array.isArray(chi)) {
    if (chi.length !== dim || !chi.every((r) => Array.isArray(r) && r.length === dim))
      throw new ValidationError('chi', chi, `a ${dim}×${dim} matrix (array of ${dim} rows)`);
    chiMatrix = chi.flatMap((r, i) =>
      r.map((v, j) => checkNumber(`chi[${i}][${j}]`, v, -Infinity, Infinity)),
    );
  } else if (typeof chi === 'function') {
    chiFunction = chi;
  } else if (chi && typeof chi === 'object' && chi.type === 'receptor') {
    chiReceptor = {
      chi0: checkNumber('chi.chi0', chi.chi0, -Infinity, Infinity),
      K: checkNumber('chi.K', chi.K, 0, Infinity, { loOpen: true, hiOpen: true }),
    };
  } else
    throw new ValidationError(
      'chi',
      chi,
      "a number, a dim×dim matrix, {type: 'receptor', chi0, K} or a function of S",
    );
  const discretisation = o.discretisation ?? 'finite-volume';
  if (!DISCRETISATIONS.includes(discretisation))
    throw new ValidationError('discretisation', discretisation, "'finite-volume' or 'spectral'");
  const cfl = checkNumber('cfl', o.cfl ?? 0.4, 0, POSITIVITY_LIMIT, { loOpen: true });
  if (o.cfl !== undefined && discretisation !== 'finite-volume')
    throw new ValidationError('cfl', o.cfl, "nothing: cfl applies to discretisation 'finite-volume' only");
  return {
    discretisation,
    cfl,
    alpha,
    D,
    chemical,
    chiMatrix,
    chiReceptor,
    chiFunction,
    growth: checkGrowth(o.growth),
    flux: checkFlux(o.flux),
  };
}

export class KellerSegel implements StiffProblem, Model {
  readonly grid: Grid;
  readonly backend: ScopedBackend;
  readonly params: ResolvedKellerSegel;
  private readonly guard = new ModelGuard();
  /** Canonical options (initial data by digest): what this model's checkpoints belong to. */
  private readonly identity: unknown;
  readonly linear: Float64Array[];
  /** Spectral: [ρ̂] (elliptic) or [ρ̂, Ŝ] (parabolic); finite volumes: [ρ] or [ρ, S] cell averages. */
  readonly state: Field[];
  /** The finite-volume discretisation (null when spectral). */
  private readonly fv: FiniteVolume | null;
  private readonly integrator: Integrator;
  // Work fields, allocated once.
  private readonly w: Field;
  private readonly sHat: Field;
  private readonly rho: Field;
  private readonly S: Field;
  private readonly tmp: Field;
  /** ∇S per axis, overwritten in place by the flux ρχQ(∇S) (driftFlux reads a point's gradient before writing it). */
  private readonly grad: Field;
  /** Per-axis views into grad and flux (made once: a step allocates nothing). */
  private readonly gradAxes: Field[];
  private readonly chi: Field;
  private readonly chiField: Field | null;
  private readonly stats = new Float64Array(4);

  constructor(backend: Backend, options: KellerSegelOptions) {
    if (!options || typeof options !== 'object')
      throw new ValidationError('options', options, 'an options object');
    // Every field of the model comes from its own scope, so dispose() (or a refused option) frees them all.
    const be = (this.backend = backend.scope());
    try {
      this.grid = new Grid(be, options.grid ?? ({} as GridOptions));
      const g = this.grid,
        dim = g.dim;
      this.params = resolveKellerSegel(options, dim);
      this.identity = canonical({
        ...options,
        discretisation: this.params.discretisation,
        initial: digest(options.initial),
      });
      const p = this.params;
      const fv = p.discretisation === 'finite-volume';
      // Memory before anything large is allocated: keep two step sizes' ETD tables where they fit, else one.
      const available = be.memoryAvailable();
      const tables = KellerSegel.memoryEstimate(options, 'adaptive', 2).bytes <= available ? 2 : 1;
      const need = KellerSegel.memoryEstimate(options, 'fixed', tables);
      if (need.bytes > available) {
        throw new MemoryLimitError(
          need.bytes,
          available,
          `a Keller–Segel model on ${g.shape.slice(0, dim).join('×')} (${p.discretisation}, ${p.chemical.type}; ${need.perPoint.toFixed(0)} doubles per grid point)`,
        );
      }
      // Stiff symbols (spectral): ρ: −Dρ|k|^α ; S: −DS|k|² − μ.
      this.linear = [];
      if (!fv) {
        const kAlpha = be.alloc(g.nModes),
          k2 = be.alloc(g.nModes);
        be.modeNorm(kAlpha, g, p.alpha);
        be.modeNorm(k2, g, 2);
        this.linear.push(kAlpha.data.map((v) => -p.D * v));
        if (p.chemical.type === 'parabolic')
          this.linear.push(k2.data.map((v) => -p.chemical.D * v - p.chemical.mu));
        be.release(kAlpha);
        be.release(k2);
      }
      // Work fields of the spectral nonlinear term; finite volumes keep theirs in FiniteVolume.
      const spectral = (length: number) => be.alloc(fv ? 0 : length);
      const sources = p.growth.type !== 'none' || p.chemical.G !== undefined; // tmp holds Γ or G
      this.w = spectral(2 * g.nModes);
      this.sHat = spectral(p.chemical.type === 'elliptic' ? 2 * g.nModes : 0);
      this.rho = g.realField();
      this.S = g.realField();
      this.tmp = spectral(sources ? g.nReal : 0);
      this.grad = spectral(dim * g.nReal);
      this.gradAxes = fv ? [] : Array.from({ length: dim }, (_, j) => this.grad.slice(j * g.nReal, g.nReal));
      this.chi = p.chiMatrix
        ? be.fromArray('chi', p.chiMatrix)
        : be.fromArray(
            'chi',
            Array.from({ length: dim * dim }, (_, i) => (i % (dim + 1) === 0 ? 1 : 0)),
          );
      this.chiField = p.chiMatrix || fv ? null : g.realField();
      this.fv = fv ? new FiniteVolume(g, p, this.chi, this.driftLaws(), p.cfl) : null;
      // Initial data: sampled at the cell centres' nodes; spectral states hold their transforms.
      if (!options.initial || options.initial.rho === undefined)
        throw new ValidationError('initial.rho', options.initial?.rho, 'initial cell density data');
      if (p.chemical.type === 'elliptic' && options.initial.S !== undefined)
        throw new ValidationError(
          'initial.S',
          options.initial.S,
          'nothing: an elliptic chemical is determined by ρ',
        );
      const initial = [sampleInitial(g, options.initial.rho, 'initial.rho')];
      if (p.chemical.type === 'parabolic')
        initial.push(sampleInitial(g, options.initial.S ?? 0, 'initial.S'));
      this.state = initial.map((values, i) => {
        const real = be.fromArray(i === 0 ? 'initial.rho' : 'initial.S', values);
        if (fv) return real;
        const spec = g.spectralField();
        be.rfft(g.shape, real, spec);
        be.release(real);
        return spec;
      });
      this.integrator = fv
        ? new Integrator(be, this.state, ['strang'], () => new StrangStepper(this.fv!, this.state))
        : new Integrator(
            be,
            this.state,
            ['etdrk4', 'etdrk2'],
            (scheme) => new EtdStepper(this, scheme as Scheme, tables),
          );
      // S is derived from ρ; parameters that overflow it (μ = 5e-324 with a mean density) are refused here.
      if (!this.signal().every(Number.isFinite))
        throw new ValidationError(
          'chemical',
          { beta: p.chemical.beta, mu: p.chemical.mu, D: p.chemical.D },
          'parameters for which the initial chemical S is finite (β ρ̄ / μ overflows)',
        );
    } catch (e) {
      be.dispose();
      throw e;
    }
  }

  /**
   * Backend memory a configuration needs at its peak, before anything is allocated: the fields of
   * the model, its stepper and the per-step-size coefficient tables (2 step sizes for fixed steps,
   * the cache's 4 when adaptive). Counted from the allocations in this file, etd.ts, strang.ts and
   * finite-volume.ts; test/memory.test.ts holds it to within 5 % of the measured arena growth.
   */
  static memoryEstimate(
    options: KellerSegelOptions,
    steps: 'fixed' | 'adaptive' = 'fixed',
    tables = 2,
  ): { bytes: number; perPoint: number } {
    const n = options?.grid?.n ?? [];
    const shape = [n[0] ?? 2, n[1] ?? 1, n[2] ?? 1],
      dim = Math.max(1, n.length);
    const R = shape[0] * shape[1] * shape[2],
      N = (shape[0] / 2 + 1) * shape[1] * shape[2],
      M = 2 * N;
    const C = options?.chemical?.type === 'parabolic' ? 2 : 1;
    const X = typeof options?.chi === 'number' || Array.isArray(options?.chi) ? 0 : 1;
    const E = C === 1 ? 1 : 0,
      T =
        (options?.growth?.type ?? 'none') !== 'none' ||
        (options?.chemical as { G?: unknown })?.G !== undefined
          ? 1
          : 0;
    const states = steps === 'adaptive' ? 3 : 1; // the candidate, and step doubling's two
    let doubles: number;
    if ((options?.discretisation ?? 'finite-volume') === 'finite-volume') {
      // Model (ρ, S views, state, integrator, Strang ×2), FiniteVolume (2 spectral, 6 + dim + χ real),
      // linear-flow tables (e^{haρ}, and e^{haS} and the coupling when parabolic), the FFT scratch.
      doubles = 2 * R + C * R * (1 + states + 2) + 2 * M + (6 + dim + X) * R + 2 * N * (C === 2 ? 3 : 1) + M;
    } else {
      // Model work (w, and Ŝ when elliptic; ρ, S, ∇S, χ, and Γ/G when growing), state, integrator, 4 ETD stage buffers, ETDRK4
      // tables (6 per component and step size, the first reusing the symbols' 2N), the FFT scratch.
      doubles =
        (1 + E) * M +
        (2 + T + dim + X) * R +
        C * M * (1 + states + 4) +
        tables * C * 6 * N -
        2 * N +
        M +
        2 * R;
    }
    doubles += 4 * (shape[0] + shape[1] + shape[2]) + 3 * (shape[0] / 2 + 1 + shape[1] + shape[2]); // FFT plans and scratch, wavenumber tables
    return { bytes: 8 * doubles, perPoint: doubles / R };
  }

  /** Gives the model's memory back to its backend; the model cannot be used afterwards. */
  dispose(): void {
    if (this.guard.dispose()) this.backend.dispose();
  }

  /** Simulated time of the current state. */
  get time(): number {
    return this.integrator.clock.t;
  }
  /** Accepted steps so far. */
  get steps(): number {
    return this.integrator.clock.steps;
  }

  /** Ŝ of a state into this.sHat (elliptic: β ρ̂ / (DS|k|² + μ)); returns the field holding Ŝ. */
  private chemicalSpectrum(u: readonly Field[]): Field {
    const c = this.params.chemical;
    if (c.type === 'parabolic') return u[1];
    this.backend.copy(this.sHat, u[0]);
    this.backend.resolvent(this.sHat, this.grid, c.mu / c.D);
    this.backend.scale(this.sHat, c.beta / c.D);
    return this.sHat;
  }

  private toReal(spec: Field, out: Field): void {
    this.backend.copy(this.w, spec);
    this.backend.irfft(this.grid.shape, this.w, out);
  }

  /** ρ(x) of a state into out. */
  private densityOf(u: readonly Field[], out: Field): void {
    if (this.fv) this.backend.copy(out, u[0]);
    else this.toReal(u[0], out);
  }

  /** S(x) of a state into out. */
  private signalOf(u: readonly Field[], out: Field): void {
    if (this.fv) this.fv.signal(u, out);
    else this.toReal(this.chemicalSpectrum(u), out);
  }

  /** The user laws as the finite-volume drift calls them (the same evaluation as the spectral path). */
  private driftLaws(): DriftLaws {
    const p = this.params;
    const sensitivity = p.chiReceptor
      ? (S: Field, out: Field) => this.backend.receptorChi(S, out, p.chiReceptor!.chi0, p.chiReceptor!.K)
      : p.chiFunction
        ? (S: Field, out: Field, t: number) =>
            this.evaluate(out, S, (i, s) => p.chiFunction!(s[i]), 'chi(S)', t)
        : null;
    const G = p.chemical.G;
    const chemicalSource = G
      ? (rho: Field, S: Field, out: Field, t: number) => {
          const r = rho.data;
          this.evaluate(out, S, (i, s) => G(r[i], s[i]), 'chemical.G(rho, S)', t);
        }
      : null;
    return { sensitivity, chemicalSource };
  }

  async nonlinear(t: number, u: readonly Field[], out: readonly Field[], pause?: Pause): Promise<void> {
    const be = this.backend,
      g = this.grid,
      p = this.params,
      w = this.w;
    this.toReal(u[0], this.rho);
    const sHat = this.chemicalSpectrum(u);
    const needS = this.chiField !== null || p.chemical.G !== undefined;
    if (needS) this.toReal(sHat, this.S);
    for (let j = 0; j < g.dim; j++) {
      await pause?.();
      be.gradient(sHat, w, g, j as 0 | 1 | 2);
      be.irfft(g.shape, w, this.gradAxes[j]);
    }
    if (p.chiReceptor) be.receptorChi(this.S, this.chiField!, p.chiReceptor.chi0, p.chiReceptor.K);
    else if (p.chiFunction)
      this.evaluate(this.chiField!, this.S, (i, s) => p.chiFunction!(s[i]), 'chi(S)', t);
    be.driftFlux(
      this.rho,
      this.grad,
      this.grad,
      g.dim,
      this.chi,
      this.chiField,
      p.flux.type === 'limited',
      p.flux.type === 'limited' ? p.flux.ystar : 0,
    );
    // N_ρ = −∇·F + Γ
    out[0].data.fill(0);
    for (let j = 0; j < g.dim; j++) {
      await pause?.();
      be.rfft(g.shape, this.gradAxes[j], w);
      be.gradient(w, w, g, j as 0 | 1 | 2);
      be.axpy(out[0], -1, w);
    }
    const gr = p.growth;
    if (gr.type !== 'none') {
      if (gr.type === 'logistic') be.growth(this.rho, this.tmp, gr.r, -gr.r, 0);
      else be.growth(this.rho, this.tmp, gr.a0, gr.a1, gr.a2 * u[0].data[0] * g.cellVolume);
      be.rfft(g.shape, this.tmp, w);
      be.axpy(out[0], 1, w);
    }
    be.dealias(out[0], g);
    if (p.chemical.type === 'parabolic') {
      const G = p.chemical.G;
      if (G) {
        const rho = this.rho.data;
        this.evaluate(this.tmp, this.S, (i, s) => G(rho[i], s[i]), 'chemical.G(rho, S)', t);
        be.rfft(g.shape, this.tmp, out[1]);
        be.dealias(out[1], g);
      } else {
        be.copy(out[1], u[0]);
        be.scale(out[1], p.chemical.beta);
      }
    }
  }

  /** Fills `out` with a user function of the local state; NaN/Inf stops with the function named. */
  private evaluate(
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

  /** Cell density ρ(x) of the current state (a copy, x fastest). */
  density(): Float64Array {
    this.densityOf(this.state, this.rho);
    return this.rho.data.slice();
  }

  /** Chemical S(x) of the current state (a copy). */
  signal(): Float64Array {
    this.signalOf(this.state, this.S);
    return this.S.data.slice();
  }

  /** Mass, min/max ρ and (where defined) the free energy of the current state. */
  diagnostics(dt = 0): Diagnostics {
    this.densityOf(this.state, this.rho);
    this.backend.stats(this.rho, this.stats);
    return this.diagnosticsOfRho(dt);
  }

  /** Diagnostics from this.rho / this.stats, which must hold ρ of the current state. */
  private diagnosticsOfRho(dt: number): Diagnostics {
    const be = this.backend,
      g = this.grid,
      p = this.params;
    const d: Diagnostics = {
      t: this.time,
      dt,
      step: this.integrator.clock.steps,
      mass: (this.fv ? this.stats[0] : this.state[0].data[0]) * g.cellVolume,
      minRho: this.stats[1],
      maxRho: this.stats[2],
    };
    if (
      p.chemical.type === 'elliptic' &&
      p.chiMatrix &&
      p.flux.type === 'linear' &&
      p.growth.type === 'none' &&
      p.chiMatrix.every((v, i) => v === (i % (g.dim + 1) === 0 ? p.chiMatrix![0] : 0))
    ) {
      this.signalOf(this.state, this.S);
      d.energy =
        g.cellVolume * (p.D * be.entropySum(this.rho) - 0.5 * p.chiMatrix[0] * be.dot(this.rho, this.S));
    }
    return d;
  }

  /** Advances to opts.tEnd (resuming from the current time); see RunOptions for the controls. */
  async solve(opts: SolveOptions): Promise<SolveResult> {
    return this.guard.solving(() => this.run(opts));
  }

  private async run(opts: SolveOptions): Promise<SolveResult> {
    const observers = opts.observers ?? [];
    const diagnostics: Diagnostics[] = [];
    const first = this.diagnostics();
    diagnostics.push(first);
    for (const o of observers) o(first, this);
    const maxDensity = opts.maxDensity ?? (first.maxRho > 0 ? 1e3 * first.maxRho : Infinity);
    const monitor = {
      check: (u: readonly Field[]) => {
        this.densityOf(u, this.rho);
        this.backend.stats(this.rho, this.stats);
        let finite = this.stats[3] === 0;
        for (let i = 1; i < u.length && finite; i++) finite = Number.isFinite(this.backend.sumSquares(u[i]));
        return { min: this.stats[1], max: this.stats[2], finite };
      },
      stableStep: (u: readonly Field[]) => this.stableStep(u),
    };
    const outcome = await this.integrator.run({ ...opts, maxDensity }, monitor, (_t, dt) => {
      // The monitor has just transformed the accepted state into this.rho: no second transform.
      const d = this.diagnosticsOfRho(dt);
      diagnostics.push(d);
      let stop = false;
      for (const o of observers) if (o(d, this) === 'stop') stop = true;
      return stop ? 'stop' : undefined;
    });
    return { ...outcome, diagnostics };
  }

  /**
   * A drift CFL estimate from state u: 1 / Σ_d max|c χ Q(∇S)|_d / h_d. Explicit schemes are stable
   * near it (finite volumes take substeps of it themselves).
   */
  private stableStep(u: readonly Field[]): number {
    if (this.fv) return POSITIVITY_LIMIT / this.fv.driftRate(u, this.time);
    const be = this.backend,
      g = this.grid,
      p = this.params,
      sHat = this.chemicalSpectrum(u);
    const chi = p.chiMatrix
      ? Math.max(...p.chiMatrix.map(Math.abs)) * g.dim
      : p.chiReceptor
        ? Math.abs(p.chiReceptor.chi0)
        : NaN;
    let rate = 0;
    for (let d = 0; d < g.dim; d++) {
      be.gradient(sHat, this.w, g, d as 0 | 1 | 2);
      be.irfft(g.shape, this.w, this.gradAxes[d]);
      be.stats(this.gradAxes[d], this.stats);
      rate += (chi * Math.max(-this.stats[1], this.stats[2])) / g.spacing[d];
    }
    return 1 / rate;
  }

  /** Everything needed to continue this run bit for bit (see restore). */
  checkpoint(): KellerSegelCheckpoint {
    return {
      kind: 'keller-segel',
      discretisation: this.params.discretisation,
      identity: this.identity,
      clock: { ...this.integrator.clock },
      state: this.state.map((f) => f.data.slice()),
    };
  }

  /** Continues from a checkpoint of a model built with the same options. */
  restore(cp: KellerSegelCheckpoint): void {
    this.guard.check('restore()');
    if (cp?.kind !== 'keller-segel' || cp.state.length !== this.state.length)
      throw new ValidationError(
        'checkpoint',
        cp?.kind,
        `a keller-segel checkpoint with ${this.state.length} fields`,
      );
    if ((cp.discretisation ?? 'spectral') !== this.params.discretisation)
      throw new ValidationError(
        'checkpoint.discretisation',
        cp.discretisation ?? 'spectral',
        `'${this.params.discretisation}', the discretisation of this model`,
      );
    const differ =
      cp.identity === undefined ? ['(no identity recorded)'] : differences(cp.identity, this.identity);
    if (differ.length > 0)
      throw new ValidationError(
        'checkpoint',
        `a checkpoint of another model (differs in ${differ.join(', ')})`,
        'a checkpoint written by a model built with the same options',
      );
    const clock = checkClock(cp.clock, 'checkpoint.clock');
    cp.state.forEach((s, i) => {
      if (!(s instanceof Float64Array) || s.length !== this.state[i].length)
        throw new ValidationError(
          `checkpoint.state[${i}].length`,
          s?.length,
          `exactly ${this.state[i].length}`,
        );
      checkFinite(`checkpoint.state[${i}]`, s);
    });
    // Checked in full before anything is overwritten: a refused checkpoint leaves the model as it was.
    cp.state.forEach((s, i) => this.state[i].data.set(s));
    this.integrator.clock = clock;
  }
}
