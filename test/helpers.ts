import { createBackend, type Backend } from '../src/backend/index.js';
import { seededNoise } from '../src/models/initial.js';

/** Both backends, for tests that run one table against each. */
export const backends: Backend[] = [await createBackend('wasm'), await createBackend('js')];

export function randomArray(n: number, seed: number): Float64Array {
  const r = seededNoise(seed);
  return Float64Array.from({ length: n }, r);
}

/** max |a - b| / max |b| */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / (den || 1);
}

/** Direct O(n^2) complex DFT (sign -1 forward), in long double-ish accuracy via compensated angles. */
export function directDft(x: ArrayLike<number>, n: number, stride = 1, offset = 0, sign = -1): Float64Array {
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    let re = 0,
      im = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a),
        s = Math.sin(a);
      const i = 2 * (offset + j * stride);
      re += x[i] * c - x[i + 1] * s;
      im += x[i] * s + x[i + 1] * c;
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}
