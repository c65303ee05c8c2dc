// The kinetic model (APS) of SCIENCE.md §1 and the generalised collision operator of §4:
//   m(ε) ∂t f + ε v·∇x f = L0(f) + (m(ε)/ε) L1(S, f) + m(ε) R(f, S),   ∂t S = DS ΔS + βρ − μS
// with L0(f) = ν(v)(F ∫νf/∫νF − f): ν ≡ 1 is the relaxation ρF − f with m = ε^{1+γ};
// ν = ν0(1+|v|²)^{β/2} is the rank-one detailed-balance kernel with m = ε^r, r = 1 + γ/(1−β).
// The model: options, state, the one Integrator loop, diagnostics, checkpoints, the ε → 0 limit.
// What a step does is the operator's (operator.ts).
import type { Backend, Field, ScopedBackend } from '../../backend/index.js';
import { ModelGuard } from '../guard.js';
import { restoreState, solveWithDiagnostics, stateCheckpoint, type Model } from '../model.js';
import { MemoryLimitError, ValidationError } from '../../errors.js';
import { modelIdentity } from '../../io/identity.js';
import { Grid, type GridOptions } from '../../grid.js';
import type { VelocityGrid } from '../../velocity.js';
import { collisionRate, resolveVelocityGrid } from './resolution.js';
import {
  fractionalDiffusion,
  generalisedDiffusion,
  generalisedOrder,
  sensitivityFromSeparable,
} from '../../coefficients.js';
import { Integrator } from '../../integrate/run.js';
import { sampleInitial } from '../initial.js';
import type { KellerSegelOptions } from '../keller-segel/model.js';
import { KineticOperator } from './operator.js';
import {
  kineticMemoryEstimate,
  kineticScale,
  resolveKinetic,
  type Collision,
  type KineticCheckpoint,
  type KineticDiagnostics,
  type KineticOptions,
  type KineticResult,
  type KineticSolveOptions,
  type ResolvedKinetic,
} from './options.js';

export * from './options.js';

/** The kinetic run-and-tumble model with a heavy-tailed equilibrium (SCIENCE.md §1, §4), asymptotic preserving as ε → 0. */
export class Kinetic implements Model {
  readonly grid: Grid;
  readonly velocity: VelocityGrid;
  readonly backend: ScopedBackend;
  readonly params: ResolvedKinetic;
  readonly eps: number;
  readonly collision: Collision;
  /** m(ε): ε^{1+γ} (relaxation) or ε^r (generalised). */
  readonly scale: number;
  /** ν(v_j) of the collision operator (1 for relaxation). */
  readonly nu: Float64Array;
  private readonly guard = new ModelGuard();
  /** Canonical options (initial data by digest): what this model's checkpoints belong to. */
  private readonly identity: unknown;
  private readonly opts: KineticOptions;
  private readonly operator: KineticOperator;
  private readonly integrator: Integrator;
  /** ρ(x) of a state (density(), diagnostics, the monitor) and S(x). */
  private readonly rho: Field;
  private readonly S: Field;
  private readonly stats = new Float64Array(4);

  constructor(backend: Backend, options: KineticOptions) {
    if (!options || typeof options !== 'object')
      throw new ValidationError('options', options, 'an options object');
    // Every field of the model comes from its own scope, so dispose() (or a refused option) frees them all.
    const be = (this.backend = backend.scope());
    try {
      this.opts = options;
      this.identity = modelIdentity(options);
      this.grid = new Grid(be, options.grid ?? ({} as GridOptions));
      const g = this.grid,
        dim = g.dim;
      const p = (this.params = resolveKinetic(options, dim));
      this.eps = p.eps;
      this.collision = p.collision;
      this.velocity = resolveVelocityGrid(
        options.velocity,
        options.gamma,
        { dims: g.shape.slice(0, dim), lengths: g.lengths },
        p,
      );
      const V = this.velocity,
        col = p.collision;
      this.scale = kineticScale(V.gamma, p.eps, col);
      this.nu = Float64Array.from(V.speed, collisionRate(col));
      // Memory before anything large is allocated: a configuration that cannot fit is refused at once.
      const need = kineticMemoryEstimate(options, V, 'fixed'),
        available = be.memoryAvailable();
      if (need.bytes > available)
        throw new MemoryLimitError(
          need.bytes,
          available,
          `a kinetic model on ${g.shape.slice(0, dim).join('×')} with ${V.size} velocities (${need.perPoint.toFixed(0)} doubles per grid point)`,
        );
      this.operator = new KineticOperator(be, g, V, p, this.scale, this.nu);
      this.rho = g.realField();
      this.S = g.realField();
      // The state: f0 = ρ0(x) F(v) (Fourier in x), Ŝ0, ρ̂0, and a zero SBDF2 history (h = 0: none yet).
      if (!options.initial || options.initial.rho === undefined)
        throw new ValidationError('initial.rho', options.initial?.rho, 'initial cell density data');
      if (!p.chemical && options.initial.S !== undefined)
        throw new ValidationError('initial.S', options.initial.S, 'nothing (no chemical is set)');
      const layout = this.operator.layout();
      const state = layout.lengths.map((n) => be.alloc(n));
      const u = this.operator.view(state);
      const rho0 = be.fromArray('initial.rho', sampleInitial(g, options.initial.rho, 'initial.rho'));
      be.rfft(g.shape, rho0, u.rho);
      be.release(rho0);
      const fd = u.f.data,
        r0 = u.rho.data,
        L = 2 * g.nModes;
      for (let j = 0; j < V.size; j++) for (let i = 0; i < L; i++) fd[j * L + i] = V.F[j] * r0[i];
      if (u.S) {
        const s0 = be.fromArray('initial.S', sampleInitial(g, options.initial.S ?? 0, 'initial.S'));
        be.rfft(g.shape, s0, u.S);
        be.release(s0);
      }
      this.integrator = new Integrator(be, state, [p.scheme], () => this.operator, layout.solution);
    } catch (e) {
      be.dispose();
      throw e;
    }
  }

  /**
   * Backend memory a kinetic configuration needs at its peak, before anything is allocated (the
   * velocity grid is built to count its velocities); the constructor refuses one that cannot fit.
   */
  static memoryEstimate(
    options: KineticOptions,
    steps: 'fixed' | 'adaptive' = 'fixed',
  ): { bytes: number; perPoint: number; velocities: number } {
    const n = options?.grid?.n ?? [];
    const p = resolveKinetic(options, n.length);
    const V = resolveVelocityGrid(
      options.velocity,
      options.gamma,
      { dims: n, lengths: options?.grid?.L ?? n.map(() => 2 * Math.PI) },
      p,
    );
    return { ...kineticMemoryEstimate(options, V, steps), velocities: V.size };
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

  /**
   * The coefficients of the ε → 0 limit as Keller–Segel options (same chemical, growth, flux, data),
   * on the spectral discretisation: the kinetic solver is Fourier in x, so the limit it is measured
   * against is the same Fourier discretisation of the macroscopic model. Both collision operators:
   * order 1+γ and Dρ = K0 I_{N,γ} (relaxation) or order r and D (generalised), and the drift
   * H = ρ ∫ v L1(S, F)/ν dv, i.e. χ(S) = Σ_m c_m(S) χ_m with χ_m from each separable term
   * (sensitivityFromSeparable with the 1/ν weight). In 2-D/3-D an S-dependent χ must be isotropic
   * (each χ_m with a c_m a multiple of the identity): the macroscopic model takes χ(S) as a scalar.
   */
  limit(): KellerSegelOptions {
    const o = this.opts,
      p = this.params,
      V = this.velocity,
      col = p.collision,
      dim = this.grid.dim;
    const alpha = col.type === 'relaxation' ? 1 + V.gamma : generalisedOrder(V.gamma, col.beta);
    const diffusion =
      col.type === 'relaxation'
        ? fractionalDiffusion(dim, V.gamma, V.K0)
        : generalisedDiffusion(dim, V.gamma, col.beta, V.K0, col.nu0);
    let chi: KellerSegelOptions['chi'] = 0;
    if (p.turning) {
      const kernels = p.turning.kernels;
      const parts = kernels.map((k) => sensitivityFromSeparable({ ...k, c: undefined }, V, 0, this.nu));
      const constant = new Array<number>(dim * dim).fill(0);
      const scalar: { c: (S: number) => number; x: number }[] = [];
      kernels.forEach((k, m) => {
        const X = parts[m];
        if (!k.c) return X.forEach((x, i) => (constant[i] += x));
        if (!isotropic(X, dim))
          throw new ValidationError(
            kernels.length > 1 ? `turning.kernel[${m}].c` : 'turning.kernel.c',
            `an S-dependent term whose χ is not a multiple of the identity (χ = [${X.map((v) => v.toPrecision(4)).join(', ')}])`,
            'no S-dependence, or a term with isotropic χ (the macroscopic χ(S) is a scalar function in 2-D/3-D)',
          );
        scalar.push({ c: k.c, x: X[0] });
      });
      if (scalar.length) {
        if (!isotropic(constant, dim))
          throw new ValidationError(
            'turning.kernel',
            'S-independent terms with an anisotropic χ beside S-dependent ones',
            'terms whose χ sum to a scalar function of S times the identity',
          );
        const c0 = constant[0];
        chi = (S: number) => scalar.reduce((acc, t) => acc + t.c(S) * t.x, c0);
      } else if (dim === 1) chi = constant[0];
      else chi = Array.from({ length: dim }, (_, i) => constant.slice(i * dim, (i + 1) * dim));
    }
    return {
      grid: o.grid,
      alpha,
      diffusion,
      chemical: p.chemical ? { type: 'parabolic', ...p.chemical } : { type: 'parabolic', D: 1, beta: 0 },
      chi,
      growth: o.growth,
      flux: p.turning?.flux,
      initial: o.initial,
      discretisation: 'spectral',
    };
  }

  /** ρ(x) of a state into this.rho, with its stats. */
  private densityOf(u: readonly Field[]): void {
    this.operator.toReal(this.operator.view(u).rho, this.rho);
    this.backend.stats(this.rho, this.stats);
  }

  /** Cell density ρ(x) (a copy). */
  density(): Float64Array {
    this.densityOf(this.integrator.u);
    return this.rho.data.slice();
  }

  /** Chemical S(x) (a copy), or null without a chemical. */
  signal(): Float64Array | null {
    const S = this.operator.view(this.integrator.u).S;
    if (!S) return null;
    this.operator.toReal(S, this.S);
    return this.S.data.slice();
  }

  /** f(x, v_j) for one velocity (a copy). */
  distribution(j: number): Float64Array {
    if (!Number.isInteger(j) || j < 0 || j >= this.velocity.size)
      throw new ValidationError('j', j, `a velocity index in [0, ${this.velocity.size - 1}]`);
    this.operator.toReal(this.operator.view(this.integrator.u).fParts[j], this.rho);
    return this.rho.data.slice();
  }

  /** Mass and min/max ρ of the current state. */
  diagnostics(dt = 0): KineticDiagnostics {
    this.densityOf(this.integrator.u);
    return this.diagnosticsOfRho(dt);
  }

  /** Diagnostics from this.stats, which must hold those of ρ of the current state. */
  private diagnosticsOfRho(dt: number): KineticDiagnostics {
    return {
      t: this.time,
      dt,
      step: this.steps,
      mass: this.operator.view(this.integrator.u).rho.data[0] * this.grid.cellVolume,
      minRho: this.stats[1],
      maxRho: this.stats[2],
    };
  }

  /**
   * Advances to opts.tEnd (resuming from the current time) through the Integrator: fixed or adaptive
   * steps, landing times, blow-up/unstable statuses, and the last good state kept when a step fails.
   * The scheme is the model's option (its history is part of the state).
   */
  async solve(opts: KineticSolveOptions): Promise<KineticResult> {
    return this.guard.solving(() => {
      const monitor = {
        check: (u: readonly Field[]) => {
          this.densityOf(u);
          const v = this.operator.view(u);
          let finite = this.stats[3] === 0 && Number.isFinite(this.backend.sumSquares(v.f));
          if (finite && v.S) finite = Number.isFinite(this.backend.sumSquares(v.S));
          return { min: this.stats[1], max: this.stats[2], finite };
        },
      };
      // After a step the monitor has just computed ρ of the accepted state: no second transform.
      return solveWithDiagnostics(this, this.integrator, opts, this.diagnostics(), monitor, (dt) =>
        this.diagnosticsOfRho(dt),
      );
    });
  }

  /** Everything needed to continue this run bit for bit (see restore). */
  checkpoint(): KineticCheckpoint {
    return stateCheckpoint('kinetic', this.identity, this.integrator);
  }

  /** Continues from a checkpoint of a model built with the same options. */
  restore(cp: KineticCheckpoint): void {
    this.guard.check('restore()');
    restoreState(cp, 'kinetic', this.identity, this.integrator);
  }
}

/** Whether a dim×dim row-major matrix is a multiple of the identity (to 1e-9 of its largest entry). */
function isotropic(X: readonly number[], dim: number): boolean {
  const size = Math.max(...X.map(Math.abs));
  return X.every((v, i) => Math.abs(v - (i % (dim + 1) === 0 ? X[0] : 0)) <= 1e-9 * size);
}
