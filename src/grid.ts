// Periodic box [0, L0) × [0, L1) × [0, L2) with power-of-two points per axis, its wavenumbers
// and the 2/3 dealiasing masks, stored in backend memory for the spectral kernels.
import type { Backend, Field, Shape3, SpectralAxes } from './backend/index.js';
import { ValidationError, checkFftSize, checkNumber } from './errors.js';

/** A periodic box: points per axis (powers of two) and lengths (default 2π each). */
export interface GridOptions {
  /** Points per axis, x first: [nx], [nx, ny] or [nx, ny, nz]; powers of two, nx >= 2. */
  n: readonly number[];
  /** Box lengths per axis (default 2π each). */
  L?: readonly number[];
}

export class Grid implements SpectralAxes {
  readonly dim: 1 | 2 | 3;
  readonly shape: Shape3;
  readonly lengths: readonly number[];
  readonly nc: number;
  readonly nModes: number;
  readonly nReal: number;
  /** Grid spacing per axis and the volume of one cell (quadrature weight of ∫ dx). */
  readonly spacing: readonly number[];
  readonly cellVolume: number;
  readonly kx: Field;
  readonly ky: Field;
  readonly kz: Field;
  readonly gx: Field;
  readonly gy: Field;
  readonly gz: Field;
  readonly mx: Field;
  readonly my: Field;
  readonly mz: Field;

  constructor(
    readonly backend: Backend,
    opts: GridOptions,
    field = 'grid',
  ) {
    const n = opts.n;
    if (!Array.isArray(n) || n.length < 1 || n.length > 3)
      throw new ValidationError(`${field}.n`, n, 'an array of 1 to 3 grid sizes');
    n.forEach((v, i) => checkFftSize(`${field}.n[${i}]`, v, i === 0 ? 2 : 1, 2 ** 22, i === 0));
    const L = opts.L ?? n.map(() => 2 * Math.PI);
    if (!Array.isArray(L) || L.length !== n.length)
      throw new ValidationError(`${field}.L`, L, `an array of ${n.length} box lengths`);
    L.forEach((v, i) => checkNumber(`${field}.L[${i}]`, v, 0, Infinity, { loOpen: true, hiOpen: true }));
    this.dim = n.length as 1 | 2 | 3;
    this.shape = [n[0], n[1] ?? 1, n[2] ?? 1];
    this.lengths = [...L];
    this.nc = this.shape[0] / 2 + 1;
    this.nModes = this.nc * this.shape[1] * this.shape[2];
    this.nReal = this.shape[0] * this.shape[1] * this.shape[2];
    this.spacing = this.lengths.map((l, i) => l / n[i]);
    this.cellVolume = this.spacing.reduce((a, b) => a * b, 1);
    if (!(Number.isFinite(this.cellVolume) && this.cellVolume > 0))
      throw new ValidationError(
        `${field}.L`,
        L,
        'box lengths whose cell volume (product of L_i/n_i) is a finite positive number',
      );
    const axis = (i: number, half: boolean, odd: boolean, mask: boolean): Field => {
      const len = this.shape[i],
        l = this.lengths[i] ?? 2 * Math.PI;
      const count = half ? len / 2 + 1 : len;
      const out = new Float64Array(count);
      for (let j = 0; j < count; j++) {
        const js = j <= len / 2 ? j : j - len; // signed index
        if (mask) out[j] = Math.abs(js) < len / 3 || len === 1 ? 1 : 0;
        else out[j] = odd && 2 * j === len ? 0 : (2 * Math.PI * js) / l;
      }
      return backend.fromArray(`${field}.axis${i}`, out);
    };
    this.kx = axis(0, true, false, false);
    this.ky = axis(1, false, false, false);
    this.kz = axis(2, false, false, false);
    this.gx = axis(0, true, true, false);
    this.gy = axis(1, false, true, false);
    this.gz = axis(2, false, true, false);
    this.mx = axis(0, true, false, true);
    this.my = axis(1, false, false, true);
    this.mz = axis(2, false, false, true);
  }

  /** Cell-centre-free node coordinates along an axis: x_j = j L / n. */
  coordinates(axis: number): Float64Array {
    const n = this.shape[axis],
      h = this.spacing[axis];
    return Float64Array.from({ length: n }, (_, j) => j * h);
  }

  /** Samples f(x, y, z) on the nodes (x fastest), refusing non-finite values naming `field`. */
  sample(f: (x: number, y: number, z: number) => number, field: string): Float64Array {
    const [nx, ny, nz] = this.shape,
      [hx, hy = 0, hz = 0] = this.spacing;
    const out = new Float64Array(this.nReal);
    let i = 0;
    for (let c = 0; c < nz; c++)
      for (let b = 0; b < ny; b++)
        for (let a = 0; a < nx; a++, i++) {
          const v = f(a * hx, b * hy, c * hz);
          if (!Number.isFinite(v))
            throw new ValidationError(
              `${field}(${[a * hx, b * hy, c * hz]
                .slice(0, this.dim)
                .map((t) => t.toPrecision(4))
                .join(', ')})`,
              v,
              'a finite number',
            );
          out[i] = v;
        }
    return out;
  }

  /** A zeroed real field and a zeroed half-spectrum field on this grid. */
  realField(): Field {
    return this.backend.alloc(this.nReal);
  }
  /** A zeroed half-spectrum field (nx/2+1)·ny·nz complex values on this grid. */
  spectralField(): Field {
    return this.backend.alloc(2 * this.nModes);
  }
}

/**
 * The counts a memory estimate starts from, for grid sizes n (validated later by Grid): the shape
 * [nx, ny, nz], the dimension, real points R, half-spectrum modes N and their doubles M = 2N.
 */
export function gridCounts(n: readonly number[] | undefined): {
  shape: [number, number, number];
  dim: number;
  R: number;
  N: number;
  M: number;
} {
  const v = n ?? [];
  const shape: [number, number, number] = [v[0] ?? 2, v[1] ?? 1, v[2] ?? 1];
  const R = shape[0] * shape[1] * shape[2],
    N = (shape[0] / 2 + 1) * shape[1] * shape[2];
  return { shape, dim: Math.max(1, v.length), R, N, M: 2 * N };
}

/**
 * Doubles a grid of this shape holds outside its fields: wavenumber and mask tables per axis, and
 * the FFT plans and scratch (twiddles, real-FFT twiddles, row scratch). Part of the models' memory estimates.
 */
export function gridTableDoubles(shape: readonly number[]): number {
  const [nx, ny, nz] = shape;
  return 4 * (nx + ny + nz) + 3 * (nx / 2 + 1 + ny + nz);
}
