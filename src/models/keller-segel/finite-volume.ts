// The positivity-preserving, mass-conserving finite-volume discretisation of the fractional
// Keller–Segel family (docs/science.md, "Finite volumes"). State: cell averages ρ (and S when
// parabolic) in real space. Split as ∂t u = A u + B(u) for Strang splitting (integrate/strang.ts):
//   A: ρ′ = −Dρ (−Δ_h)^{α/2} ρ,  S′ = DS ΔS − μS + βρ    (exact, per Fourier mode)
//   B: ρ′ = −∇·(ρ χ(S) Q(∇S)) + Γ(ρ),  S′ = G(ρ, S) when a source G replaces βρ
// (−Δ_h)^{α/2} is the α/2 power of the periodic second-difference Laplacian, symbol
// (Σ_d 4/h_d² sin²(k_d h_d/2))^{α/2}: by Bochner subordination −(−Δ_h)^{α/2} generates a Markov
// semigroup, so e^{tA} is a positive, mass-preserving convolution. B is advanced by the growth law's
// exact flow (h/2), SSP-RK2 substeps of the minmod upwind drift under its CFL bound (h), and the
// growth flow again (h/2): each piece keeps ρ ≥ 0, the drift conserves mass to round-off.
import type { Backend, Field } from '../../backend/index.js';
import { NumericalError } from '../../errors.js';
import type { Grid } from '../../grid.js';
import type { SplitProblem } from '../../integrate/strang.js';
import { RANGES } from '../../laws.js';
import { tabulate, type Pause } from '../../integrate/run.js';
import type { ResolvedKellerSegel } from './options.js';

/** User laws the drift needs, evaluated by the model (they are shared with the spectral discretisation). */
export interface DriftLaws {
  /** Fills out with the per-point sensitivity factor c(S); null when χ is a constant matrix. */
  sensitivity: ((S: Field, out: Field, t: number) => void) | null;
  /** out = G(ρ, S) for a user chemical source; null when the source is βρ (then part of A). */
  chemicalSource: ((rho: Field, S: Field, out: Field, t: number) => void) | null;
}

/** Positivity of a forward-Euler drift step needs dt Σ_d max|u_d|/h_d ≤ 1/2 (minmod reconstruction). */
export const POSITIVITY_LIMIT = RANGES.cfl.hi;
/** A step whose drift needs more substeps than this is reported, not silently ground through. */
const MAX_SUBSTEPS = 100_000;
/** Linear-flow tables kept: a step-doubling run needs h/2 and h/4 (most recently used kept). */
const CACHE_SIZE = 2;

interface LinearTables {
  eRho: Field;
  eS: Field | null;
  cross: Field | null;
}

export class FiniteVolume implements SplitProblem {
  readonly backend: Backend;
  private readonly parabolic: boolean;
  /** Per-mode symbols of A: −Dρ(−Δ_h)^{α/2} and −DS|k|² − μ. */
  private readonly aRho: Float64Array;
  private readonly aS: Float64Array;
  private readonly tables = new Map<number, LinearTables>();
  private readonly rhoHat: Field;
  private readonly sHat: Field;
  private readonly S: Field;
  private readonly S1: Field;
  private readonly chiField: Field | null;
  private readonly velocity: Field[];
  private readonly k: Field;
  private readonly rho1: Field;
  private readonly source: Field;
  private readonly predictor: Field;
  private readonly stats = new Float64Array(4);

  constructor(
    private readonly grid: Grid,
    private readonly p: ResolvedKellerSegel,
    private readonly chi: Field,
    private readonly laws: DriftLaws,
    private readonly cfl: number,
  ) {
    const be = (this.backend = grid.backend),
      g = grid;
    this.parabolic = p.chemical.type === 'parabolic';
    // Modified wavenumbers k̃_d = (2/h_d) sin(k_d h_d/2): |k̃|² is the symbol of −Δ_h.
    const tilde = (k: Field, h: number) =>
      be.fromArray(
        'k̃',
        k.data.map((v) => (2 / h) * Math.sin((v * h) / 2)),
      );
    const [hx, hy = 1, hz = 1] = g.spacing;
    const axes = {
      ...g,
      shape: g.shape,
      nc: g.nc,
      nModes: g.nModes,
      kx: tilde(g.kx, hx),
      ky: tilde(g.ky, hy),
      kz: tilde(g.kz, hz),
    };
    const sym = be.alloc(g.nModes);
    be.modeNorm(sym, axes, p.alpha);
    this.aRho = sym.data.map((v) => -p.D * v);
    be.modeNorm(sym, g, 2);
    this.aS = sym.data.map((v) => -p.chemical.D * v - p.chemical.mu);
    [sym, axes.kx, axes.ky, axes.kz].forEach((f) => be.release(f));
    this.rhoHat = g.spectralField();
    this.sHat = g.spectralField();
    this.S = g.realField();
    this.S1 = g.realField();
    this.chiField = laws.sensitivity ? g.realField() : null;
    this.velocity = Array.from({ length: g.dim }, () => g.realField());
    this.k = g.realField();
    this.rho1 = g.realField();
    this.source = g.realField();
    this.predictor = g.realField();
  }

  /** out = e^{hA} u: ρ̂ ← e^{h aρ} ρ̂; Ŝ ← e^{h aS} Ŝ + β (e^{h aρ} − e^{h aS})/(aρ − aS) ρ̂ (exact, triangular). */
  async linearFlow(h: number, u: readonly Field[], out: readonly Field[], pause?: Pause): Promise<void> {
    const be = this.backend,
      g = this.grid,
      T = await this.linearTables(h, pause);
    be.rfft(g.shape, u[0], this.rhoHat);
    if (this.parabolic) {
      await pause?.();
      be.rfft(g.shape, u[1], this.sHat);
      be.modeScale(this.sHat, T.eS!);
      if (T.cross) be.modeMulAdd(this.sHat, T.cross, this.rhoHat);
      be.irfft(g.shape, this.sHat, out[1]);
      await pause?.();
    }
    be.modeScale(this.rhoHat, T.eRho);
    be.irfft(g.shape, this.rhoHat, out[0]);
  }

  /** out = Γ-flow(h/2) ∘ drift(h) ∘ Γ-flow(h/2) of u (symmetric, so second order). */
  async explicitFlow(
    t: number,
    h: number,
    u: readonly Field[],
    out: readonly Field[],
    pause?: Pause,
  ): Promise<void> {
    const be = this.backend;
    u.forEach((f, i) => be.copy(out[i], f));
    this.growthFlow(out[0], h / 2);
    await this.drift(t, h, out, pause);
    this.growthFlow(out[0], h / 2);
  }

  /** S(x) of a state into out: the elliptic solve of ρ, or the parabolic state's own S. */
  signal(u: readonly Field[], out: Field): void {
    if (this.parabolic) this.backend.copy(out, u[1]);
    else this.ellipticSignal(u[0], out);
  }

  /** Σ_d max|u_d|/h_d of the drift velocity at state u: its reciprocal is the largest Euler step keeping ρ ≥ 0 (× 1/2). */
  driftRate(u: readonly Field[], t: number): number {
    this.signal(u, this.S);
    return this.faceVelocities(this.S, t);
  }

  /** −S_h solves the chemical equation: S = β(DS|k|² + μ)^{-1} ρ per mode (mean zero when μ = 0). */
  private ellipticSignal(rho: Field, out: Field): void {
    const be = this.backend,
      c = this.p.chemical;
    be.rfft(this.grid.shape, rho, this.sHat);
    be.resolvent(this.sHat, this.grid, c.mu / c.D);
    be.scale(this.sHat, c.beta / c.D);
    be.irfft(this.grid.shape, this.sHat, out);
  }

  /** Face velocities for every axis from S; returns Σ_d max|u_d|/h_d (NaN if a velocity is not finite). */
  private faceVelocities(S: Field, t: number): number {
    const be = this.backend,
      g = this.grid,
      f = this.p.flux,
      st = this.stats;
    if (this.laws.sensitivity) this.laws.sensitivity(S, this.chiField!, t);
    let rate = 0;
    for (let d = 0; d < g.dim; d++) {
      be.faceVelocity(
        S,
        this.chiField,
        this.velocity[d],
        g,
        d,
        this.chi,
        f.type === 'limited',
        f.type === 'limited' ? f.ystar : 0,
      );
      be.stats(this.velocity[d], st);
      rate += st[3] > 0 ? NaN : Math.max(-st[1], st[2]) / g.spacing[d];
    }
    return rate;
  }

  /** out = −∇·(ρ u) with the upwind minmod fluxes of the current face velocities. */
  private divergence(rho: Field, out: Field): void {
    const g = this.grid;
    out.data.fill(0);
    for (let d = 0; d < g.dim; d++)
      this.backend.upwindDivergence(rho, this.velocity[d], out, g.shape, d, 1 / g.spacing[d]);
  }

  /**
   * SSP-RK2 (Heun) substeps of the drift over h, each within the CFL bound: ρ¹ = ρ + Δt L(ρ),
   * ρ ← ½ρ + ½(ρ¹ + Δt L(ρ¹)), a convex combination of positivity-preserving Euler steps.
   * An elliptic S is re-solved at each stage; a stage whose velocities break the bound is redone smaller.
   */
  private async drift(t: number, h: number, u: readonly Field[], pause?: Pause): Promise<void> {
    const be = this.backend,
      rho = u[0],
      G = this.laws.chemicalSource;
    const stateS = this.parabolic ? u[1] : null;
    let done = 0,
      substeps = 0,
      cap = Infinity;
    while (done < h) {
      await pause?.();
      if (++substeps > MAX_SUBSTEPS)
        throw new NumericalError(
          `finite-volume drift needed more than ${MAX_SUBSTEPS} CFL substeps in one step of ${h} at t = ${t + done}: the drift velocity is too large for this grid`,
          t + done,
        );
      const S = stateS ?? this.S;
      if (!stateS) this.ellipticSignal(rho, S);
      const rate = this.faceVelocities(S, t + done);
      if (!Number.isFinite(rate)) {
        rho.data.fill(NaN);
        return;
      } // reported by the monitor as non-finite
      let dt = Math.min(h - done, cap, rate > 0 ? this.cfl / rate : Infinity);
      if (h - done - dt <= 1e-12 * h) dt = h - done; // land on h, no round-off-sized substep
      this.divergence(rho, this.k);
      be.copy(this.rho1, rho);
      be.axpy(this.rho1, dt, this.k);
      if (G && stateS) {
        G(rho, stateS, this.source, t + done);
        be.copy(this.S1, stateS);
        be.axpy(this.S1, dt, this.source);
      }
      await pause?.(); // between the two stages: each is several passes over the grid
      const S1 = stateS ? (G ? this.S1 : stateS) : this.S;
      if (!stateS) this.ellipticSignal(this.rho1, S1);
      const rate1 = this.faceVelocities(S1, t + done + dt);
      if (rate1 * dt > POSITIVITY_LIMIT) {
        cap = this.cfl / rate1;
        continue;
      } // redo this substep smaller
      this.divergence(this.rho1, this.k);
      be.scale(rho, 0.5);
      be.axpy(rho, 0.5, this.rho1);
      be.axpy(rho, 0.5 * dt, this.k);
      if (G && stateS) {
        G(this.rho1, this.S1, this.source, t + done + dt);
        be.scale(stateS, 0.5);
        be.axpy(stateS, 0.5, this.S1);
        be.axpy(stateS, 0.5 * dt, this.source);
      }
      done = dt === h - done ? h : done + dt;
      cap = Infinity;
    }
  }

  /**
   * Exact flow of Γ over h: ρ′ = pρ + qρ² with (p, q) = (r, −r) (logistic) or (a0 − a2 M, a1)
   * (non-local, M = ∫ρ taken at the step's midpoint by one predictor pass: second order).
   */
  private growthFlow(rho: Field, h: number): void {
    const gr = this.p.growth,
      be = this.backend;
    if (gr.type === 'none') return;
    const flow = (target: Field, p: number, q: number) => {
      const z = p * h,
        phi = z === 0 ? h : Math.expm1(z) / p;
      be.growthFlow(target, Math.exp(z), q * phi);
    };
    if (gr.type === 'logistic') return flow(rho, gr.r, -gr.r);
    const M0 = this.mass(rho);
    be.copy(this.predictor, rho);
    flow(this.predictor, gr.a0 - gr.a2 * M0, gr.a1);
    const M1 = this.mass(this.predictor);
    flow(rho, gr.a0 - gr.a2 * 0.5 * (M0 + M1), gr.a1);
  }

  private mass(rho: Field): number {
    this.backend.stats(rho, this.stats);
    return this.stats[0] * this.grid.cellVolume;
  }

  /** e^{h aρ}, e^{h aS} and the coupling β(e^{h aρ} − e^{h aS})/(aρ − aS), per mode, kept for the last few h. */
  private async linearTables(h: number, pause?: Pause): Promise<LinearTables> {
    const hit = this.tables.get(h);
    if (hit) {
      this.tables.delete(h);
      this.tables.set(h, hit);
      return hit;
    }
    const be = this.backend;
    if (this.tables.size >= CACHE_SIZE) {
      const [oldest, old] = this.tables.entries().next().value as [number, LinearTables];
      [old.eRho, old.eS, old.cross].forEach((f) => f && be.release(f));
      this.tables.delete(oldest);
    }
    const aR = this.aRho,
      aS = this.aS,
      beta = this.p.chemical.beta,
      n = aR.length;
    const table = async (f: (m: number) => number) =>
      be.fromArray('linear flow', await tabulate(new Float64Array(n), f, pause));
    const eRho = await table((m) => Math.exp(h * aR[m]));
    let eS: Field | null = null,
      cross: Field | null = null;
    if (this.parabolic) {
      eS = await table((m) => Math.exp(h * aS[m]));
      if (!this.laws.chemicalSource) {
        cross = await table((m) => {
          const a = aR[m],
            z = (a - aS[m]) * h,
            er = Math.exp(h * a),
            es = Math.exp(h * aS[m]);
          // (e^{h aρ} − e^{h aS})/(aρ − aS) without cancellation: h e^{h aS} expm1(z)/z for small z.
          return (
            beta * (Math.abs(z) > 1e-3 ? (er - es) / (a - aS[m]) : h * es * (z === 0 ? 1 : Math.expm1(z) / z))
          );
        });
      }
    }
    const t = { eRho, eS, cross };
    this.tables.set(h, t);
    return t;
  }
}
