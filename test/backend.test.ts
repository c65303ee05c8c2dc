import { describe, expect, it, vi } from 'vitest';
import { createBackend, Field, type Backend } from '../src/backend/index.js';
import type { KernelSet } from '../src/backend/kernels.js';
import { ValidationError } from '../src/errors.js';
import { Grid } from '../src/grid.js';
import { backends, randomArray, relErr } from './helpers.js';

const [wasm, js] = backends;

/** A kernel's inputs and outputs, on one backend, with its data read back for comparison. */
type Case = (be: Backend) => Float64Array;

const vec = (be: Backend, n: number, seed: number, f = (v: number) => v) =>
  be.fromArray('x', randomArray(n, seed).map(f));
const flat = (...fields: (Field | Float64Array | number[])[]) =>
  Float64Array.from(fields.flatMap((f) => Array.from(f instanceof Field ? f.data : f)));

/** The velocity set and 2-D modes the kinetic kernels take. */
function kineticSetup(be: Backend, dims: 2 | 3) {
  const g = new Grid(be, dims === 3 ? { n: [8, 4, 4], L: [3, 5, 2] } : { n: [8, 4], L: [3, 5] }),
    nv = 13,
    r = randomArray(7 * nv, 12);
  const part = (i: number, f: (x: number) => number) =>
    be.fromArray('v', r.slice(i * nv, (i + 1) * nv).map(f));
  const v = {
    size: nv,
    vx: part(0, (x) => 50 * x),
    vy: part(1, (x) => x),
    vz: part(6, (x) => 3 * x),
    w: part(2, (x) => 1 + x),
    nu: part(3, (x) => 2 + x),
    F: part(4, (x) => 1 + x),
  };
  return { g, v, nv, M2: 2 * g.nModes, s1: part(5, (x) => x) };
}

/**
 * The twin-agreement table, keyed by the kernel catalogue (src/backend/kernels.ts): the type makes a
 * missing row a compile error, and the test below checks both kernel sets list exactly these names.
 */
const kernels: { [K in keyof KernelSet]: Case } = {
  fftBatch: (be) => {
    const f = vec(be, 4096, 1),
      i = vec(be, 1024, 2),
      m = vec(be, 2 * 360, 3);
    be.fft(f, f, 2048);
    be.fft(i, i, 512, true);
    be.fft(m, m, 360); // mixed radix: 4·2·3·3·5
    return flat(f, i, m);
  },
  rfftRows: (be) => {
    const s = be.alloc(2 * 9 * 32),
      t = be.alloc(2 * 49 * 15);
    be.rfft([16, 8, 4], vec(be, 512, 3), s);
    be.rfft([96, 15, 1], vec(be, 96 * 15, 4), t); // mixed sizes along x (m = 48) and y (15)
    return flat(s, t);
  },
  irfftRows: (be) => {
    const r = be.alloc(512);
    be.irfft([32, 16, 1], vec(be, 2 * 17 * 16, 4), r);
    return flat(r);
  },
  resolvent: (be) => {
    const g = new Grid(be, { n: [16, 8, 4], L: [1, 2, 3] }),
      s = vec(be, 2 * g.nModes, 5),
      t = vec(be, 2 * g.nModes, 5);
    be.resolvent(s, g, 0.5);
    be.resolvent(t, g, 0);
    return flat(s, t);
  },
  gradient: (be) => {
    const g = new Grid(be, { n: [16, 8, 4], L: [1, 2, 3] }),
      s = vec(be, 2 * g.nModes, 5),
      out = be.alloc(2 * g.nModes);
    const parts: number[] = [];
    const c = vec(be, g.nModes, 6, (v) => 1 + v);
    for (const axis of [0, 1, 2] as const) {
      be.gradient(s, out, g, axis);
      parts.push(...out.data);
      be.scaledGradient(s, out, c, g, axis);
      parts.push(...out.data);
      be.subtractGradient(out, s, g, axis, false);
      parts.push(...out.data);
      be.subtractGradient(out, s, g, axis, true);
      parts.push(...out.data);
    }
    return Float64Array.from(parts);
  },
  modeQuadratic: (be) => {
    const g = new Grid(be, { n: [16, 8, 4] }),
      s = vec(be, 2 * g.nModes, 7),
      c = vec(be, g.nModes, 8, (v) => 1 + v);
    return Float64Array.of(be.modeQuadratic(s, c, g));
  },
  dealias: (be) => {
    const g = new Grid(be, { n: [16, 8, 4] }),
      s = vec(be, 2 * g.nModes, 5);
    be.dealias(s, g);
    return flat(s);
  },
  modeNorm: (be) => {
    const g = new Grid(be, { n: [8, 8] }),
      c = be.alloc(g.nModes),
      d = be.alloc(g.nModes);
    be.modeNorm(c, g, 1.5);
    be.modeNorm(d, g, 2);
    return flat(c, d);
  },
  modeScale: (be) => {
    const c = vec(be, 33, 6),
      o = vec(be, 66, 7);
    be.modeScale(o, c);
    return flat(o);
  },
  modeMul: (be) => {
    const c = vec(be, 33, 6),
      x = vec(be, 66, 7),
      o = vec(be, 66, 8),
      p = be.alloc(66);
    be.modeMulAdd(o, c, x);
    be.modeMul(p, c, x);
    const q = vec(be, 66, 9),
      r = be.alloc(66),
      c2 = vec(be, 33, 10),
      c3 = vec(be, 33, 11),
      x2 = vec(be, 66, 12);
    be.modeMulSum(
      q,
      [
        [c, x],
        [c2, x2],
        [c3, p],
      ],
      true,
    );
    be.modeMulSum(r, [
      [c2, x],
      [c3, x2],
    ]);
    return flat(o, p, q, r);
  },
  axpy: (be) => {
    const a = vec(be, 101, 8);
    be.axpy(a, 0.3, vec(be, 101, 9));
    return flat(a);
  },
  mul: (be) => {
    const a = vec(be, 101, 8),
      b = vec(be, 101, 9);
    be.mul(b, a, b);
    return flat(b);
  },
  scale: (be) => {
    const a = vec(be, 101, 8);
    be.scale(a, -2);
    return flat(a);
  },
  stats: (be) => {
    const st = new Float64Array(4),
      x = vec(be, 101, 9);
    x.data[7] = NaN;
    be.stats(x, st);
    return st;
  },
  sumSquares: (be) => Float64Array.of(be.sumSquares(vec(be, 101, 8)), be.sumSquares(vec(be, 100, 8))),
  dot: (be) => Float64Array.of(be.dot(vec(be, 101, 8), vec(be, 101, 9))),
  entropySum: (be) => Float64Array.of(be.entropySum(vec(be, 101, 9))),
  receptorChi: (be) => {
    const rho = vec(be, 77, 10, (v) => 1 + v),
      cf = be.alloc(77);
    be.receptorChi(rho, cf, 2, 0.5);
    return flat(cf);
  },
  driftFlux: (be) => {
    const n = 77,
      rho = vec(be, n, 10, (v) => 1 + v),
      grad = vec(be, 3 * n, 11, (v) => 4 * v),
      cf = vec(be, n, 12, (v) => 1 + v);
    const flux = be.alloc(3 * n),
      lin = be.alloc(3 * n),
      chi = be.fromArray('chi', [1, 0.2, 0, 0.1, 2, 0.3, 0, 0, 0.5]);
    be.driftFlux(rho, grad, flux, 3, chi, cf, true, 0.3);
    be.driftFlux(rho, grad, lin, 3, chi, null, false, 0);
    return flat(flux, lin);
  },
  growth: (be) => {
    const rho = vec(be, 77, 10, (v) => 1 + v),
      gr = be.alloc(77);
    be.growth(rho, gr, 1, -0.5, 0.2);
    return flat(gr);
  },
  // 2-D (nz = 1: no z term) and 3-D mode loops, with three explicit sources.
  kineticRelax: (be) =>
    flat(
      ...([2, 3] as const).map((dims) => {
        const { g, v, nv, M2, s1 } = kineticSetup(be, dims);
        const f = vec(be, nv * M2, 13),
          num = be.alloc(M2),
          rho = be.alloc(M2);
        be.kineticRelax(
          f,
          v,
          g,
          [
            [s1, vec(be, M2, 15)],
            [vec(be, nv, 16), vec(be, M2, 17)],
            [vec(be, nv, 20), vec(be, M2, 21)],
          ],
          3.5,
          0.7,
          1,
          vec(be, M2, 14),
          num,
          rho,
        );
        return flat(f, num, rho);
      }),
    ),
  kineticDinv: (be) =>
    flat(
      ...([2, 3] as const).map((dims) => {
        const { g, v, M2 } = kineticSetup(be, dims);
        const dk = be.alloc(M2);
        be.kineticDinv(dk, v, g, 3.5, 0.7, 1.3);
        return dk;
      }),
    ),
  velocityMoment: (be) => {
    const { v, nv, M2 } = kineticSetup(be, 3);
    const mom = be.alloc(M2);
    be.velocityMoment(vec(be, nv * M2, 13), nv, v.w, mom);
    return flat(mom);
  },
  faceVelocity: (be) => {
    const g = new Grid(be, { n: [8, 4, 2], L: [1, 2, 3] });
    const S = vec(be, g.nReal, 18, (v) => 3 * v),
      cf = vec(be, g.nReal, 19, (v) => 1 + v),
      u = be.alloc(g.nReal),
      chi = be.fromArray('chi', [1, 0.2, 0, 0.1, 2, 0.3, 0, 0, 0.5]);
    const parts: number[] = [];
    for (const axis of [0, 1, 2]) {
      be.faceVelocity(S, axis === 1 ? null : cf, u, g, axis, chi, axis === 2, 0.3);
      parts.push(...u.data);
    }
    return Float64Array.from(parts);
  },
  upwindDivergence: (be) => {
    const g = new Grid(be, { n: [8, 4, 2], L: [1, 2, 3] });
    const rho = vec(be, g.nReal, 19, (v) => 1 + v),
      out = vec(be, g.nReal, 20);
    for (const axis of [0, 1, 2]) {
      const u = vec(be, g.nReal, 21 + axis, (v) => 2 * v - 1);
      be.upwindDivergence(rho, u, out, g.shape, axis, 1 / g.spacing[axis]);
    }
    return flat(out);
  },
  growthFlow: (be) => {
    const rho = vec(be, 77, 19, (v) => 1 + v);
    be.growthFlow(rho, Math.exp(0.3), 0.2);
    return flat(rho);
  },
};

/** The unchecked kernel set a backend was composed from. */
const kernelSetOf = (be: Backend) => (be as unknown as { k: KernelSet }).k;

describe('wasm and js backends agree to 1e-12 (relative) on every kernel of the catalogue', () => {
  it('both kernel sets implement exactly the catalogue, and every kernel has a row here', () => {
    const names = Object.keys(kernels).sort();
    expect(Object.keys(kernelSetOf(wasm)).sort()).toEqual(names);
    expect(Object.keys(kernelSetOf(js)).sort()).toEqual(names);
  });
  it.each(Object.keys(kernels) as (keyof KernelSet)[])('%s', (name) => {
    const a = kernels[name](wasm),
      b = kernels[name](js);
    expect(a.length).toBe(b.length);
    expect(relErr(a, b)).toBeLessThan(1e-12);
  });
});

describe('backend selection', () => {
  it("without WASM SIMD, 'wasm' is refused with a clear error and 'auto' falls back to js", async () => {
    const spy = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      await expect(createBackend('wasm')).rejects.toThrow(
        /backend 'wasm' needs WebAssembly SIMD, which this runtime does not support; use backend 'js' or 'auto'/,
      );
      expect((await createBackend('auto')).kind).toBe('js');
    } finally {
      spy.mockRestore();
    }
  });
  it("'auto' picks wasm where SIMD is available and refuses an unknown name", async () => {
    expect((await createBackend('auto')).kind).toBe('wasm');
    await expect(createBackend('gpu' as never)).rejects.toThrow(
      /backend: got "gpu"; expected 'auto', 'wasm' or 'js'/,
    );
  });
});

describe.each(backends)('bad input on the $kind backend names the argument and the accepted range', (be) => {
  const f = (n: number): Field => be.alloc(n);
  it('wrong lengths', () => {
    expect(() => be.fft(f(10), f(16), 8)).toThrow(/src.length: got 10; expected exactly 16/);
    expect(() => be.rfft([8, 4, 1], f(31), f(40))).toThrow(/real.length: got 31; expected exactly 32/);
    const g = new Grid(be, { n: [8] });
    expect(() => be.resolvent(f(8), g, 0)).toThrow(/spec.length: got 8; expected exactly 10/);
  });
  it('sizes that are not 2^a·3^b·5^c (and an odd x of a real transform)', () => {
    expect(() => be.fft(f(28), f(28), 14)).toThrow(
      /n: got 14; expected a size 2\^a·3\^b·5\^c between 1 and 16777216/,
    );
    expect(() => be.rfft([8, 7, 1], f(56), f(70))).toThrow(
      /shape\[1\] \(ny\): got 7; expected a size 2\^a·3\^b·5\^c/,
    );
    expect(() => be.rfft([15, 1, 1], f(15), f(16))).toThrow(
      /shape\[0\] \(nx\): got 15; expected an even size/,
    );
    expect(() => new Grid(be, { n: [98] })).toThrow(
      /grid.n\[0\]: got 98; expected an even size 2\^a·3\^b·5\^c between 2 and/,
    );
    expect(() => new Grid(be, { n: [96, 75, 10] })).not.toThrow();
  });
  it('NaN in a field', () => {
    expect(() => be.fromArray('rho0', [1, NaN, 2])).toThrow(ValidationError);
    expect(() => be.fromArray('rho0', [1, NaN, 2])).toThrow(/rho0\[1\]: got NaN; expected a finite number/);
    const g = new Grid(be, { n: [8] });
    expect(() => g.sample((x) => (x > 3 ? Infinity : 0), 'rho0')).toThrow(/rho0\(3\.142\): got Infinity/);
  });
});

describe('the wasm arena', () => {
  it('never hands out overlapping memory, merges what is freed, and gives it back to the top (property)', async () => {
    const fc = await import('fast-check');
    const be = await createBackend('wasm');
    const base = be.memoryAvailable();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(300), fc.boolean(), fc.nat(1000)), { minLength: 1, maxLength: 60 }),
        (ops) => {
          const live: Field[] = [];
          for (const [len, freeOne, pick] of ops) {
            if (freeOne && live.length) be.release(live.splice(pick % live.length, 1)[0]);
            const f = be.alloc(len);
            expect(Array.from(f.data).every((x) => x === 0)).toBe(true); // reused memory comes back zeroed
            f.data.fill(live.length + 1);
            live.push(f);
          }
          // Every live field still holds its own mark: no two overlap.
          live.forEach((f) => expect(f.data.every((x) => x === f.data[0] || f.length === 0)).toBe(true));
          const spans = live
            .filter((f) => f.length)
            .map((f) => [f.ptr, f.ptr + 8 * f.length])
            .sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
          for (const f of live) be.release(f);
          // Everything freed: the whole arena is available again (zero-length fields hold nothing).
          expect(be.memoryAvailable()).toBe(base);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe.each(backends)('multipliers by Parseval on the $kind backend', (be) => {
  it('modeMulSum gives exactly modeMul followed by modeMulAdds (the same arithmetic in one pass)', () => {
    const [c1, c2, c3] = [20, 21, 22].map((k) => vec(be, 40, k)),
      [x1, x2, x3] = [23, 24, 25].map((k) => vec(be, 80, k)),
      a = vec(be, 80, 26),
      b = be.alloc(80);
    b.data.set(a.data);
    be.modeMulSum(
      a,
      [
        [c1, x1],
        [c2, x2],
        [c3, x3],
      ],
      true,
    );
    be.modeMulAdd(b, c1, x1);
    be.modeMulAdd(b, c2, x2);
    be.modeMulAdd(b, c3, x3);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    be.modeMulSum(a, [
      [c1, x1],
      [c2, x2],
    ]);
    be.modeMul(b, c1, x1);
    be.modeMulAdd(b, c2, x2);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
  it('modeQuadratic(f^, c) / N = Σ_x f h for h^ = c f^, with c = 1/(1+|k|²) on a mixed 3-D grid', () => {
    const g = new Grid(be, { n: [12, 6, 4], L: [1, 2, 3] });
    const f = vec(be, g.nReal, 9),
      F = g.spectralField(),
      H = g.spectralField(),
      h = g.realField(),
      c = be.alloc(g.nModes);
    be.modeNorm(c, g, 2);
    c.data.set(c.data.map((v) => 1 / (1 + v)));
    be.rfft(g.shape, f, F);
    be.modeMul(H, c, F);
    be.irfft(g.shape, H, h);
    const direct = f.data.reduce((s, v, i) => s + v * h.data[i], 0);
    expect(Math.abs(be.modeQuadratic(F, c, g) / g.nReal - direct) / Math.abs(direct)).toBeLessThan(1e-12);
  });
  it('the scaled gradient is the gradient of the scaled spectrum; subtractGradient accumulates −i k', () => {
    const g = new Grid(be, { n: [8, 8] });
    const s = vec(be, 2 * g.nModes, 10),
      c = vec(be, g.nModes, 11, (v) => 1 + v),
      a = g.spectralField(),
      b = g.spectralField(),
      acc = g.spectralField();
    be.modeMul(a, c, s);
    be.gradient(a, b, g, 1);
    be.scaledGradient(s, a, c, g, 1);
    expect(relErr(a.data, b.data)).toBeLessThan(1e-15);
    be.subtractGradient(acc, s, g, 0, true);
    be.subtractGradient(acc, s, g, 1, false);
    be.gradient(s, a, g, 0);
    be.gradient(s, b, g, 1);
    const expected = a.data.map((v, i) => -v - b.data[i]);
    expect(relErr(acc.data, expected)).toBeLessThan(1e-15);
  });
});
