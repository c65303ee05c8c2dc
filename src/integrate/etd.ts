// Exponential time differencing for u' = L u + N(t, u) with L diagonal in Fourier space.
// The stiff linear part is integrated exactly (coefficients from φ-functions); the nonlinear
// part explicitly. ETDRK2 (Cox–Matthews, order 2) and ETDRK4 (Cox–Matthews in the form of
// Kassam–Trefethen 2005, order 4). The stepper knows nothing about chemotaxis.
import type { Backend, Field } from '../backend/index.js';
import { phis } from './phi.js';
import type { Pause } from './run.js';

export type Scheme = 'etdrk2' | 'etdrk4';
export const SCHEME_ORDER: Record<Scheme, number> = { etdrk2: 2, etdrk4: 4 };

/** A semilinear problem in spectral space: components c with diagonal symbols linear[c]. */
export interface StiffProblem {
  readonly backend: Backend;
  /** Per component, the real diagonal symbol L_m of the stiff linear part (one entry per mode). */
  readonly linear: readonly Float64Array[];
  /** out[c] = N_c(t, u) (half spectra). Must not modify u. */
  nonlinear(t: number, u: readonly Field[], out: readonly Field[]): void;
}

interface Coefficients {
  /** Per component: ETDRK4 [E, E2, Q, f1, 2 f2, f3] or ETDRK2 [E, h φ1, h φ2]. */
  perComponent: Field[][];
}

const CACHE_SIZE = 4;

export class EtdStepper {
  readonly order: number;
  private readonly cache = new Map<number, Coefficients>();
  private readonly be: Backend;
  private readonly n: number;
  /** Stage buffers: [Nu, a, Na, b, Nb, c, Nc, tmp] per component, allocated once. */
  private readonly buf: Field[][];

  constructor(readonly problem: StiffProblem, readonly scheme: Scheme) {
    this.order = SCHEME_ORDER[scheme];
    this.be = problem.backend;
    this.n = problem.linear[0].length;
    this.buf = Array.from({ length: 8 }, () => problem.linear.map(() => this.be.alloc(2 * this.n)));
  }

  /** out = u(t + h) from u(t). u is left untouched; out must be distinct from u. */
  async step(t: number, h: number, u: readonly Field[], out: readonly Field[], pause?: Pause): Promise<void> {
    const co = this.coefficients(h).perComponent;
    const be = this.be, C = u.length;
    const [Nu, a, Na, b, Nb, c, Nc, tmp] = this.buf;
    // A stage's nonlinear term may take long on big grids: the run may yield or stop between stages.
    const P = { nonlinear: async (s: number, x: readonly Field[], y: readonly Field[]) => {
      await pause?.();
      this.problem.nonlinear(s, x, y);
    } };
    await P.nonlinear(t, u, Nu);
    if (this.scheme === 'etdrk2') {
      for (let i = 0; i < C; i++) { be.modeMul(a[i], co[i][0], u[i]); be.modeMulAdd(a[i], co[i][1], Nu[i]); }
      await P.nonlinear(t + h, a, Na);
      for (let i = 0; i < C; i++) {
        be.copy(tmp[i], Na[i]); be.axpy(tmp[i], -1, Nu[i]);
        be.copy(out[i], a[i]); be.modeMulAdd(out[i], co[i][2], tmp[i]);
      }
      return;
    }
    for (let i = 0; i < C; i++) { be.modeMul(a[i], co[i][1], u[i]); be.modeMulAdd(a[i], co[i][2], Nu[i]); }
    await P.nonlinear(t + h / 2, a, Na);
    for (let i = 0; i < C; i++) { be.modeMul(b[i], co[i][1], u[i]); be.modeMulAdd(b[i], co[i][2], Na[i]); }
    await P.nonlinear(t + h / 2, b, Nb);
    for (let i = 0; i < C; i++) {
      be.copy(tmp[i], Nb[i]); be.scale(tmp[i], 2); be.axpy(tmp[i], -1, Nu[i]);
      be.modeMul(c[i], co[i][1], a[i]); be.modeMulAdd(c[i], co[i][2], tmp[i]);
    }
    await P.nonlinear(t + h, c, Nc);
    for (let i = 0; i < C; i++) {
      be.modeMul(out[i], co[i][0], u[i]);
      be.modeMulAdd(out[i], co[i][3], Nu[i]);
      be.modeMulAdd(out[i], co[i][4], Na[i]);
      be.modeMulAdd(out[i], co[i][4], Nb[i]);
      be.modeMulAdd(out[i], co[i][5], Nc[i]);
    }
  }

  /** Coefficient arrays for step h, computed once and kept for the last few step sizes. */
  private coefficients(h: number): Coefficients {
    const hit = this.cache.get(h);
    if (hit) return hit;
    if (this.cache.size >= CACHE_SIZE) {
      const [oldest, old] = this.cache.entries().next().value as [number, Coefficients];
      old.perComponent.flat().forEach((f) => this.be.release(f));
      this.cache.delete(oldest);
    }
    const four = this.scheme === 'etdrk4';
    const perComponent = this.problem.linear.map((L) => {
      const arrays = Array.from({ length: four ? 6 : 3 }, () => new Float64Array(L.length));
      for (let m = 0; m < L.length; m++) {
        const z = h * L[m];
        const [e, p1, p2, p3] = phis(z);
        if (four) {
          const half = phis(z / 2);
          arrays[0][m] = e;
          arrays[1][m] = half[0];
          arrays[2][m] = (h / 2) * half[1];
          arrays[3][m] = h * (p1 - 3 * p2 + 4 * p3);
          arrays[4][m] = 2 * h * (p2 - 2 * p3);
          arrays[5][m] = h * (4 * p3 - p2);
        } else {
          arrays[0][m] = e;
          arrays[1][m] = h * p1;
          arrays[2][m] = h * p2;
        }
      }
      return arrays.map((a, i) => this.be.fromArray(`etd coefficient ${i}`, a));
    });
    const co = { perComponent };
    this.cache.set(h, co);
    return co;
  }
}
