// Exponential time differencing for u' = L u + N(t, u) with L diagonal in Fourier space.
// The stiff linear part is integrated exactly (coefficients from φ-functions); the nonlinear
// part explicitly. ETDRK2 (Cox–Matthews, order 2) and ETDRK4 (Cox–Matthews in the form of
// Kassam–Trefethen 2005, order 4). The stepper knows nothing about chemotaxis.
import type { Backend, Field } from '../backend/index.js';
import { phis } from './phi.js';
import { tabulate, type Pause } from './run.js';

/** The ETD schemes by name. */
export type Scheme = 'etdrk2' | 'etdrk4';

/** A semilinear problem in spectral space: components c with diagonal symbols linear[c]. */
export interface StiffProblem {
  readonly backend: Backend;
  /** Per component, the real diagonal symbol L_m of the stiff linear part (one entry per mode). */
  readonly linear: readonly Float64Array[];
  /** out[c] = N_c(t, u) (half spectra). Must not modify u. May await `pause` between its transforms (big grids). */
  nonlinear(t: number, u: readonly Field[], out: readonly Field[], pause?: Pause): void | Promise<void>;
}

/**
 * The schemes as coefficient tables, per mode with z = hL (φ-functions from phi.ts).
 * ETDRK2 (Cox–Matthews 2002):  a = E u + f1 N(u);  u⁺ = a + f2 (N(a) − N(u));
 *   E = e^z, f1 = h φ1(z), f2 = h φ2(z).
 * ETDRK4 (Cox–Matthews 2002 in the form of Kassam–Trefethen 2005):
 *   a = E2 u + Q N(u),  b = E2 u + Q N(a),  c = E2 a + Q (2N(b) − N(u)),
 *   u⁺ = E u + f1 N(u) + f2x2 (N(a) + N(b)) + f3 N(c);
 *   E2 = e^{z/2}, Q = (h/2) φ1(z/2), f1 = h(φ1 − 3φ2 + 4φ3), f2x2 = 2h(φ2 − 2φ3), f3 = h(4φ3 − φ2).
 */
export const SCHEMES = {
  etdrk2: {
    order: 2,
    slots: ['E', 'f1', 'f2'],
    coefficients: (h: number, z: number) => {
      const [e, p1, p2] = phis(z);
      return { E: e, f1: h * p1, f2: h * p2 };
    },
  },
  etdrk4: {
    order: 4,
    slots: ['E', 'E2', 'Q', 'f1', 'f2x2', 'f3'],
    coefficients: (h: number, z: number) => {
      const [e, p1, p2, p3] = phis(z),
        half = phis(z / 2);
      return {
        E: e,
        E2: half[0],
        Q: (h / 2) * half[1],
        f1: h * (p1 - 3 * p2 + 4 * p3),
        f2x2: 2 * h * (p2 - 2 * p3),
        f3: h * (4 * p3 - p2),
      };
    },
  },
} as const;

/** The order of each ETD scheme. */
export const SCHEME_ORDER: Record<Scheme, number> = {
  etdrk2: SCHEMES.etdrk2.order,
  etdrk4: SCHEMES.etdrk4.order,
};

/** Per component, one per-mode field for each slot of the scheme's table. */
type Table = Record<string, Field>;

/** Exponential time differencing (ETDRK2/ETDRK4, Cox–Matthews) of a StiffProblem, from the named coefficient tables. */
export class EtdStepper {
  readonly order: number;
  /** Tables of the most recently used step sizes (a step-doubling run uses h and h/2). */
  private readonly cache = new Map<number, Table[]>();
  private readonly be: Backend;
  private readonly n: number;
  /**
   * Stage buffers per component, allocated once: N(u), a, and two that take turns (N(a) → N(b) →
   * 2N(b) − N(u) → N(c); b → c). The result is summed as the stages come, in the order of the
   * formula, so the numbers are those of the textbook arrangement with eight buffers.
   */
  private readonly buf: Field[][];

  /** `tables`: how many step sizes' coefficient tables to keep (2 normally; 1 where memory is short). */
  constructor(
    readonly problem: StiffProblem,
    readonly scheme: Scheme,
    private readonly tables = 2,
  ) {
    this.order = SCHEME_ORDER[scheme];
    this.be = problem.backend;
    this.n = problem.linear[0].length;
    this.buf = Array.from({ length: 4 }, () => problem.linear.map(() => this.be.alloc(2 * this.n)));
  }

  /** out = u(t + h) from u(t). u is left untouched; out must be distinct from u. */
  async step(t: number, h: number, u: readonly Field[], out: readonly Field[], pause?: Pause): Promise<void> {
    const co = await this.coefficients(h, pause);
    const be = this.be,
      C = u.length;
    const [Nu, a, X, Y] = this.buf;
    // A stage's nonlinear term may take long on big grids: the run may yield or stop between stages
    // (and between the transforms inside one).
    const N = async (s: number, x: readonly Field[], y: readonly Field[]) => {
      await pause?.();
      await this.problem.nonlinear(s, x, y, pause);
    };
    await N(t, u, Nu);
    if (this.scheme === 'etdrk2') {
      for (let i = 0; i < C; i++)
        be.modeMulSum(a[i], [
          [co[i].E, u[i]],
          [co[i].f1, Nu[i]],
        ]);
      await N(t + h, a, X);
      for (let i = 0; i < C; i++) {
        be.axpy(X[i], -1, Nu[i]); // N(a) − N(u)
        be.copy(out[i], a[i]);
        be.modeMulAdd(out[i], co[i].f2, X[i]);
      }
      return;
    }
    // Each combination is one pass (modeMulSum), with the arithmetic of one pass per term.
    for (let i = 0; i < C; i++)
      be.modeMulSum(a[i], [
        [co[i].E2, u[i]],
        [co[i].Q, Nu[i]],
      ]);
    await N(t + h / 2, a, X); // X = N(a)
    for (let i = 0; i < C; i++) {
      be.modeMulSum(out[i], [
        [co[i].E, u[i]],
        [co[i].f1, Nu[i]],
        [co[i].f2x2, X[i]],
      ]);
      be.modeMulSum(Y[i], [
        [co[i].E2, u[i]],
        [co[i].Q, X[i]],
      ]); // Y = b
    }
    await N(t + h / 2, Y, X); // X = N(b)
    for (let i = 0; i < C; i++) {
      be.modeMulAdd(out[i], co[i].f2x2, X[i]);
      be.scale(X[i], 2);
      be.axpy(X[i], -1, Nu[i]); // X = 2N(b) − N(u)
      be.modeMulSum(Y[i], [
        [co[i].E2, a[i]],
        [co[i].Q, X[i]],
      ]); // Y = c
    }
    await N(t + h, Y, X); // X = N(c)
    for (let i = 0; i < C; i++) be.modeMulAdd(out[i], co[i].f3, X[i]);
  }

  /** The scheme's table for step h (per component, per mode), computed once and kept for the last few step sizes. */
  private async coefficients(h: number, pause?: Pause): Promise<Table[]> {
    const hit = this.cache.get(h);
    if (hit) {
      this.cache.delete(h); // most recently used last: the fixed dt outlives segment-landing steps
      this.cache.set(h, hit);
      return hit;
    }
    if (this.cache.size >= this.tables) {
      const [oldest, old] = this.cache.entries().next().value as [number, Table[]];
      old.flatMap((t) => Object.values(t)).forEach((f) => this.be.release(f));
      this.cache.delete(oldest);
    }
    const scheme = SCHEMES[this.scheme];
    const tables: Table[] = [];
    for (const L of this.problem.linear) {
      const arrays: Record<string, Float64Array> = Object.fromEntries(
        scheme.slots.map((k) => [k, new Float64Array(L.length)]),
      );
      let values: Record<string, number> = {};
      await tabulate(
        arrays[scheme.slots[0]],
        (m) => {
          values = scheme.coefficients(h, h * L[m]) as Record<string, number>;
          for (const k of scheme.slots) arrays[k][m] = values[k];
          return values[scheme.slots[0]];
        },
        pause,
      );
      const table: Table = {};
      for (const k of scheme.slots) {
        await pause?.();
        table[k] = this.be.fromArray(`${this.scheme} ${k}`, arrays[k]);
      }
      tables.push(table);
    }
    this.cache.set(h, tables);
    return tables;
  }
}
