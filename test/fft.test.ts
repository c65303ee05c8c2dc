import { describe, expect, it } from 'vitest';
import { Grid } from '../src/grid.js';
import type { KernelSet } from '../src/backend/kernels.js';
import { backends, directDft, randomArray, relErr } from './helpers.js';

describe.each(backends)('FFT on the $kind backend', (be) => {
  it('complex FFT matches a direct DFT for every power of two up to 2^12 (rel. err < 1e-12)', () => {
    for (let p = 0; p <= 12; p++) {
      const n = 2 ** p;
      const x = randomArray(2 * n, p + 1);
      const src = be.fromArray('x', x),
        dst = be.alloc(2 * n);
      be.fft(src, dst, n);
      expect(relErr(dst.data, directDft(x, n)), `n = ${n}`).toBeLessThan(1e-12);
      be.fft(src, dst, n, true);
      const inv = directDft(x, n, 1, 0, 1).map((v) => v / n);
      expect(relErr(dst.data, inv), `inverse n = ${n}`).toBeLessThan(1e-12);
      expect(Array.from(src.data)).toEqual(Array.from(x)); // out-of-place preserves the input
    }
  });

  it('round trip is the identity to 1e-13 up to 2^20 (and 2^22), in place', () => {
    for (const p of [1, 2, 3, 7, 13, 16, 19, 20, 22]) {
      const n = 2 ** p;
      const x = randomArray(2 * n, 100 + p);
      const f = be.fromArray('x', x);
      be.fft(f, f, n);
      be.fft(f, f, n, true);
      expect(relErr(f.data, x), `n = ${n}`).toBeLessThan(1e-13);
    }
  });

  it('satisfies Parseval: sum |x|^2 = sum |X|^2 / n', () => {
    const n = 4096,
      x = randomArray(2 * n, 7);
    const f = be.fromArray('x', x);
    be.fft(f, f, n);
    const e1 = x.reduce((s, v) => s + v * v, 0);
    const e2 = f.data.reduce((s, v) => s + v * v, 0) / n;
    expect(Math.abs(e1 - e2) / e1).toBeLessThan(1e-13);
  });

  it('real FFT agrees with the complex FFT of the same data (half spectrum)', () => {
    for (const n of [2, 4, 8, 64, 1024, 32768]) {
      const x = randomArray(n, n);
      const c = be.alloc(2 * n);
      x.forEach((v, i) => (c.data[2 * i] = v));
      be.fft(c, c, n);
      const spec = be.alloc(n + 2);
      be.rfft([n, 1, 1], be.fromArray('x', x), spec);
      expect(relErr(spec.data, c.data.subarray(0, n + 2)), `n = ${n}`).toBeLessThan(1e-13);
      const back = be.alloc(n);
      be.irfft([n, 1, 1], spec, back);
      expect(relErr(back.data, x), `round trip n = ${n}`).toBeLessThan(1e-13);
    }
  });

  // Rows go through the transform in pairs (split layout) where nx/2 is a power of two; [16, 5, 3]
  // has 15 rows: 7 pairs and a last row alone.
  it.each([[[16, 8, 1]], [[8, 4, 16]], [[32, 32, 1]], [[4, 2, 2]], [[16, 5, 3]], [[4, 8, 8]]] as const)(
    '%j real transform matches separable direct DFTs',
    (shape) => {
      const [nx, ny, nz] = shape,
        N = nx * ny * nz,
        nc = nx / 2 + 1;
      const x = randomArray(N, N + nx);
      // Direct separable transform of the full complex field, then keep kx in [0, nx/2].
      let full = new Float64Array(2 * N);
      x.forEach((v, i) => (full[2 * i] = v));
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          full.set(directDft(full, nx, 1, (z * ny + y) * nx), 2 * (z * ny + y) * nx);
      for (let z = 0; z < nz; z++)
        for (let a = 0; a < nx; a++) {
          const col = directDft(full, ny, nx, z * ny * nx + a);
          for (let y = 0; y < ny; y++) {
            full[2 * ((z * ny + y) * nx + a)] = col[2 * y];
            full[2 * ((z * ny + y) * nx + a) + 1] = col[2 * y + 1];
          }
        }
      const tmp = full.slice();
      for (let y = 0; y < ny; y++)
        for (let a = 0; a < nx; a++) {
          const col = directDft(tmp, nz, nx * ny, y * nx + a);
          for (let z = 0; z < nz; z++) {
            full[2 * ((z * ny + y) * nx + a)] = col[2 * z];
            full[2 * ((z * ny + y) * nx + a) + 1] = col[2 * z + 1];
          }
        }
      const expected = new Float64Array(2 * nc * ny * nz);
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let a = 0; a < nc; a++) {
            const m = (z * ny + y) * nc + a,
              i = (z * ny + y) * nx + a;
            expected[2 * m] = full[2 * i];
            expected[2 * m + 1] = full[2 * i + 1];
          }
      const spec = be.alloc(2 * nc * ny * nz),
        real = be.fromArray('x', x);
      be.rfft(shape, real, spec);
      expect(relErr(spec.data, expected)).toBeLessThan(1e-12);
      const back = be.alloc(N);
      be.irfft(shape, spec, back);
      expect(relErr(back.data, x)).toBeLessThan(1e-13);
    },
  );

  it('keeps field views valid when memory grows between two uses of the same field', () => {
    const x = randomArray(512, 3);
    const f = be.fromArray('x', x);
    const before = be.memoryBytes();
    const big = be.alloc(4_000_000); // forces growth on the wasm backend
    expect(be.memoryBytes()).toBeGreaterThan(before);
    expect(Array.from(f.data)).toEqual(Array.from(x));
    be.fft(f, f, 256);
    be.fft(f, f, 256, true);
    expect(relErr(f.data, x)).toBeLessThan(1e-13);
    be.release(big);
  });
});

describe.each(backends)('Fourier multipliers on the $kind backend', (be) => {
  it.each([0.5, 1.2, 1.5, 2])(
    'fractional heat equation decays each mode as exp(-D|k|^α t), α = %s, in 1-D, 2-D and 3-D',
    (alpha) => {
      const D = 0.3,
        t = 0.7;
      // Powers of two and mixed sizes 2^a·3^b·5^c (radix-2/3/4/5 stages).
      for (const n of [[64], [32, 16], [16, 8, 8], [96], [48, 30], [20, 12, 10]]) {
        const g = new Grid(be, { n, L: n.map((_, i) => 2 * Math.PI * (i + 1)) });
        // u0 = sum of a few modes with known wavevectors
        const modes = [
          [1, 0, 0],
          [3, 1, 0],
          [2, 2, 1],
          [0, 1, 1],
        ].map((m) => m.slice(0, g.dim).concat([0, 0]).slice(0, 3));
        const k = (m: number[]) => m.map((j, i) => (2 * Math.PI * j) / g.lengths[i] || 0);
        const u0 = (x: number, y: number, z: number) =>
          modes.reduce((s, m, i) => s + (i + 1) * Math.cos(k(m)[0] * x + k(m)[1] * y + k(m)[2] * z), 1);
        const exact = (x: number, y: number, z: number) =>
          modes.reduce((s, m, i) => {
            const kk = k(m),
              norm = Math.hypot(...kk);
            return (
              s + (i + 1) * Math.exp(-D * norm ** alpha * t) * Math.cos(kk[0] * x + kk[1] * y + kk[2] * z)
            );
          }, 1);
        const u = be.fromArray('u', g.sample(u0, 'u0')),
          spec = g.spectralField();
        be.rfft(g.shape, u, spec);
        // The per-mode table the ETD steppers build: exp(−D|k|^α t) from modeNorm, applied by modeScale.
        const factor = be.alloc(g.nModes);
        be.modeNorm(factor, g, alpha);
        factor.data.forEach((v, m) => (factor.data[m] = Math.exp(-D * t * v)));
        be.modeScale(spec, factor);
        be.irfft(g.shape, spec, u);
        expect(relErr(u.data, g.sample(exact, 'exact')), `grid ${n}`).toBeLessThan(1e-13);
      }
    },
  );

  it('gradient, |k|² and resolvent act as i k, -|k|^2 and (|k|^2+μ)^-1 on a trigonometric field', () => {
    const g = new Grid(be, { n: [32, 16], L: [2 * Math.PI, 4 * Math.PI] });
    const f = (x: number, y: number) => Math.sin(2 * x) * Math.cos(1.5 * y) + 0.5;
    const spec = g.spectralField(),
      work = g.spectralField(),
      out = g.realField();
    const fwd = () => be.rfft(g.shape, be.fromArray('f', g.sample(f, 'f')), spec);
    fwd();
    be.gradient(spec, work, g, 1);
    be.irfft(g.shape, work, out);
    expect(
      relErr(
        out.data,
        g.sample((x, y) => -1.5 * Math.sin(2 * x) * Math.sin(1.5 * y), 'dy'),
      ),
    ).toBeLessThan(1e-13);
    fwd();
    const k2 = be.alloc(g.nModes);
    be.modeNorm(k2, g, 2);
    be.scale(k2, -1);
    be.modeScale(spec, k2);
    be.irfft(g.shape, spec, out);
    expect(
      relErr(
        out.data,
        g.sample((x, y) => -(4 + 2.25) * Math.sin(2 * x) * Math.cos(1.5 * y), 'lap'),
      ),
    ).toBeLessThan(1e-13);
    fwd();
    be.resolvent(spec, g, 0);
    be.irfft(g.shape, spec, out); // zero-mean solution: the constant 0.5 is dropped
    expect(
      relErr(
        out.data,
        g.sample((x, y) => (Math.sin(2 * x) * Math.cos(1.5 * y)) / 6.25, 'res'),
      ),
    ).toBeLessThan(1e-13);
    fwd();
    be.resolvent(spec, g, 2);
    be.irfft(g.shape, spec, out);
    expect(
      relErr(
        out.data,
        g.sample((x, y) => (Math.sin(2 * x) * Math.cos(1.5 * y)) / 8.25 + 0.25, 'res2'),
      ),
    ).toBeLessThan(1e-13);
  });

  it('|k|^α at α = 2 equals |k|², and dealiasing keeps exactly |j| < n/3', () => {
    const g = new Grid(be, { n: [16, 8] });
    const a = g.spectralField(),
      k2 = be.alloc(g.nModes),
      kAlpha = be.alloc(g.nModes);
    be.modeNorm(k2, g, 2);
    be.modeNorm(kAlpha, g, 2.0000000001);
    expect(relErr(kAlpha.data, k2.data)).toBeLessThan(1e-8);
    a.data.fill(1);
    be.dealias(a, g);
    let kept = 0;
    for (let m = 0; m < g.nModes; m++) kept += a.data[2 * m];
    expect(kept).toBe(6 * 5); // kx in 0..5 (|j| < 16/3), ky in {0, ±1, ±2} (|j| < 8/3)
  });
});

describe.each(backends)('mixed-radix sizes 2^a·3^b·5^c on the $kind backend', (be) => {
  /** The DFT by its definition (O(n²)), forward or inverse (scaled by 1/n). */
  const dft = (x: Float64Array, n: number, inverse: boolean) => {
    const out = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      let re = 0,
        im = 0;
      for (let j = 0; j < n; j++) {
        const a = ((inverse ? 2 : -2) * Math.PI * ((j * k) % n)) / n;
        re += x[2 * j] * Math.cos(a) - x[2 * j + 1] * Math.sin(a);
        im += x[2 * j] * Math.sin(a) + x[2 * j + 1] * Math.cos(a);
      }
      out[2 * k] = inverse ? re / n : re;
      out[2 * k + 1] = inverse ? im / n : im;
    }
    return out;
  };
  it.each([3, 5, 6, 12, 15, 45, 96, 100, 250, 384, 1000])(
    'complex FFT of size %i equals the DFT (forward and inverse)',
    (n) => {
      for (const inverse of [false, true]) {
        const x = randomArray(2 * n, n),
          f = be.fromArray('x', x);
        be.fft(f, f, n, inverse);
        expect(relErr(f.data, dft(x, n, inverse))).toBeLessThan(1e-13);
      }
    },
  );
  it('2-D and 3-D real transforms of mixed sizes round-trip and match the 1-D DFT along x', () => {
    for (const shape of [
      [96, 30, 1],
      [20, 12, 10],
      [100, 1, 1],
    ] as const) {
      const [nx, ny, nz] = shape,
        N = nx * ny * nz;
      const x = randomArray(N, N),
        real = be.fromArray('x', x),
        spec = be.alloc(2 * (nx / 2 + 1) * ny * nz),
        back = be.alloc(N);
      be.rfft(shape, real, spec);
      if (ny === 1 && nz === 1) {
        const c = new Float64Array(2 * nx);
        x.forEach((v, i) => (c[2 * i] = v));
        expect(relErr(spec.data, dft(c, nx, false).subarray(0, 2 * (nx / 2 + 1)))).toBeLessThan(1e-13);
      }
      be.irfft(shape, spec, back);
      expect(relErr(back.data, x)).toBeLessThan(1e-13);
    }
  });
});

describe.each(backends)('irfft through a work field on the $kind backend', (be) => {
  // [12, 32], [8, 6, 4], [6, 8, 64]: an odd number of stages in the first column pass (y in 2-D,
  // z in 3-D), where the in-place inverse ends that pass in the work field instead of copying first.
  it.each([[[16]], [[12, 10]], [[12, 32]], [[8, 6, 4]], [[6, 8, 64]], [[4, 12, 20]]])(
    '%j: keeps the spectrum and gives exactly the in-place result',
    (n) => {
      const g = new Grid(be, { n });
      const x = be.fromArray('x', randomArray(g.nReal, 4)),
        spec = g.spectralField(),
        copy = g.spectralField(),
        via = g.spectralField(),
        a = g.realField(),
        b = g.realField();
      be.rfft(g.shape, x, spec);
      const before = spec.data.slice();
      be.copy(copy, spec);
      be.irfft(g.shape, copy, a); // in place: destroys copy
      be.irfft(g.shape, spec, b, via);
      expect(Array.from(spec.data)).toEqual(Array.from(before));
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
      expect(relErr(b.data, x.data)).toBeLessThan(1e-14);
    },
  );
});

describe.each(backends)('large column passes on the $kind backend', (be) => {
  // On wasm, a column pass over more than 1 MB runs whole or in column blocks gathered into L2,
  // alternately in its first calls while the backend times both (then it keeps the faster):
  // every call must give the same bits. z-passes of 64 (radix 4), 90 (2, 3, 3, 5) and 128 (4, 4,
  // 8), and the 2-D column pass of 512.
  it.each([[[64, 64, 64]], [[40, 60, 90]], [[32, 32, 128]], [[512, 512]]])(
    '%j: every call gives the same bits, and the transform is the DFT',
    (n) => {
      const g = new Grid(be, { n });
      const [nx, ny, nz] = g.shape,
        nc = nx / 2 + 1;
      const x = randomArray(g.nReal, 7),
        real = be.fromArray('x', x),
        spec = g.spectralField(),
        back = g.realField();
      be.rfft(g.shape, real, spec);
      const want = Array.from(spec.data);
      // Three modes by direct summation (O(N) each).
      for (const [a, b, c] of [
        [0, 0, 0],
        [1, 2, nz - 1],
        [nc - 1, ny >> 1, nz >> 1],
      ]) {
        let re = 0,
          im = 0;
        for (let z = 0; z < nz; z++)
          for (let y = 0; y < ny; y++)
            for (let i = 0; i < nx; i++) {
              const ph = -2 * Math.PI * ((a * i) / nx + (b * y) / ny + (c * z) / nz);
              const v = x[(z * ny + y) * nx + i];
              re += v * Math.cos(ph);
              im += v * Math.sin(ph);
            }
        const m = 2 * ((c * ny + b) * nc + a);
        expect(Math.hypot(want[m] - re, want[m + 1] - im)).toBeLessThan(1e-10 * Math.sqrt(g.nReal));
      }
      // Entries that differ in any bit (a count: a diff of 10^5 numbers would take vitest minutes).
      const differ = (a: ArrayLike<number>, b: ArrayLike<number>) =>
        Array.prototype.filter.call(a, (v: number, i: number) => !Object.is(v, b[i])).length;
      let inverse: Float64Array | undefined;
      for (let k = 0; k < 7; k++) {
        be.irfft(g.shape, spec, back); // destroys spec
        inverse ??= back.data.slice();
        expect(differ(back.data, inverse), `inverse, call ${k + 1}`).toBe(0);
        be.rfft(g.shape, real, spec);
        expect(differ(spec.data, want), `forward, call ${k + 2}`).toBe(0);
      }
      expect(relErr(back.data, x)).toBeLessThan(1e-13);
    },
  );
});

describe.each(backends)('real-FFT rows in pairs on the $kind backend', (be) => {
  // wasm runs rows two at a time (split layout) and a last odd row alone: the same operations per
  // number, so a row's spectrum must not depend on which path it took (radix 8, 4, 2, 3 and 5).
  // The row kernel itself (a 2-D transform would mix the rows along y).
  const k = (be as unknown as { k: KernelSet }).k;
  it.each([16, 64, 96, 120, 1024, 4096])(
    'nx = %i: a row in a pair and the same row alone give bitwise one spectrum',
    (nx) => {
      const m = nx / 2,
        row = Float64Array.from({ length: nx }, (_, i) => Math.sin(0.3 * i) + (i % 3));
      const real = be.alloc(3 * nx),
        spec = be.alloc(6 * (m + 1)),
        back = be.alloc(3 * nx);
      real.data.set(row, 0);
      real.data.set(randomArray(nx, nx), nx);
      real.data.set(row, 2 * nx); // the third row goes alone
      k.rfftRows(real, spec, 3, m);
      const first = spec.data.slice(0, 2 * (m + 1)),
        third = spec.data.slice(4 * (m + 1), 6 * (m + 1));
      expect(Buffer.from(first.buffer).equals(Buffer.from(third.buffer))).toBe(true);
      k.irfftRows(spec, back, 3, m, 1 / nx);
      expect(
        Buffer.from(back.data.slice(0, nx).buffer).equals(Buffer.from(back.data.slice(2 * nx).buffer)),
      ).toBe(true);
      expect(relErr(back.data, real.data)).toBeLessThan(1e-14);
    },
  );
});
