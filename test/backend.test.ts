import { describe, expect, it, vi } from 'vitest';
import { createBackend, type Backend, type Field } from '../src/backend/index.js';
import { ValidationError } from '../src/errors.js';
import { Grid } from '../src/grid.js';
import { backends, randomArray, relErr } from './helpers.js';

const [wasm, js] = backends;

/** One table of kernels; each entry runs on a backend and returns the output data to compare. */
const kernels: Record<string, (be: Backend) => Float64Array> = {
  'complex fft 2^11': (be) => {
    const f = be.fromArray('x', randomArray(4096, 1));
    be.fft(f, f, 2048);
    return f.data.slice();
  },
  'complex ifft 2^9': (be) => {
    const f = be.fromArray('x', randomArray(1024, 2));
    be.fft(f, f, 512, true);
    return f.data.slice();
  },
  'rfft 3-D 16x8x4': (be) => {
    const s = be.alloc(2 * 9 * 32);
    be.rfft([16, 8, 4], be.fromArray('x', randomArray(512, 3)), s);
    return s.data.slice();
  },
  'irfft 2-D 32x16': (be) => {
    const s = be.fromArray('s', randomArray(2 * 17 * 16, 4)),
      r = be.alloc(512);
    be.irfft([32, 16, 1], s, r);
    return r.data.slice();
  },
  ...Object.fromEntries(
    (['fractional', 'fractionalExp', 'laplacian', 'resolvent', 'gradient', 'dealias'] as const).map(
      (name) => [
        `multiplier ${name}`,
        (be: Backend) => {
          const g = new Grid(be, { n: [16, 8, 4], L: [1, 2, 3] });
          const s = be.fromArray('s', randomArray(2 * g.nModes, 5));
          if (name === 'fractional') be.fractional(s, g, -0.7, 1.3);
          else if (name === 'fractionalExp') be.fractionalExp(s, g, -0.01, 1.7);
          else if (name === 'laplacian') be.laplacian(s, g);
          else if (name === 'resolvent') be.resolvent(s, g, 0.5);
          else if (name === 'gradient') be.gradient(s, s, g, 2);
          else be.dealias(s, g);
          return s.data.slice();
        },
      ],
    ),
  ),
  'modeNorm / modeMul / modeMulAdd': (be) => {
    const g = new Grid(be, { n: [8, 8] });
    const c = be.alloc(g.nModes),
      x = be.fromArray('x', randomArray(2 * g.nModes, 6)),
      o = be.fromArray('o', randomArray(2 * g.nModes, 7));
    be.modeNorm(c, g, 1.5);
    be.modeMulAdd(o, c, x);
    be.modeScale(o, c);
    be.modeMul(x, c, o);
    return Float64Array.from([...c.data, ...o.data, ...x.data]);
  },
  'axpy / mul / scale / stats': (be) => {
    const a = be.fromArray('a', randomArray(101, 8)),
      b = be.fromArray('b', randomArray(101, 9)),
      st = new Float64Array(4);
    be.axpy(a, 0.3, b);
    be.mul(b, a, b);
    be.scale(a, -2);
    be.stats(b, st);
    return Float64Array.from([...a.data, ...b.data, ...st, be.sumSquares(a), be.dot(a, b), be.entropySum(b)]);
  },
  'driftFlux (matrix chi, receptor field, limiter) and growth': (be) => {
    const n = 77,
      rho = be.fromArray(
        'rho',
        randomArray(n, 10).map((v) => 1 + v),
      ),
      grad = be.fromArray(
        'g',
        randomArray(3 * n, 11).map((v) => 4 * v),
      );
    const flux = be.alloc(3 * n),
      chi = be.fromArray('chi', [1, 0.2, 0, 0.1, 2, 0.3, 0, 0, 0.5]),
      cf = be.alloc(n),
      gr = be.alloc(n);
    be.receptorChi(rho, cf, 2, 0.5);
    be.driftFlux(rho, grad, flux, 3, chi, cf, true, 0.3);
    be.growth(rho, gr, 1, -0.5, 0.2);
    return Float64Array.from([...flux.data, ...gr.data]);
  },
  'kineticRelax (2-D modes, two sources), velocityMoment and kineticDinv': (be) => {
    const g = new Grid(be, { n: [8, 4], L: [3, 5] }),
      nv = 13,
      M2 = 2 * g.nModes;
    const r = randomArray(6 * nv, 12);
    const v = {
      size: nv,
      vx: be.fromArray(
        'vx',
        r.slice(0, nv).map((x) => 50 * x),
      ),
      vy: be.fromArray('vy', r.slice(nv, 2 * nv)),
      w: be.fromArray(
        'w',
        r.slice(2 * nv, 3 * nv).map((x) => 1 + x),
      ),
      nu: be.fromArray(
        'nu',
        r.slice(3 * nv, 4 * nv).map((x) => 2 + x),
      ),
      F: be.fromArray(
        'F',
        r.slice(4 * nv, 5 * nv).map((x) => 1 + x),
      ),
    };
    const f = be.fromArray('f', randomArray(nv * M2, 13)),
      dinv = be.fromArray('dinv', randomArray(M2, 14)),
      num = be.alloc(M2),
      rho = be.alloc(M2);
    const s1 = be.fromArray('s1', r.slice(5 * nv)),
      p1 = be.fromArray('p1', randomArray(M2, 15)),
      s2 = be.fromArray('s2', randomArray(nv, 16)),
      p2 = be.fromArray('p2', randomArray(M2, 17));
    be.kineticRelax(
      f,
      v,
      g,
      [
        [s1, p1],
        [s2, p2],
      ],
      3.5,
      0.7,
      1,
      dinv,
      num,
      rho,
    );
    const mom = be.alloc(M2);
    be.velocityMoment(f, nv, v.w, mom);
    const dk = be.alloc(M2);
    be.kineticDinv(dk, v, g, 3.5, 0.7, 1.3);
    return Float64Array.from([...f.data, ...num.data, ...rho.data, ...mom.data, ...dk.data]);
  },
  'faceVelocity (3-D, matrix chi, receptor field, limiter) / upwindDivergence / growthFlow': (be) => {
    const g = new Grid(be, { n: [8, 4, 2], L: [1, 2, 3] }),
      n = g.nReal;
    const S = be.fromArray(
        'S',
        randomArray(n, 18).map((v) => 3 * v),
      ),
      rho = be.fromArray(
        'rho',
        randomArray(n, 19).map((v) => 1 + v),
      );
    const chi = be.fromArray('chi', [1, 0.2, 0, 0.1, 2, 0.3, 0, 0, 0.5]),
      cf = be.alloc(n),
      u = be.alloc(n),
      out = be.fromArray('out', randomArray(n, 20));
    be.receptorChi(S, cf, 2, 0.5);
    const parts: number[] = [];
    for (const axis of [0, 1, 2]) {
      be.faceVelocity(S, axis === 1 ? null : cf, u, g, axis, chi, axis === 2, 0.3);
      parts.push(...u.data);
      be.upwindDivergence(rho, u, out, g.shape, axis, 1 / g.spacing[axis]);
    }
    be.growthFlow(rho, Math.exp(0.3), 0.2);
    return Float64Array.from([...parts, ...out.data, ...rho.data]);
  },
};

describe('wasm and js backends agree to 1e-12 (relative) on every kernel', () => {
  it.each(Object.keys(kernels))('%s', (name) => {
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
    expect(() => be.laplacian(f(8), g)).toThrow(/spec.length: got 8; expected exactly 10/);
  });
  it('non-power-of-two sizes', () => {
    expect(() => be.fft(f(24), f(24), 12)).toThrow(
      /n: got 12; expected a power of two between 1 and 16777216/,
    );
    expect(() => be.rfft([8, 6, 1], f(48), f(60))).toThrow(
      /shape\[1\] \(ny\): got 6; expected a power of two/,
    );
    expect(() => new Grid(be, { n: [100] })).toThrow(
      /grid.n\[0\]: got 100; expected a power of two between 2 and/,
    );
  });
  it('alpha outside (0, 2]', () => {
    const g = new Grid(be, { n: [8] }),
      s = g.spectralField();
    expect(() => be.fractional(s, g, -1, 0)).toThrow(/alpha: got 0; expected a finite number in \(0, 2\]/);
    expect(() => be.fractionalExp(s, g, -1, 2.5)).toThrow(
      /alpha: got 2.5; expected a finite number in \(0, 2\]/,
    );
  });
  it('NaN in a field', () => {
    expect(() => be.fromArray('rho0', [1, NaN, 2])).toThrow(ValidationError);
    expect(() => be.fromArray('rho0', [1, NaN, 2])).toThrow(/rho0\[1\]: got NaN; expected a finite number/);
    const g = new Grid(be, { n: [8] });
    expect(() => g.sample((x) => (x > 3 ? Infinity : 0), 'rho0')).toThrow(/rho0\(3\.142\): got Infinity/);
  });
});
