// Initial data: arrays, functions of x, or named profiles (the form scenario files use).
import { ValidationError, checkNumber } from '../errors.js';
import type { Grid } from '../grid.js';

/** Named initial profiles, as scenario files write them. */
export type Profile =
  | { type: 'constant'; value: number; noise?: number; seed?: number }
  | { type: 'gaussian'; mass: number; width: number; center?: number[]; background?: number }
  | { type: 'cosine'; mean: number; amplitude: number; mode: number[] };

/** Initial data: a constant, grid values (x fastest), a function of (x, y, z), or a named profile. */
export type InitialData =
  number | ArrayLike<number> | ((x: number, y: number, z: number) => number) | Profile;

/** Deterministic uniform numbers in [-1, 1) (mulberry32), so noisy initial data are reproducible. */
export function seededNoise(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** Samples initial data on the grid; `field` names it in errors. */
export function sampleInitial(grid: Grid, data: InitialData, field: string): Float64Array {
  if (typeof data === 'number') return grid.sample(() => data, field);
  if (typeof data === 'function') return grid.sample(data, field);
  if (ArrayBuffer.isView(data) || Array.isArray(data)) {
    const a = data as ArrayLike<unknown>;
    if (a.length !== grid.nReal)
      throw new ValidationError(
        `${field}.length`,
        a.length,
        `exactly ${grid.nReal} (the number of grid points)`,
      );
    // Checked before conversion: Float64Array.from would turn null into 0 and "1" into 1.
    for (let i = 0; i < a.length; i++)
      if (typeof a[i] !== 'number' || !Number.isFinite(a[i]))
        throw new ValidationError(`${field}[${i}]`, a[i], 'a finite number');
    return Float64Array.from(a as ArrayLike<number>);
  }
  if (data && typeof data === 'object' && 'type' in data) {
    const p = data as Profile;
    if (p.type === 'constant') {
      const v = checkNumber(`${field}.value`, p.value, -Infinity, Infinity);
      const amp = checkNumber(`${field}.noise`, p.noise ?? 0, 0, 1);
      const r = seededNoise(p.seed ?? 1);
      return grid.sample(() => v * (1 + amp * r()), field);
    }
    if (p.type === 'gaussian') {
      const mass = checkNumber(`${field}.mass`, p.mass, 0, Infinity, { hiOpen: true });
      const w = checkNumber(`${field}.width`, p.width, 0, Infinity, { loOpen: true, hiOpen: true });
      const bg = checkNumber(`${field}.background`, p.background ?? 0, 0, Infinity, { hiOpen: true });
      const c = p.center ?? grid.lengths.map((l) => l / 2);
      if (!Array.isArray(c) || c.length !== grid.dim)
        throw new ValidationError(`${field}.center`, c, `${grid.dim} coordinates`);
      const norm = mass / Math.pow(2 * Math.PI * w * w, grid.dim / 2);
      return grid.sample((x, y, z) => {
        // Periodised distance to the centre.
        let r2 = 0;
        [x, y, z].slice(0, grid.dim).forEach((v, i) => {
          const L = grid.lengths[i];
          let d = v - c[i];
          d -= L * Math.round(d / L);
          r2 += d * d;
        });
        return bg + norm * Math.exp(-r2 / (2 * w * w));
      }, field);
    }
    if (p.type === 'cosine') {
      const mode = p.mode;
      if (!Array.isArray(mode) || mode.length !== grid.dim || !mode.every(Number.isInteger))
        throw new ValidationError(`${field}.mode`, mode, `${grid.dim} integer wave numbers`);
      const k = mode.map((j, i) => (2 * Math.PI * j) / grid.lengths[i]);
      return grid.sample(
        (x, y, z) => p.mean + p.amplitude * Math.cos(k[0] * x + (k[1] ?? 0) * y + (k[2] ?? 0) * z),
        field,
      );
    }
  }
  throw new ValidationError(
    field,
    data,
    "a number, an array of grid values, a function of (x, y, z), or a profile {type: 'constant' | 'gaussian' | 'cosine'}",
  );
}
