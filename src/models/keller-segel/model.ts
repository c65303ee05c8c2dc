// The fractional Keller–Segel family (SCIENCE.md §3):
//   ∂t ρ = −Dρ (−Δ)^{α/2} ρ − ∇·(ρ χ(S) Q(∇S)) + Γ(ρ, S)
//   parabolic: ∂t S = DS ΔS − μ S + G(ρ, S), G = βρ by default;  elliptic: −DS ΔS + μ S = βρ.
// The model: options, state, the one Integrator loop, diagnostics, checkpoints. What is solved per
// step lives in its discretisation: spectral.ts (Fourier, ETD) or finite-volume.ts (Strang).
import type { Backend, Field, ScopedBackend } from '../../backend/index.js';
import { ModelGuard } from '../guard.js';
import { evaluateLaw, restoreState, solveWithDiagnostics, stateCheckpoint, type Model } from '../model.js';
import { MemoryLimitError, ValidationError } from '../../errors.js';
import { modelIdentity } from '../../io/identity.js';
import { Grid, type GridOptions } from '../../grid.js';
import { EtdStepper, type Scheme } from '../../integrate/etd.js';
import { StrangStepper } from '../../integrate/strang.js';
import { FiniteVolume, POSITIVITY_LIMIT, type DriftLaws } from './finite-volume.js';
import { SpectralDrift } from './spectral.js';
import { Integrator } from '../../integrate/run.js';
import { sampleInitial } from '../initial.js';
import {
  memoryEstimate,
  resolveKellerSegel,
  type Diagnostics,
  type KellerSegelCheckpoint,
  type KellerSegelOptions,
  type ResolvedKellerSegel,
  type SolveOptions,
  type SolveResult,
} from './options.js';

export * from './options.js';

/** The fractional Keller–Segel family (SCIENCE.md §3) on a periodic box, finite-volume or spectral. */
export class KellerSegel implements Model {
  readonly grid: Grid;
  readonly backend: ScopedBackend;
  readonly params: ResolvedKellerSegel;
  private readonly guard = new ModelGuard();
  /** Canonical options (initial data by digest): what this model's checkpoints belong to. */
  private readonly identity: unknown;
  /** Spectral: [ρ̂] (elliptic) or [ρ̂, Ŝ] (parabolic); finite volumes: [ρ] or [ρ, S] cell averages. */
  readonly state: Field[];
  /** The discretisation: exactly one of the two is set. */
  private readonly fv: FiniteVolume | null;
  private readonly spectral: SpectralDrift | null;
  private readonly integrator: Integrator;
  /** ρ(x) and S(x) of a state, for density(), signal() and the diagnostics. */
  private readonly rho: Field;
  private readonly S: Field;
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
      this.identity = modelIdentity(options, { discretisation: this.params.discretisation });
      const p = this.params;
      const fv = p.discretisation === 'finite-volume';
      // Memory before anything large is allocated: keep two step sizes' ETD tables where they fit, else one.
      const available = be.memoryAvailable();
      const tables = memoryEstimate(options, 'adaptive', 2).bytes <= available ? 2 : 1;
      const need = memoryEstimate(options, 'fixed', tables);
      if (need.bytes > available) {
        throw new MemoryLimitError(
          need.bytes,
          available,
          `a Keller–Segel model on ${g.shape.slice(0, dim).join('×')} (${p.discretisation}, ${p.chemical.type}; ${need.perPoint.toFixed(0)} doubles per grid point)`,
        );
      }
      const chi = be.fromArray(
        'chi',
        p.chiMatrix ?? Array.from({ length: dim * dim }, (_, i) => (i % (dim + 1) === 0 ? 1 : 0)),
      );
      this.rho = g.realField();
      this.S = g.realField();
      this.spectral = fv ? null : new SpectralDrift(g, p, chi, this.driftLaws(), this.rho, this.S);
      this.fv = fv ? new FiniteVolume(g, p, chi, this.driftLaws(), p.cfl) : null;
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
      const spectral = this.spectral;
      this.integrator = spectral
        ? new Integrator(
            be,
            this.state,
            ['etdrk4', 'etdrk2'],
            (scheme) => new EtdStepper(spectral, scheme as Scheme, tables),
          )
        : new Integrator(be, this.state, ['strang'], () => new StrangStepper(this.fv!, this.state));
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

  /** Backend memory a configuration needs at its peak, before anything is allocated (see memoryEstimate). */
  static memoryEstimate(
    options: KellerSegelOptions,
    steps: 'fixed' | 'adaptive' = 'fixed',
    tables = 2,
  ): { bytes: number; perPoint: number } {
    return memoryEstimate(options, steps, tables);
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

  /** ρ(x) of a state into out. */
  private densityOf(u: readonly Field[], out: Field): void {
    if (this.spectral) this.spectral.toReal(u[0], out);
    else this.backend.copy(out, u[0]);
  }

  /** S(x) of a state into out. */
  private signalOf(u: readonly Field[], out: Field): void {
    if (this.spectral) this.spectral.toReal(this.spectral.chemicalSpectrum(u), out);
    else this.fv!.signal(u, out);
  }

  /** The user laws (χ(S), G(ρ, S)) as both discretisations call them. */
  private driftLaws(): DriftLaws {
    const p = this.params;
    const sensitivity = p.chiReceptor
      ? (S: Field, out: Field) => this.backend.receptorChi(S, out, p.chiReceptor!.chi0, p.chiReceptor!.K)
      : p.chiFunction
        ? (S: Field, out: Field, t: number) =>
            evaluateLaw(out, S, (i, s) => p.chiFunction!(s[i]), 'chi(S)', t)
        : null;
    const G = p.chemical.G;
    const chemicalSource = G
      ? (rho: Field, S: Field, out: Field, t: number) => {
          const r = rho.data;
          evaluateLaw(out, S, (i, s) => G(r[i], s[i]), 'chemical.G(rho, S)', t);
        }
      : null;
    return { sensitivity, chemicalSource };
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
      // ∫ρS: by Parseval from ρ̂ on the spectral discretisation (no inverse transform per step).
      let rhoS: number;
      if (this.spectral) rhoS = this.spectral.densitySignalSum(this.state);
      else {
        this.signalOf(this.state, this.S);
        rhoS = be.dot(this.rho, this.S);
      }
      d.energy = g.cellVolume * (p.D * be.entropySum(this.rho) - 0.5 * p.chiMatrix[0] * rhoS);
    }
    return d;
  }

  /** Advances to opts.tEnd (resuming from the current time); see RunOptions for the controls. */
  async solve(opts: SolveOptions): Promise<SolveResult> {
    return this.guard.solving(() => {
      const monitor = {
        check: (u: readonly Field[]) => {
          this.densityOf(u, this.rho);
          // The next step starts from ρ(x) of this state when it is accepted: no second transform.
          this.spectral?.densityHeld(u[0]);
          this.backend.stats(this.rho, this.stats);
          let finite = this.stats[3] === 0;
          for (let i = 1; i < u.length && finite; i++)
            finite = Number.isFinite(this.backend.sumSquares(u[i]));
          return { min: this.stats[1], max: this.stats[2], finite };
        },
        stableStep: (u: readonly Field[]) => this.stableStep(u),
      };
      // After a step the monitor has just transformed the accepted state into this.rho: no second transform.
      return solveWithDiagnostics(this, this.integrator, opts, this.diagnostics(), monitor, (dt) =>
        this.diagnosticsOfRho(dt),
      );
    });
  }

  /** A drift CFL estimate from state u (see the discretisations' stableStep / driftRate). */
  private stableStep(u: readonly Field[]): number {
    return this.spectral ? this.spectral.stableStep(u) : POSITIVITY_LIMIT / this.fv!.driftRate(u, this.time);
  }

  /** Everything needed to continue this run bit for bit (see restore). */
  checkpoint(): KellerSegelCheckpoint {
    return {
      ...stateCheckpoint('keller-segel', this.identity, this.integrator),
      discretisation: this.params.discretisation,
    };
  }

  /** Continues from a checkpoint of a model built with the same options. */
  restore(cp: KellerSegelCheckpoint): void {
    this.guard.check('restore()');
    if (cp?.kind === 'keller-segel' && (cp.discretisation ?? 'spectral') !== this.params.discretisation)
      throw new ValidationError(
        'checkpoint.discretisation',
        cp.discretisation ?? 'spectral',
        `'${this.params.discretisation}', the discretisation of this model`,
      );
    restoreState(cp, 'keller-segel', this.identity, this.integrator);
  }
}
