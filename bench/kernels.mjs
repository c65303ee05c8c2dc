// Kernel benchmarks: FFTs and the fractional-heat step, wasm backend vs fft.js / js backend.
import FFT from 'fft.js';
import { Grid } from '../dist/index.js';
import { compare } from './harness.mjs';

function random(n, seed = 1) {
  let s = seed;
  return Float64Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
}

export function benchKernels(wasm, js) {
  // Complex FFT: our wasm kernel against fft.js itself (the peer), same data, out of place.
  for (let p = 10; p <= 20; p += 2) {
    const n = 2 ** p,
      x = random(2 * n);
    const src = wasm.fromArray('x', x),
      dst = wasm.alloc(2 * n);
    const f = new FFT(n),
      out = new Float64Array(2 * n);
    compare('complex FFT (js = fft.js)', `2^${p}`, {
      wasm: () => wasm.fft(src, dst, n),
      js: () => f.transform(out, x),
    });
    wasm.release(src);
    wasm.release(dst);
  }
  // Real FFT, forward + inverse, through both backends.
  for (const p of [12, 16, 20]) {
    const n = 2 ** p,
      x = random(n);
    const run = (be) => {
      const r = be.fromArray('x', x),
        s = be.alloc(n + 2);
      return () => {
        be.rfft([n, 1, 1], r, s);
        be.irfft([n, 1, 1], s, r);
      };
    };
    compare('real FFT fwd+inv', `2^${p}`, { wasm: run(wasm), js: run(js) });
  }
  // Mixed-radix sizes 2^a·3^b·5^c (the js twin is the same Stockham algorithm in TypeScript), and
  // the neighbouring power of two through the same backend for the cost per point.
  for (const n of [1000, 1024, 3840, 4096]) {
    const run = (be) => {
      const x = be.fromArray('x', random(2 * n)),
        y = be.alloc(2 * n);
      return () => be.fft(x, y, n);
    };
    compare('complex FFT, any 2^a·3^b·5^c', `${n}`, { wasm: run(wasm), js: run(js) });
  }
  // 2-D real forward + inverse, at mixed and power-of-two sizes.
  const realPair = (n) => (be) => {
    const g = new Grid(be, { n: [n, n] }),
      r = be.fromArray('x', random(n * n)),
      s = g.spectralField();
    return () => {
      be.rfft(g.shape, r, s);
      be.irfft(g.shape, s, r);
    };
  };
  for (const n of [384, 512])
    compare('2-D real FFT fwd+inv, any 2^a·3^b·5^c', `${n}²`, {
      wasm: realPair(n)(wasm),
      js: realPair(n)(js),
    });
  for (const n of [256, 512, 1024])
    compare('2-D real FFT fwd+inv', `${n}²`, { wasm: realPair(n)(wasm), js: realPair(n)(js) });
  // One fractional-heat step in 2-D: r2c, the exp(-D|k|^α dt) table (as the ETD steppers keep it), c2r.
  const heat = (be) => {
    const g = new Grid(be, { n: [512, 512] }),
      u = be.fromArray('u', random(512 * 512)),
      s = g.spectralField(),
      e = be.alloc(g.nModes);
    be.modeNorm(e, g, 1.5);
    e.data.forEach((v, m) => (e.data[m] = Math.exp(-1e-3 * v)));
    return () => {
      be.rfft(g.shape, u, s);
      be.modeScale(s, e);
      be.irfft(g.shape, s, u);
    };
  };
  compare('fractional heat step', '2-D 512², α = 1.5', { wasm: heat(wasm), js: heat(js) });
  // Finite-volume drift kernels (assembly/volume.ts): face velocities and the minmod upwind divergence on both axes.
  const drift = (be) => {
    const g = new Grid(be, { n: [512, 512], L: [20, 20] }),
      S = be.fromArray('S', random(512 * 512, 3)),
      rho = be.fromArray(
        'rho',
        random(512 * 512, 4).map((v) => 1.5 + v),
      );
    const u = g.realField(),
      out = g.realField(),
      chi = be.fromArray('chi', [1, 0, 0, 1]);
    return () => {
      for (const d of [0, 1]) {
        be.faceVelocity(S, null, u, g, d, chi, false, 0);
        be.upwindDivergence(rho, u, out, g.shape, d, 1 / g.spacing[d]);
      }
    };
  };
  compare('finite-volume drift', '2-D 512², face velocities + upwind divergence', {
    wasm: drift(wasm),
    js: drift(js),
  });
}
