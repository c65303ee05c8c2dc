// The kinetic model (APS) of SCIENCE.md §1 and the generalised collision operator of §4:
//   m(ε) ∂t f + ε v·∇x f = L0(f) + (m(ε)/ε) L1(S, f) + m(ε) R(f, S),   ∂t S = DS ΔS + βρ − μS
// with L0(f) = ν(v)(F ∫νf/∫νF − f): ν ≡ 1 is the relaxation ρF − f with m = ε^{1+γ};
// ν = ν0(1+|v|²)^{β/2} is the rank-one detailed-balance kernel with m = ε^r, r = 1 + γ/(1−β).
//
// Scheme (asymptotic preserving): Fourier in x; relaxation and transport implicit and solved
// exactly per Fourier mode (assembly/quadrature.ts), turning L1 and growth R explicit, then the
// chemical implicitly. 'euler' is IMEX backward Euler (first order); 'bdf2' is variable-step
// IMEX-BDF2 (second order). At fixed Δt, as ε → 0 the update of ρ tends to the same scheme for
// ∂tρ = −σ_ε(k)ρ − ∇·H + Γ, σ_ε → Dρ|k|^{γ+1}: uniformly stable in ε.
import type { Backend, Field, ScopedBackend, VelocitySet, VelocitySource } from '../../backend/index.js';
import { ModelGuard } from '../guard.js';
import type { Model } from '../model.js';
import { NumericalError, ValidationError, checkFinite, checkKeys, checkNumber } from '../../errors.js';
import { checkIdentity, modelIdentity } from '../../io/identity.js';
import { Grid, type GridOptions } from '../../grid.js';
import { VelocityGrid } from '../../velocity.js';
import {
  equilibriumSquare,
  fractionalDiffusion,
  generalisedDiffusion,
  generalisedOrder,
  sensitivityFromSeparable,
} from '../../coefficients.js';
import { nextLanding, yielder } from '../../integrate/run.js';
import { IMEX_SCHEMES, sbdf1, sbdf2 } from '../../integrate/imex.js';
import { sampleInitial } from '../initial.js';
import type { KellerSegelOptions } from '../keller-segel/model.js';
import { checkFlux, checkGrowth, inRange } from '../../laws.js';
import {
  kineticScale,
  type Collision,
  type KineticCheckpoint,
  type KineticDiagnostics,
  type KineticOptions,
  type KineticResult,
  type KineticSolveOptions,
} from './options.js';

export * from './options.js';

/** BDF2 history: f^{n−1}, S^{n−1}, the explicit sources R̂^{n−1} and P̂^{n−1}, the previous step. */
interface History {
  f: Field;
  fParts: Field[];
  S: Field | null;
  R: Field | null;
  RParts: Field[];
  P: Field[];
  Pstar: Field[];
  h: number;
  valid: boolean;
}

export class Kinetic implements Model {
  readonly grid: Grid;
  readonly velocity: VelocityGrid;
  readonly backend: ScopedBackend;
  readonly eps: number;
  private readonly guard = new ModelGuard();
  /** Canonical options (initial data by digest): what this model's checkpoints belong to. */
  private readonly identity: unknown;
  readonly scale: number;
  readonly collision: Collision;
  /** ν(v_j) of the collision operator (1 for relaxation). */
  readonly nu: Float64Array;
  t = 0;
  steps = 0;
  /** Simulated time (the same accessor as KellerSegel.time). */
  get time(): number {
    return this.t;
  }
  /** Velocity-major spectral state: Nv half spectra (swapped with the BDF2 history buffer each step). */
  f: Field;
  /** ρ̂ of the current state. */
  readonly rhoHat: Field;
  readonly SHat: Field | null;
  private readonly vset: VelocitySet;
  private readonly opts: KineticOptions;
  private readonly F2: number;
  private readonly turningCoef: Field[] = [];
  private readonly bWeights: Field | null = null;
  private readonly A: number[] = [];
  private readonly bValues: Float64Array | null = null;
  private readonly physical: boolean;
  private readonly w: Field;
  private readonly num: Field;
  private readonly spec: Field[];
  private readonly re: Field;
  private readonly re2: Field;
  private readonly S: Field;
  private readonly psi: Field;
  private readonly source: Field;
  private readonly grad: Field;
  private readonly flux: Field;
  private readonly ones: Field;
  private readonly chiId: Field;
  private readonly stats = new Float64Array(4);
  /** Views made once (a step allocates nothing): f per velocity, grad/flux per axis. */
  private fParts: Field[];
  private readonly gradAxes: Field[];
  private readonly fluxAxes: Field[];
  private cached: { dt: number; a0: number; dinv: Field; chem: Field | null; turning: Field[] } | null = null;
  private readonly history: History | null;
  /** Buffers of the last good state (see keep()), allocated on the first step. */
  private spare: Field[] | null = null;

  constructor(backend: Backend, options: KineticOptions) {
    if (!options || typeof options !== 'object')
      throw new ValidationError('options', options, 'an options object');
    checkKeys(
      options,
      [
        'grid',
        'gamma',
        'eps',
        'velocity',
        'collision',
        'chemical',
        'turning',
        'growth',
        'initial',
        'tailTolerance',
        'scheme',
      ],
      '',
    );
    // Every field of the model comes from its own scope, so dispose() (or a refused option) frees them all.
    const be = (this.backend = backend.scope());
    try {
      this.opts = options;
      this.identity = modelIdentity(options);
      this.grid = new Grid(be, options.grid ?? ({} as GridOptions));
      const g = this.grid,
        dim = g.dim;
      if (dim > 2)
        throw new ValidationError(
          'grid.n',
          options.grid.n,
          'a 1-D or 2-D grid (velocities have the dimension of x)',
        );
      this.eps = inRange('eps', options.eps);
      this.velocity = new VelocityGrid({
        ...(options.velocity ?? {}),
        dim: dim as 1 | 2,
        gamma: options.gamma,
      });
      const V = this.velocity;
      this.collision = options.collision ?? { type: 'relaxation' };
      const col = this.collision;
      if (col.type === 'generalised') {
        generalisedOrder(V.gamma, col.beta);
        inRange('collision.nu0', col.nu0);
      } else if (col.type !== 'relaxation')
        throw new ValidationError(
          'collision.type',
          (col as { type: unknown }).type,
          "'relaxation' or 'generalised'",
        );
      this.scale = kineticScale(V.gamma, this.eps, col);
      this.nu =
        col.type === 'relaxation'
          ? new Float64Array(V.size).fill(1)
          : V.speed.map((s) => (col.nu0 ?? 1) * Math.pow(1 + s * s, col.beta / 2));
      this.checkResolution(options.tailTolerance ?? 1e-6);
      this.vset = {
        size: V.size,
        vx: be.fromArray('velocity.vx', V.vx),
        vy: be.fromArray('velocity.vy', V.vy),
        w: be.fromArray('velocity.weights', V.weights),
        nu: be.fromArray('collision.nu', this.nu),
        F: be.fromArray('velocity.F', V.F),
      };
      this.F2 = equilibriumSquare(V);
      // Turning: φ = a(v) b(v') c(S) needs a chemical.
      const tr = options.turning;
      if (tr) {
        if (!options.chemical)
          throw new ValidationError(
            'turning',
            'a turning kernel',
            'a chemical field to turn on (set options.chemical)',
          );
        if (typeof tr.kernel?.a !== 'function')
          throw new ValidationError('turning.kernel.a', tr.kernel?.a, 'a function v => [a_1(v), …, a_N(v)]');
        const aVals = Array.from({ length: dim }, () => new Float64Array(V.size));
        const bVals = new Float64Array(V.size);
        this.A = new Array<number>(dim).fill(0);
        for (let j = 0; j < V.size; j++) {
          const v = dim === 1 ? [V.vx[j]] : [V.vx[j], V.vy[j]];
          const a = tr.kernel.a(v),
            b = tr.kernel.b ? tr.kernel.b(v) : 1;
          for (let d = 0; d < dim; d++) {
            if (!Number.isFinite(a[d]))
              throw new ValidationError(`turning.kernel.a(${v})[${d}]`, a[d], 'a finite number');
            aVals[d][j] = a[d];
            this.A[d] += V.weights[j] * a[d];
          }
          if (!Number.isFinite(b)) throw new ValidationError(`turning.kernel.b(${v})`, b, 'a finite number');
          bVals[j] = b;
        }
        this.turningCoef = aVals.map((a, d) => be.fromArray(`turning.a[${d}]`, a));
        this.bWeights = be.fromArray(
          'turning.b',
          bVals.map((b, j) => b * V.weights[j]),
        );
        this.bValues = bVals;
        checkFlux(tr.flux, 'turning.flux');
      }
      const gr = checkGrowth(options.growth);
      // Per-velocity physical-space work is needed for R and for the ∫a ≠ 0 part of the turning operator.
      this.physical = gr.type !== 'none' || this.A.some((a) => Math.abs(a) > 1e-12);
      if (options.chemical) {
        if (options.chemical.D === undefined)
          throw new ValidationError('chemical.D', undefined, 'a value (required for the kinetic model)');
        inRange('chemical.D', options.chemical.D);
        inRange('chemical.beta', options.chemical.beta);
        inRange('chemical.mu', options.chemical.mu);
      }
      // Work fields.
      this.w = g.spectralField();
      this.num = g.spectralField();
      this.spec = [g.spectralField(), g.spectralField()];
      this.re = g.realField();
      this.re2 = g.realField();
      this.S = g.realField();
      this.psi = g.realField();
      this.source = g.realField();
      this.grad = be.alloc(dim * g.nReal);
      this.flux = be.alloc(dim * g.nReal);
      this.gradAxes = Array.from({ length: dim }, (_, d) => this.grad.slice(d * g.nReal, g.nReal));
      this.fluxAxes = Array.from({ length: dim }, (_, d) => this.flux.slice(d * g.nReal, g.nReal));
      this.ones = be.fromArray('ones', new Float64Array(g.nReal).fill(1));
      this.chiId = be.fromArray('identity', dim === 1 ? [1] : [1, 0, 0, 1]);
      // Initial state f0 = ρ0(x) F(v).
      if (!options.initial || options.initial.rho === undefined)
        throw new ValidationError('initial.rho', options.initial?.rho, 'initial cell density data');
      const rho0 = be.fromArray('initial.rho', sampleInitial(g, options.initial.rho, 'initial.rho'));
      this.rhoHat = g.spectralField();
      be.rfft(g.shape, rho0, this.rhoHat);
      this.f = be.alloc(V.size * 2 * g.nModes);
      const parts = (x: Field) =>
        Array.from({ length: V.size }, (_, j) => x.slice(j * 2 * g.nModes, 2 * g.nModes));
      this.fParts = parts(this.f);
      const scheme = options.scheme ?? 'euler';
      if (!(scheme in IMEX_SCHEMES)) throw new ValidationError('scheme', scheme, "'euler' or 'bdf2'");
      this.history = null;
      if (scheme === 'bdf2') {
        const f = be.alloc(this.f.length),
          R = this.physical ? be.alloc(this.f.length) : null;
        this.history = {
          f,
          fParts: parts(f),
          S: options.chemical ? g.spectralField() : null,
          R,
          RParts: R ? parts(R) : [],
          P: this.turningCoef.map(() => g.spectralField()),
          Pstar: this.turningCoef.map(() => g.spectralField()),
          h: NaN,
          valid: false,
        };
      }
      const fd = this.f.data,
        r0 = this.rhoHat.data,
        L = 2 * g.nModes;
      for (let j = 0; j < V.size; j++) for (let i = 0; i < L; i++) fd[j * L + i] = V.F[j] * r0[i];
      if (options.chemical) {
        const s0 = be.fromArray('initial.S', sampleInitial(g, options.initial.S ?? 0, 'initial.S'));
        this.SHat = g.spectralField();
        be.rfft(g.shape, s0, this.SHat);
      } else {
        if (options.initial.S !== undefined)
          throw new ValidationError('initial.S', options.initial.S, 'nothing (no chemical is set)');
        this.SHat = null;
      }
    } catch (e) {
      be.dispose();
      throw e;
    }
  }

  /** Gives the model's memory back to its backend; the model cannot be used afterwards. */
  dispose(): void {
    if (this.guard.dispose()) this.backend.dispose();
  }

  /** Refuses a velocity grid whose truncation at vmax misrepresents σ_ε(k) for this ε and box. */
  private checkResolution(tol: number): void {
    const V = this.velocity,
      g = this.grid,
      eps = this.eps;
    const kmin = Math.min(...g.lengths.map((l) => (2 * Math.PI) / l));
    const beta = this.collision.type === 'generalised' ? this.collision.beta : 0;
    const nu0 = this.collision.type === 'generalised' ? (this.collision.nu0 ?? 1) : 1;
    // Symbol m σ = ∫ νF (εk·v)²/(ν² + (εk·v)²) dv over the grid, and the part beyond vmax (≈ ∫ νF there).
    let inside = 0;
    for (let j = 0; j < V.size; j++) {
      const a = eps * kmin * V.vx[j],
        nu = this.nu[j];
      inside += (V.weights[j] * nu * V.F[j] * (a * a)) / (nu * nu + a * a);
    }
    const shell = g.dim === 1 ? 2 : 2 * Math.PI;
    const tail = (shell * V.K0 * nu0 * Math.pow(V.vmax, beta - 1 - V.gamma)) / (1 + V.gamma - beta);
    const err = tail / (inside + tail);
    if (!(err <= tol)) {
      const need = V.vmax * Math.pow(err / tol, 1 / (1 + V.gamma - beta));
      throw new ValidationError(
        'velocity.vmax',
        V.vmax,
        `at least ${need.toExponential(2)}: the velocity grid is too coarse for eps = ${eps} (velocities beyond vmax carry a fraction ${err.toExponential(2)} > ${tol} of the symbol σ_ε(k) at the smallest wavenumber)`,
      );
    }
  }

  /**
   * The coefficients of the ε → 0 limit as Keller–Segel options (same chemical, growth, flux, data),
   * on the spectral discretisation: the kinetic solver is Fourier in x, so the limit it is measured
   * against is the same Fourier discretisation of the macroscopic model.
   */
  limit(): KellerSegelOptions {
    const o = this.opts,
      V = this.velocity,
      col = this.collision,
      dim = this.grid.dim;
    const alpha = col.type === 'relaxation' ? 1 + V.gamma : generalisedOrder(V.gamma, col.beta);
    const diffusion =
      col.type === 'relaxation'
        ? fractionalDiffusion(dim, V.gamma, V.K0)
        : generalisedDiffusion(dim, V.gamma, col.beta, V.K0, col.nu0 ?? 1);
    let chi: KellerSegelOptions['chi'] = 0;
    if (o.turning) {
      if (col.type !== 'relaxation')
        throw new ValidationError(
          'turning',
          'with a generalised collision',
          'relaxation collision for the macroscopic limit (H = ρ∫vL1/ν is not mapped)',
        );
      const m = sensitivityFromSeparable({ ...o.turning.kernel, c: undefined }, V);
      const c = o.turning.kernel.c;
      if (dim === 1) chi = c ? (S: number) => c(S) * m[0] : m[0];
      else if (c)
        throw new ValidationError(
          'turning.kernel.c',
          'a function of S in 2-D',
          'no S-dependence in 2-D limits (χ would be a matrix-valued function)',
        );
      else
        chi = [
          [m[0], m[1]],
          [m[2], m[3]],
        ];
    }
    return {
      grid: o.grid,
      alpha,
      diffusion,
      chemical: o.chemical
        ? { type: 'parabolic', D: o.chemical.D, beta: o.chemical.beta ?? 1, mu: o.chemical.mu ?? 0 }
        : { type: 'parabolic', D: 1, beta: 0 },
      chi,
      growth: o.growth,
      flux: o.turning?.flux,
      initial: o.initial,
      discretisation: 'spectral',
    };
  }

  /** dinv(k) and the chemical factor for step dt, computed once per dt. */
  private coefficients(dt: number, a0: number) {
    if (this.cached?.dt === dt && this.cached.a0 === a0) return this.cached;
    if (this.cached)
      [this.cached.dinv, this.cached.chem, ...this.cached.turning].forEach(
        (f) => f && this.backend.release(f),
      );
    const g = this.grid,
      be = this.backend;
    const lam = dt / this.scale,
      lamEps = lam * this.eps;
    const dinv = be.alloc(2 * g.nModes);
    be.kineticDinv(dinv, this.vset, g, lam, lamEps, a0);
    let chem: Field | null = null;
    if (this.opts.chemical) {
      const k2 = be.alloc(g.nModes);
      be.modeNorm(k2, g, 2);
      const { D, mu = 0 } = this.opts.chemical;
      chem = be.fromArray(
        'chemical factor',
        k2.data.map((v) => 1 / (a0 + dt * (D * v + mu))),
      );
      be.release(k2);
    }
    // Turning source coefficients dt/ε · a_d(v_j).
    const turning = this.turningCoef.map((a) =>
      be.fromArray(
        'turning coefficients',
        a.data.map((x) => (dt / this.eps) * x),
      ),
    );
    this.cached = { dt, a0, dinv, chem, turning };
    return this.cached;
  }

  private toReal(spec: Field, out: Field): void {
    this.backend.copy(this.w, spec);
    this.backend.irfft(this.grid.shape, this.w, out);
  }

  /** One step of size dt (see the scheme above). */
  step(dt: number): void {
    const be = this.backend,
      g = this.grid,
      V = this.velocity,
      dim = g.dim,
      H = this.history;
    // BDF2 weights for ω = dt/h_prev (Euler: a0 = 1, (1+ω) → 1, the history terms vanish).
    const bdf = H !== null && H.valid;
    const {
      a0,
      b: [b1, b2],
      c: [c1, c2],
    } = bdf ? sbdf2(dt / H.h) : sbdf1();
    const co = this.coefficients(dt, a0);
    const lam = dt / this.scale;
    const sources: VelocitySource[] = [];
    const tr = this.opts.turning;
    let psi: Field | null = null;
    if (tr && this.SHat) {
      // ∇S (or Q(∇S)) and c(S) in x.
      for (let d = 0; d < dim; d++) {
        be.gradient(this.SHat, this.w, g, d as 0 | 1);
        be.irfft(g.shape, this.w, this.gradAxes[d]);
      }
      let cField: Field | null = null;
      if (tr.kernel.c) {
        this.toReal(this.SHat, this.S);
        const s = this.S.data,
          o = this.re2.data,
          c = tr.kernel.c;
        for (let i = 0; i < s.length; i++) {
          const v = c(s[i]);
          if (!Number.isFinite(v))
            throw new NumericalError(
              `turning.kernel.c(S) returned ${v} at grid point ${i} (S = ${s[i]}) at t = ${this.t}`,
              this.t,
            );
          o[i] = v;
        }
        cField = this.re2;
      }
      const limited = tr.flux?.type === 'limited',
        ystar = tr.flux?.type === 'limited' ? tr.flux.ystar : 0;
      // P_d(x) = m_b(x) c(S) Q_d(∇S), m_b = ∫ b f dv: the rank-one part of L1, added as s_j P̂ in the kernel.
      be.velocityMoment(this.f, V.size, this.bWeights!, this.num);
      this.toReal(this.num, this.re);
      be.driftFlux(this.re, this.grad, this.flux, dim, this.chiId, cField, limited, ystar);
      for (let d = 0; d < dim; d++) {
        be.rfft(g.shape, this.fluxAxes[d], this.spec[d]);
        if (!H) {
          sources.push([co.turning[d], this.spec[d]]);
          continue;
        }
        // Extrapolated explicit source (1+ω)P̂^n − ωP̂^{n−1}; then P̂^n becomes the history.
        be.copy(H.Pstar[d], this.spec[d]);
        if (bdf) {
          be.scale(H.Pstar[d], c1);
          be.axpy(H.Pstar[d], c2, H.P[d]);
        }
        be.copy(H.P[d], this.spec[d]);
        sources.push([co.turning[d], H.Pstar[d]]);
      }
      if (this.physical && this.A.some((a) => Math.abs(a) > 1e-12)) {
        // ψ(x) = c(S) A·Q(∇S): the loss part −ψ b(v) f of L1 (zero for odd a).
        be.driftFlux(this.ones, this.grad, this.flux, dim, this.chiId, cField, limited, ystar);
        psi = this.psi;
        psi.data.fill(0);
        for (let d = 0; d < dim; d++) be.axpy(psi, this.A[d], this.fluxAxes[d]);
      }
    }
    if (H) {
      // g = (1+ω) f^n − ω²/(1+ω) f^{n−1} (+ sources below) is formed in the history buffer, which
      // then swaps roles with f: f^n becomes the history without a copy.
      be.scale(H.f, b2);
      be.axpy(H.f, b1, this.f);
      if (this.physical)
        this.physicalSources(psi, (j, r) => {
          be.axpy(H.fParts[j], dt * c1, r);
          if (bdf) be.axpy(H.fParts[j], dt * c2, H.RParts[j]);
          be.copy(H.RParts[j], r);
        });
      [this.f, H.f] = [H.f, this.f];
      [this.fParts, H.fParts] = [H.fParts, this.fParts];
    } else if (this.physical) {
      this.physicalSources(psi, (j, r) => be.axpy(this.fParts[j], dt, r));
    }
    be.kineticRelax(this.f, this.vset, g, sources, lam, lam * this.eps, a0, co.dinv, this.num, this.rhoHat);
    if (this.SHat && co.chem) {
      // S^{n+1} = ((1+ω)S^n − ω²/(1+ω)S^{n−1} + dt β ρ^{n+1}) / (a0 + dt(DS|k|² + μ)).
      if (H?.S) {
        be.copy(this.w, this.SHat);
        be.scale(this.SHat, b1);
        if (bdf) be.axpy(this.SHat, b2, H.S);
        be.copy(H.S, this.w);
      }
      be.axpy(this.SHat, dt * (this.opts.chemical!.beta ?? 1), this.rhoHat);
      be.modeScale(this.SHat, co.chem);
    }
    if (H) {
      H.h = dt;
      H.valid = true;
    }
    this.t += dt;
    this.steps++;
  }

  /** For every velocity j, use(j, FFT[R(f_j) − ε^{-1} b_j ψ f_j]) (pointwise in x and v, from f^n). */
  private physicalSources(psi: Field | null, use: (j: number, source: Field) => void): void {
    const be = this.backend,
      g = this.grid,
      V = this.velocity;
    const gr = this.opts.growth ?? { type: 'none' };
    const mass = this.rhoHat.data[0] * g.cellVolume;
    const [a0, a1, c] =
      gr.type === 'logistic'
        ? [gr.r, -gr.r / this.F2, 0]
        : gr.type === 'nonlocal'
          ? [gr.a0, gr.a1 / this.F2, gr.a2 * mass]
          : [0, 0, 0];
    for (let j = 0; j < V.size; j++) {
      const fj = this.fParts[j];
      this.toReal(fj, this.re);
      be.growth(this.re, this.source, a0, a1, c);
      if (psi) {
        be.mul(this.re, this.re, psi);
        be.axpy(this.source, -this.bValues![j] / this.eps, this.re);
      }
      be.rfft(g.shape, this.source, this.w);
      use(j, this.w);
    }
  }

  /** Cell density ρ(x) (a copy). */
  density(): Float64Array {
    this.toReal(this.rhoHat, this.re);
    return this.re.data.slice();
  }

  /** Chemical S(x) (a copy), or null without a chemical. */
  signal(): Float64Array | null {
    if (!this.SHat) return null;
    this.toReal(this.SHat, this.S);
    return this.S.data.slice();
  }

  /** f(x, v_j) for one velocity (a copy). */
  distribution(j: number): Float64Array {
    this.toReal(this.fParts[j], this.re);
    return this.re.data.slice();
  }

  diagnostics(): KineticDiagnostics {
    this.toReal(this.rhoHat, this.re);
    this.backend.stats(this.re, this.stats);
    if (this.stats[3] !== 0) throw new NumericalError(`non-finite density at t = ${this.t}`, this.t);
    return {
      t: this.t,
      step: this.steps,
      mass: this.rhoHat.data[0] * this.grid.cellVolume,
      minRho: this.stats[1],
      maxRho: this.stats[2],
    };
  }

  /** Fixed steps of dt up to tEnd (resuming from the current time). */
  async solve(opts: KineticSolveOptions): Promise<KineticResult> {
    return this.guard.solving(() => this.run(opts));
  }

  private async run(opts: KineticSolveOptions): Promise<KineticResult> {
    checkNumber('tEnd', opts.tEnd, this.t, Infinity, { hiOpen: true });
    checkNumber('dt', opts.dt, 0, Infinity, { loOpen: true, hiOpen: true });
    const o = opts as { scheme?: unknown; adaptive?: unknown };
    if (o.scheme !== undefined)
      throw new ValidationError(
        'scheme',
        o.scheme,
        "nothing here: the kinetic model's scheme ('euler' or 'bdf2') is an option of the model",
      );
    if (o.adaptive !== undefined && o.adaptive !== false)
      throw new ValidationError(
        'adaptive',
        o.adaptive,
        'false or nothing: the kinetic model takes fixed steps',
      );
    const diagnostics = [this.diagnostics()];
    const maxDensity =
      opts.maxDensity ?? (diagnostics[0].maxRho > 0 ? 1e3 * diagnostics[0].maxRho : Infinity);
    if (!(maxDensity > 0))
      throw new ValidationError(
        'maxDensity',
        maxDensity,
        'a number > 0 (Infinity turns the blow-up threshold off)',
      );
    const done = (status: KineticResult['status'], reason?: string): KineticResult => ({
      status,
      t: this.t,
      steps: this.steps,
      max: diagnostics.at(-1)!.maxRho,
      reason,
      diagnostics,
    });
    for (const o of opts.observers ?? []) o(diagnostics[0], this);
    const turn = yielder(50);
    const start = this.steps;
    while (this.t < opts.tEnd) {
      await turn();
      if (opts.signal?.aborted) return done('aborted', String(opts.signal.reason ?? 'aborted'));
      if (opts.maxSteps !== undefined && this.steps - start >= opts.maxSteps)
        return done('stopped', `maxSteps = ${opts.maxSteps} reached`);
      const target = nextLanding(this.t, opts.tEnd, opts.landAt),
        remaining = target - this.t;
      const h = remaining <= opts.dt * (1 + 1e-9) ? remaining : opts.dt;
      // A step updates the state in place: keep the last good one, so a failed step loses nothing.
      const good = this.keep();
      try {
        this.step(h);
      } catch (e) {
        good.restore();
        throw e;
      }
      if (h === remaining) this.t = target;
      let d: KineticDiagnostics;
      try {
        d = this.diagnostics();
      } catch (e) {
        good.restore();
        const last = diagnostics.at(-1)!;
        return done(
          'unstable',
          `${(e as Error).message} after a step of ${h}; the model holds the last good state (t = ${last.t}, max density ${last.maxRho.toPrecision(6)}); reduce dt`,
        );
      }
      diagnostics.push(d);
      if (d.maxRho >= maxDensity)
        return done('blow-up', `max density ${d.maxRho.toPrecision(6)} exceeded maxDensity = ${maxDensity}`);
      let stop = false;
      for (const o of opts.observers ?? []) if (o(d, this) === 'stop') stop = true;
      if (stop) return done('stopped', 'stopped by an observer');
    }
    return done('done');
  }

  /** Copies of everything a step overwrites (f, S, ρ̂, the BDF2 history, the clock), with a restore. */
  private keep(): { restore(): void } {
    const be = this.backend,
      H = this.history;
    const live = (): Field[] => [
      this.f,
      this.rhoHat,
      ...(this.SHat ? [this.SHat] : []),
      ...(H ? [H.f, ...(H.S ? [H.S] : []), ...(H.R ? [H.R] : []), ...H.P] : []),
    ];
    this.spare ??= live().map((f) => be.alloc(f.length));
    const spare = this.spare,
      fields = live();
    fields.forEach((f, i) => be.copy(spare[i], f));
    const t = this.t,
      steps = this.steps,
      h = H?.h ?? NaN,
      valid = H?.valid ?? false;
    return {
      restore: () => {
        // By value: the step may have swapped which Field plays f and which the history.
        live().forEach((f, i) => be.copy(f, spare[i]));
        this.t = t;
        this.steps = steps;
        if (H) {
          H.h = h;
          H.valid = valid;
        }
      },
    };
  }

  checkpoint(): KineticCheckpoint {
    const H = this.history;
    return {
      kind: 'kinetic',
      identity: this.identity,
      t: this.t,
      steps: this.steps,
      f: this.f.data.slice(),
      S: this.SHat ? this.SHat.data.slice() : null,
      history: H?.valid
        ? {
            h: H.h,
            f: H.f.data.slice(),
            S: H.S ? H.S.data.slice() : null,
            R: H.R ? H.R.data.slice() : null,
            P: H.P.map((p) => p.data.slice()),
          }
        : null,
    };
  }

  restore(cp: KineticCheckpoint): void {
    this.guard.check('restore()');
    if (cp?.kind !== 'kinetic' || cp.f.length !== this.f.length || (cp.S === null) !== (this.SHat === null)) {
      throw new ValidationError(
        'checkpoint',
        cp?.kind,
        `a kinetic checkpoint with ${this.f.length} values of f${this.SHat ? ' and S' : ''}`,
      );
    }
    checkIdentity(cp.identity, this.identity);
    checkNumber('checkpoint.t', cp.t, 0, Infinity, { hiOpen: true });
    if (!Number.isSafeInteger(cp.steps) || cp.steps < 0)
      throw new ValidationError('checkpoint.steps', cp.steps, 'a non-negative integer');
    checkFinite('checkpoint.f', cp.f);
    if (cp.S) checkFinite('checkpoint.S', cp.S);
    this.f.data.set(cp.f);
    if (this.SHat && cp.S) this.SHat.data.set(cp.S);
    const H = this.history;
    if (H) {
      H.valid = cp.history !== null && cp.history !== undefined;
      if (cp.history) {
        H.h = cp.history.h;
        H.f.data.set(cp.history.f);
        if (H.S && cp.history.S) H.S.data.set(cp.history.S);
        if (H.R && cp.history.R) H.R.data.set(cp.history.R);
        cp.history.P.forEach((p, d) => H.P[d].data.set(p));
      }
    }
    this.backend.velocityMoment(this.f, this.velocity.size, this.vset.w, this.rhoHat);
    this.t = cp.t;
    this.steps = cp.steps;
  }
}
