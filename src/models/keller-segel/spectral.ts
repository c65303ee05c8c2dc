// The spectral discretisation of the fractional Keller–Segel family: Fourier pseudo-spectral with
// 2/3 dealiasing of the products. State [ρ̂] (elliptic) or [ρ̂, Ŝ] (parabolic); the stiff symbols
//   ρ: −Dρ|k|^α,   S: −DS|k|² − μ
// are integrated exactly by the ETD steppers, and nonlinear() is
//   N_ρ = −∇·(ρ χ(S) Q(∇S)) + Γ(ρ),   N_S = βρ̂ (or G(ρ, S)).
import type { Backend, Field } from '../../backend/index.js';
import type { Grid } from '../../grid.js';
import type { StiffProblem } from '../../integrate/etd.js';
import type { Pause } from '../../integrate/run.js';
import type { DriftLaws } from './finite-volume.js';
import type { ResolvedKellerSegel } from './options.js';

export class SpectralDrift implements StiffProblem {
  readonly backend: Backend;
  readonly linear: Float64Array[] = [];
  // Work fields, allocated once (Ŝ only for an elliptic chemical, the source only with Γ or G).
  private readonly w: Field;
  private readonly sHat: Field;
  /** Elliptic chemical: Ŝ = T ρ̂ with T = (β/D)/(|k|² + μ/D) (0 where that vanishes), one table. */
  private readonly chemTable: Field | null;
  private readonly tmp: Field;
  /** ∇S per axis, overwritten in place by the flux ρχQ(∇S) (driftFlux reads a point's gradient before writing it). */
  private readonly grad: Field;
  /** Per-axis views into grad (made once: a step allocates nothing). */
  private readonly gradAxes: Field[];
  private readonly chiField: Field | null;
  private readonly stats = new Float64Array(4);
  /**
   * The state field whose ρ(x) the model's monitor has just left in `rho` (see densityHeld), or
   * null: the next nonlinear() of exactly that field starts from it instead of transforming again.
   */
  private rhoHeld: Field | null = null;

  /** rho and S are the model's real work fields, shared (the model reads ρ and S of states through them). */
  constructor(
    private readonly grid: Grid,
    private readonly p: ResolvedKellerSegel,
    private readonly chi: Field,
    private readonly laws: DriftLaws,
    private readonly rho: Field,
    private readonly S: Field,
  ) {
    const be = (this.backend = grid.backend),
      g = grid;
    const kAlpha = be.alloc(g.nModes),
      k2 = be.alloc(g.nModes);
    be.modeNorm(kAlpha, g, p.alpha);
    be.modeNorm(k2, g, 2);
    this.linear.push(kAlpha.data.map((v) => -p.D * v));
    if (p.chemical.type === 'parabolic')
      this.linear.push(k2.data.map((v) => -p.chemical.D * v - p.chemical.mu));
    const c = p.chemical;
    this.chemTable =
      c.type === 'elliptic'
        ? be.fromArray(
            'elliptic chemical table',
            k2.data.map((v) => {
              const d = v + c.mu / c.D;
              return d === 0 ? 0 : (1 / d) * (c.beta / c.D);
            }),
          )
        : null;
    be.release(kAlpha);
    be.release(k2);
    const sources = p.growth.type !== 'none' || p.chemical.G !== undefined;
    this.w = g.spectralField();
    this.sHat = be.alloc(p.chemical.type === 'elliptic' ? 2 * g.nModes : 0);
    this.tmp = be.alloc(sources ? g.nReal : 0);
    this.grad = be.alloc(g.dim * g.nReal);
    this.gradAxes = Array.from({ length: g.dim }, (_, j) => this.grad.slice(j * g.nReal, g.nReal));
    this.chiField = p.chiMatrix ? null : g.realField();
  }

  /** Ŝ of a state (elliptic: β ρ̂ / (DS|k|² + μ), in a work field); returns the field holding Ŝ. */
  chemicalSpectrum(u: readonly Field[]): Field {
    if (!this.chemTable) return u[1];
    this.backend.modeMul(this.sHat, this.chemTable, u[0]); // one pass
    return this.sHat;
  }

  /** Σ_x ρ S of a state with an elliptic chemical, by Parseval from ρ̂ (no transform). */
  densitySignalSum(u: readonly Field[]): number {
    return this.backend.modeQuadratic(u[0], this.chemTable!, this.grid) / this.grid.nReal;
  }

  /**
   * Notes that `rho` now holds ρ(x) of the spectrum `rhoHat`, as toReal made it. Called by the
   * monitor after it transforms an accepted step's state, which the integrator then reads, unchanged,
   * as the next step's first stage. It holds for that one nonlinear() call only: every call clears
   * it, and the integrator never writes the state it is stepping from.
   */
  densityHeld(rhoHat: Field): void {
    this.rhoHeld = rhoHat;
  }

  /** The real field of a half spectrum (the spectrum is kept: the transform works in the work field). */
  toReal(spec: Field, out: Field): void {
    this.backend.irfft(this.grid.shape, spec, out, this.w);
  }

  async nonlinear(t: number, u: readonly Field[], out: readonly Field[], pause?: Pause): Promise<void> {
    const be = this.backend,
      g = this.grid,
      p = this.p,
      w = this.w;
    if (u[0] !== this.rhoHeld) this.toReal(u[0], this.rho);
    this.rhoHeld = null;
    const needS = this.chiField !== null || p.chemical.G !== undefined;
    // ∇S straight from ρ̂ through the elliptic table when S itself is not needed (one pass per axis).
    const direct = this.chemTable !== null && !needS;
    const sHat = direct ? u[0] : this.chemicalSpectrum(u);
    if (needS) this.toReal(sHat, this.S);
    for (let j = 0; j < g.dim; j++) {
      await pause?.();
      if (direct) be.scaledGradient(sHat, w, this.chemTable!, g, j as 0 | 1 | 2);
      else be.gradient(sHat, w, g, j as 0 | 1 | 2);
      be.irfft(g.shape, w, this.gradAxes[j]);
    }
    if (this.chiField) this.laws.sensitivity!(this.S, this.chiField, t);
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
    // N_ρ = −∇·F + Γ, the divergence accumulated axis by axis (no zeroing, no separate subtraction).
    for (let j = 0; j < g.dim; j++) {
      await pause?.();
      be.rfft(g.shape, this.gradAxes[j], w);
      be.subtractGradient(out[0], w, g, j as 0 | 1 | 2, j === 0);
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
      if (this.laws.chemicalSource) {
        this.laws.chemicalSource(this.rho, this.S, this.tmp, t);
        be.rfft(g.shape, this.tmp, out[1]);
        be.dealias(out[1], g);
      } else {
        be.copy(out[1], u[0]);
        be.scale(out[1], p.chemical.beta);
      }
    }
  }

  /**
   * A drift CFL estimate from state u: 1 / Σ_d |χ| max|∂_d S| / h_d (NaN for a χ given as a
   * function); explicit schemes are stable near it.
   */
  stableStep(u: readonly Field[]): number {
    const be = this.backend,
      g = this.grid,
      p = this.p,
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
}
