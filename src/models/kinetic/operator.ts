// The kinetic operator: one asymptotic-preserving IMEX step of SCIENCE.md §1 as a Stepper that the
// one Integrator loop drives,
//   m(ε) ∂t f + ε v·∇x f = L0(f) + (m(ε)/ε) L1(S, f) + m(ε) R(f, S),   ∂t S = DS ΔS + βρ − μS.
// Fourier in x; relaxation and transport implicit and solved exactly per Fourier mode
// (assembly/quadrature.ts), turning L1 and growth R explicit, then the chemical implicitly. The
// schemes are the SBDF tables of integrate/imex.ts: 'euler' (SBDF1) and variable-step 'bdf2'
// (SBDF2, whose history is part of the state, so a step never writes its input). At fixed Δt, as
// ε → 0 the update of ρ tends to the same scheme for ∂tρ = −σ_ε(k)ρ − ∇·H + Γ, σ_ε → Dρ|k|^{γ+1}.
import type { Field, ScopedBackend, VelocitySet, VelocitySource } from '../../backend/index.js';
import { ValidationError } from '../../errors.js';
import { evaluateLaw } from '../model.js';
import type { Grid } from '../../grid.js';
import { IMEX_SCHEMES, sbdf1, sbdf2 } from '../../integrate/imex.js';
import type { Stepper } from '../../integrate/run.js';
import type { VelocityGrid } from '../../velocity.js';
import { equilibriumSquare } from '../../coefficients.js';
import type { ResolvedKinetic } from './options.js';

/** Named views of one state (see KineticOperator.layout). */
interface StateView {
  f: Field;
  /** f̂ per velocity (views of f). */
  fParts: Field[];
  S: Field | null;
  rho: Field;
  /** SBDF2 history: f̂, Ŝ, the explicit sources R̂ and P̂ of the previous step, and its size (0 before the first). */
  history: { f: Field; S: Field | null; R: Field | null; RParts: Field[]; P: Field[]; h: Field } | null;
}

/** Coefficients of one step size: dinv(k), the chemical's implicit factor, the turning weights dt/ε a_d(v). */
interface StepCoefficients {
  dt: number;
  a0: number;
  dinv: Field;
  chem: Field | null;
  turning: Field[];
}

/** One separable turning term a(v) b(v') c(S) in backend memory: a_d(v_j) per axis, b_j w_j, and A_d = ∫a_d. */
interface TurningTerm {
  a: Field[];
  bWeights: Field;
  b: Float64Array;
  A: number[];
  c: ((S: number) => number) | undefined;
  /** ψ(x) = c(S) A·Q(∇S) when ∫a ≠ 0 (the loss part of L1), else null. */
  psi: Field | null;
}

export class KineticOperator implements Stepper {
  readonly order: number;
  readonly vset: VelocitySet;
  /** ∫F² dv (the growth law's normalisation). */
  private readonly F2: number;
  /** The turning kernel's separable terms, and those with ∫a ≠ 0 (a loss field ψ). */
  private readonly terms: TurningTerm[] = [];
  private readonly lossTerms: TurningTerm[];
  /** Per-velocity physical-space work: growth R, or the ∫a ≠ 0 part of the turning operator. */
  private readonly physical: boolean;
  private readonly cache: StepCoefficients[] = [];
  /** Keyed by a state's f: the Integrator accepts a step by swapping whole states' fields. */
  private readonly views = new WeakMap<Field, StateView>();
  // Work fields (a step allocates nothing).
  private readonly w: Field;
  private readonly num: Field;
  /** P̂_{m,d} per term and axis, and their SBDF2 extrapolations. */
  private readonly spec: Field[];
  private readonly Pstar: Field[];
  private readonly re: Field;
  private readonly re2: Field;
  private readonly S: Field;
  private readonly source: Field;
  private readonly gradAxes: Field[];
  private readonly flux: Field;
  private readonly grad: Field;
  private readonly fluxAxes: Field[];
  private readonly ones: Field;
  private readonly chiId: Field;

  constructor(
    private readonly be: ScopedBackend,
    private readonly grid: Grid,
    velocity: VelocityGrid,
    private readonly p: ResolvedKinetic,
    /** m(ε) and ν(v_j) of the collision operator. */
    private readonly scale: number,
    nu: Float64Array,
  ) {
    const V = velocity,
      g = grid,
      dim = g.dim;
    this.order = IMEX_SCHEMES[p.scheme].order;
    this.vset = {
      size: V.size,
      vx: be.fromArray('velocity.vx', V.vx),
      vy: be.fromArray('velocity.vy', V.vy),
      vz: be.fromArray('velocity.vz', V.vz),
      w: be.fromArray('velocity.weights', V.weights),
      nu: be.fromArray('collision.nu', nu),
      F: be.fromArray('velocity.F', V.F),
    };
    this.F2 = equilibriumSquare(V);
    const kernels = p.turning?.kernels ?? [];
    kernels.forEach((kernel, m) => {
      const name = kernels.length > 1 ? `turning.kernel[${m}]` : 'turning.kernel';
      const aVals = Array.from({ length: dim }, () => new Float64Array(V.size));
      const bVals = new Float64Array(V.size);
      const A = new Array<number>(dim).fill(0);
      for (let j = 0; j < V.size; j++) {
        const v = V.velocity(j);
        const a = kernel.a(v),
          b = kernel.b ? kernel.b(v) : 1;
        for (let d = 0; d < dim; d++) {
          if (!Number.isFinite(a[d]))
            throw new ValidationError(`${name}.a(${v})[${d}]`, a[d], 'a finite number');
          aVals[d][j] = a[d];
          A[d] += V.weights[j] * a[d];
        }
        if (!Number.isFinite(b)) throw new ValidationError(`${name}.b(${v})`, b, 'a finite number');
        bVals[j] = b;
      }
      this.terms.push({
        a: aVals.map((a, d) => be.fromArray(`turning.a[${m}][${d}]`, a)),
        bWeights: be.fromArray(
          'turning.b',
          bVals.map((b, j) => b * V.weights[j]),
        ),
        b: bVals,
        A,
        c: kernel.c,
        psi: A.some((x) => Math.abs(x) > 1e-12) ? g.realField() : null,
      });
    });
    this.lossTerms = this.terms.filter((t) => t.psi);
    this.physical = p.growth.type !== 'none' || this.lossTerms.length > 0;
    this.w = g.spectralField();
    this.num = g.spectralField();
    this.spec = this.terms.flatMap(() => Array.from({ length: dim }, () => g.spectralField()));
    this.Pstar = p.scheme === 'bdf2' ? this.spec.map(() => g.spectralField()) : [];
    this.re = g.realField();
    this.re2 = g.realField();
    this.S = g.realField();
    this.source = g.realField();
    this.grad = be.alloc(dim * g.nReal);
    this.flux = be.alloc(dim * g.nReal);
    this.gradAxes = Array.from({ length: dim }, (_, d) => this.grad.slice(d * g.nReal, g.nReal));
    this.fluxAxes = Array.from({ length: dim }, (_, d) => this.flux.slice(d * g.nReal, g.nReal));
    this.ones = be.fromArray('ones', new Float64Array(g.nReal).fill(1));
    this.chiId = be.fromArray(
      'identity',
      Array.from({ length: dim * dim }, (_, i) => (i % (dim + 1) === 0 ? 1 : 0)),
    );
  }

  /**
   * The lengths of the state's fields: [f̂ (Nv half spectra, velocity-major), Ŝ (with a chemical),
   * ρ̂]; for 'bdf2' then [f̂ⁿ⁻¹, Ŝⁿ⁻¹?, R̂ⁿ⁻¹ (with physical sources), P̂ⁿ⁻¹_d (with turning), hⁿ⁻¹].
   * The first 1 or 2 (f̂, Ŝ) are the solution; ρ̂ = Σ w_j f̂_j is carried so a step need not recompute it.
   */
  layout(): { lengths: number[]; solution: number } {
    const M2 = 2 * this.grid.nModes,
      F = this.vset.size * M2,
      chem = this.p.chemical !== null;
    const lengths = [F, ...(chem ? [M2] : []), M2];
    if (this.p.scheme === 'bdf2')
      lengths.push(F, ...(chem ? [M2] : []), ...(this.physical ? [F] : []), ...this.spec.map(() => M2), 1);
    return { lengths, solution: chem ? 2 : 1 };
  }

  /** Named views of a state (made once per state: a step allocates nothing). */
  view(u: readonly Field[]): StateView {
    let v = this.views.get(u[0]);
    if (v) return v;
    const chem = this.p.chemical !== null,
      M2 = 2 * this.grid.nModes;
    const parts = (x: Field) => Array.from({ length: this.vset.size }, (_, j) => x.slice(j * M2, M2));
    let i = 0;
    const f = u[i++],
      S = chem ? u[i++] : null,
      rho = u[i++];
    let history: StateView['history'] = null;
    if (this.p.scheme === 'bdf2') {
      const hf = u[i++],
        hS = chem ? u[i++] : null,
        R = this.physical ? u[i++] : null,
        P = this.spec.map(() => u[i++]);
      history = { f: hf, S: hS, R, RParts: R ? parts(R) : [], P, h: u[i++] };
    }
    v = { f, fParts: parts(f), S, rho, history };
    this.views.set(u[0], v);
    return v;
  }

  /** One step of size h from state u into out (u untouched). */
  step(t: number, h: number, u: readonly Field[], out: readonly Field[]): void {
    const be = this.be,
      g = this.grid,
      dim = g.dim,
      s = this.view(u),
      o = this.view(out),
      H = s.history,
      OH = o.history;
    // SBDF2 weights for ω = h/hⁿ⁻¹ (SBDF1 for 'euler' and for the first step).
    const hPrev = H ? H.h.data[0] : 0;
    const bdf = H !== null && hPrev > 0;
    const {
      a0,
      b: [b1, b2],
      c: [c1, c2],
    } = bdf ? sbdf2(h / hPrev) : sbdf1();
    const co = this.coefficients(h, a0);
    const lam = h / this.scale;
    const sources: VelocitySource[] = [];
    const tr = this.p.turning;
    if (tr && s.S) {
      // ∇S in x (Q(∇S) is taken inside driftFlux), and S in x for the c_m(S).
      for (let d = 0; d < dim; d++) {
        be.gradient(s.S, this.w, g, d as 0 | 1 | 2);
        be.irfft(g.shape, this.w, this.gradAxes[d]);
      }
      if (this.terms.some((term) => term.c)) this.toReal(s.S, this.S);
      const limited = tr.flux.type === 'limited',
        ystar = tr.flux.type === 'limited' ? tr.flux.ystar : 0;
      this.terms.forEach((term, m) => {
        let cField: Field | null = null;
        const c = term.c;
        if (c) {
          const name = this.terms.length > 1 ? `turning.kernel[${m}].c(S)` : 'turning.kernel.c(S)';
          evaluateLaw(this.re2, this.S, (i, S) => c(S[i]), name, t);
          cField = this.re2;
        }
        // P_{m,d}(x) = m_b(x) c_m(S) Q_d(∇S), m_b = ∫ b_m f dv: the rank-one part of the term, added as s_j P̂ in the kernel.
        be.velocityMoment(s.f, this.vset.size, term.bWeights, this.num);
        this.toReal(this.num, this.re);
        be.driftFlux(this.re, this.grad, this.flux, dim, this.chiId, cField, limited, ystar);
        for (let d = 0; d < dim; d++) {
          const i = m * dim + d;
          be.rfft(g.shape, this.fluxAxes[d], this.spec[i]);
          if (!H || !OH) {
            sources.push([co.turning[i], this.spec[i]]);
            continue;
          }
          // Extrapolated explicit source (1+ω)P̂ⁿ − ωP̂ⁿ⁻¹; P̂ⁿ becomes the history.
          be.copy(this.Pstar[i], this.spec[i]);
          if (bdf) {
            be.scale(this.Pstar[i], c1);
            be.axpy(this.Pstar[i], c2, H.P[i]);
          }
          be.copy(OH.P[i], this.spec[i]);
          sources.push([co.turning[i], this.Pstar[i]]);
        }
        if (term.psi) {
          // ψ_m(x) = c_m(S) A_m·Q(∇S): the loss part −ψ_m b_m(v) f of L1 (zero for odd a).
          be.driftFlux(this.ones, this.grad, this.flux, dim, this.chiId, cField, limited, ystar);
          term.psi.data.fill(0);
          for (let d = 0; d < dim; d++) be.axpy(term.psi, term.A[d], this.fluxAxes[d]);
        }
      });
    }
    // The right-hand side b1 fⁿ + b2 fⁿ⁻¹ + h(c1 R̂ⁿ + c2 R̂ⁿ⁻¹) in out's f, then the implicit solve in place.
    if (H && OH) {
      be.copy(o.f, H.f);
      be.scale(o.f, b2);
      be.axpy(o.f, b1, s.f);
      if (this.physical)
        this.physicalSources(s, (j, r) => {
          be.axpy(o.fParts[j], h * c1, r);
          if (bdf) be.axpy(o.fParts[j], h * c2, H.RParts[j]);
          be.copy(OH.RParts[j], r);
        });
      be.copy(OH.f, s.f);
    } else {
      be.copy(o.f, s.f);
      if (this.physical) this.physicalSources(s, (j, r) => be.axpy(o.fParts[j], h, r));
    }
    be.kineticRelax(o.f, this.vset, g, sources, lam, lam * this.p.eps, a0, co.dinv, this.num, o.rho);
    if (s.S && o.S && co.chem) {
      // Sⁿ⁺¹ = ((1+ω)Sⁿ − ω²/(1+ω)Sⁿ⁻¹ + h β ρⁿ⁺¹) / (a0 + h(DS|k|² + μ)).
      be.copy(o.S, s.S);
      if (H?.S && OH?.S) {
        be.scale(o.S, b1);
        if (bdf) be.axpy(o.S, b2, H.S);
        be.copy(OH.S, s.S);
      }
      be.axpy(o.S, h * this.p.chemical!.beta, o.rho);
      be.modeScale(o.S, co.chem);
    }
    if (OH) OH.h.data[0] = h;
  }

  /** For every velocity j, use(j, FFT[R(f_j) − ε⁻¹ Σ_m b_m(v_j) ψ_m f_j]) (pointwise in x and v, from fⁿ). */
  private physicalSources(s: StateView, use: (j: number, source: Field) => void): void {
    const be = this.be,
      g = this.grid,
      gr = this.p.growth;
    const mass = s.rho.data[0] * g.cellVolume;
    const [a0, a1, c] =
      gr.type === 'logistic'
        ? [gr.r, -gr.r / this.F2, 0]
        : gr.type === 'nonlocal'
          ? [gr.a0, gr.a1 / this.F2, gr.a2 * mass]
          : [0, 0, 0];
    // ψ_m is only set when a chemical drives the turning (it is skipped without one).
    const losses = s.S ? this.lossTerms : [];
    for (let j = 0; j < this.vset.size; j++) {
      this.toReal(s.fParts[j], this.re);
      be.growth(this.re, this.source, a0, a1, c);
      for (const term of losses) {
        be.mul(this.re2, this.re, term.psi!);
        be.axpy(this.source, -term.b[j] / this.p.eps, this.re2);
      }
      be.rfft(g.shape, this.source, this.w);
      use(j, this.w);
    }
  }

  /** dinv(k), the chemical factor and the turning weights for step dt, kept for the last few step sizes. */
  private coefficients(dt: number, a0: number): StepCoefficients {
    const hit = this.cache.find((c) => c.dt === dt && c.a0 === a0);
    if (hit) return hit;
    const g = this.grid,
      be = this.be;
    // Fixed steps use one size (two around a landing); step doubling h and h/2; SBDF2 varies a0 with ω.
    if (this.cache.length >= 4) {
      const old = this.cache.shift()!;
      for (const f of [old.dinv, old.chem, ...old.turning]) if (f) be.release(f);
    }
    const lam = dt / this.scale;
    const dinv = be.alloc(2 * g.nModes);
    be.kineticDinv(dinv, this.vset, g, lam, lam * this.p.eps, a0);
    let chem: Field | null = null;
    const ch = this.p.chemical;
    if (ch) {
      const k2 = be.alloc(g.nModes);
      be.modeNorm(k2, g, 2);
      chem = be.fromArray(
        'chemical factor',
        k2.data.map((v) => 1 / (a0 + dt * (ch.D * v + ch.mu))),
      );
      be.release(k2);
    }
    const turning = this.terms.flatMap((term) =>
      term.a.map((a) =>
        be.fromArray(
          'turning coefficients',
          a.data.map((x) => (dt / this.p.eps) * x),
        ),
      ),
    );
    const co = { dt, a0, dinv, chem, turning };
    this.cache.push(co);
    return co;
  }

  /** x of a half spectrum (the spectrum is kept: the transform works in the work field). */
  toReal(spec: Field, out: Field): void {
    this.be.irfft(this.grid.shape, spec, out, this.w);
  }
}
