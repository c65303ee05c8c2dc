// Pure-JS backend: fft.js for complex transforms, plain TypeScript loops for everything else.
// It mirrors the WASM kernels operation by operation (same tables, same formulas), so both give
// the same numbers to round-off; it is the reference and the fallback where SIMD is missing.
import FFT from 'fft.js';
import { MemoryLimitError } from '../errors.js';
import type { Arena, KernelPlans, KernelSet } from './kernels.js';
import { Backend, Field, type Shape3, type SpectralAxes } from './backend.js';

/** V8's largest typed array on 64-bit hosts is about 2^32 elements; larger requests fail in `new Float64Array`. */
const MAX_TYPED_ARRAY_BYTES = 8 * (2 ** 32 - 1);

/** The js arena: plain Float64Arrays (the garbage collector frees released ones); it counts live bytes. */
class JsArena implements Arena {
  private live = 0;

  allocate(length: number): Field {
    let f: Field;
    try {
      f = new Field(this, null, 0, length);
    } catch {
      throw new MemoryLimitError(
        8 * length,
        MAX_TYPED_ARRAY_BYTES,
        `a field of ${length} doubles on the js backend`,
      );
    }
    this.live += 8 * length;
    return f;
  }
  free(field: Field): void {
    this.live -= 8 * field.length;
  }
  bytes(): number {
    return this.live;
  }
  available(): number {
    return MAX_TYPED_ARRAY_BYTES;
  }
}

/** The pure-JS backend: the reference, and the fallback where WASM SIMD is missing. */
export function createJsBackend(): Backend {
  return new Backend('js', new JsArena(), jsKernels);
}

/** Calls visit(mode index, |k|^2) over the half spectrum in storage order. */
function forModes(g: SpectralAxes, visit: (m: number, k2: number) => void): void {
  const kx = g.kx.data,
    ky = g.ky.data,
    kz = g.kz.data,
    [, ny, nz] = g.shape,
    nc = g.nc;
  let m = 0;
  for (let iz = 0; iz < nz; iz++) {
    for (let iy = 0; iy < ny; iy++) {
      const kyz = kz[iz] * kz[iz] + ky[iy] * ky[iy];
      for (let ix = 0; ix < nc; ix++, m++) visit(m, kx[ix] * kx[ix] + kyz);
    }
  }
}

/** The radix of the next stage for a remaining length m (as assembly/fft.ts radixOf). */
const radixOf = (m: number) => (m % 4 === 0 ? 4 : m % 2 === 0 ? 2 : m % 3 === 0 ? 3 : 5);
const C3 = 0.8660254037844386,
  C51 = 0.30901699437494745,
  C52 = -0.8090169943749475,
  S51 = 0.9510565162951535,
  S52 = 0.5877852522924731;

/**
 * The mixed-radix Stockham FFT of assembly/fft.ts (sizes 2^a 3^b 5^c that are not powers of two),
 * stage for stage: x holds the b interleaved transforms (element j of transform q at j·b + q);
 * the result is returned (x or the scratch y).
 */
function fftMixedJs(
  x: Float64Array,
  y: Float64Array,
  n: number,
  b: number,
  tw: Float64Array,
  inverse: boolean,
): Float64Array {
  const sg = inverse ? -1 : 1; // forward multiplies by conj-free W, inverse by conj(W)
  let from = x,
    to = y,
    ncur = n,
    s = b;
  // a·w (w = W^k, conjugated when inverse) into out[o], out[o+1]
  const mulw = (ar: number, ai: number, k: number, out: Float64Array, o: number) => {
    const wr = tw[2 * k],
      wi = sg * tw[2 * k + 1];
    out[o] = ar * wr - ai * wi;
    out[o + 1] = ai * wr + ar * wi;
  };
  while (ncur > 1) {
    const p = radixOf(ncur),
      n1 = ncur / p,
      ts = s / b,
      Q = n1 * s;
    for (let q = 0; q < n1; q++) {
      const k = q * ts;
      for (let o = 0; o < s; o++) {
        const i0 = 2 * (q * s + o),
          j0 = 2 * (q * p * s + o);
        const re = (r: number) => from[i0 + 2 * r * Q],
          im = (r: number) => from[i0 + 2 * r * Q + 1];
        if (p === 2) {
          to[j0] = re(0) + re(1);
          to[j0 + 1] = im(0) + im(1);
          mulw(re(0) - re(1), im(0) - im(1), k, to, j0 + 2 * s);
        } else if (p === 4) {
          const [ar, ai, br, bi, cr, ci, dr, di] = [re(0), im(0), re(1), im(1), re(2), im(2), re(3), im(3)];
          const apcr = ar + cr,
            apci = ai + ci,
            amcr = ar - cr,
            amci = ai - ci,
            bpdr = br + dr,
            bpdi = bi + di;
          // j(b − d): forward i·z = (−zi, zr); inverse −i·z = (zi, −zr)
          const jr = -sg * (bi - di),
            ji = sg * (br - dr);
          to[j0] = apcr + bpdr;
          to[j0 + 1] = apci + bpdi;
          mulw(amcr - jr, amci - ji, k, to, j0 + 2 * s);
          mulw(apcr - bpdr, apci - bpdi, 2 * k, to, j0 + 4 * s);
          mulw(amcr + jr, amci + ji, 3 * k, to, j0 + 6 * s);
        } else if (p === 3) {
          const t1r = re(1) + re(2),
            t1i = im(1) + im(2);
          const t2r = re(0) - 0.5 * t1r,
            t2i = im(0) - 0.5 * t1i;
          const ur = C3 * (-sg * (im(1) - im(2))),
            ui = C3 * (sg * (re(1) - re(2)));
          to[j0] = re(0) + t1r;
          to[j0 + 1] = im(0) + t1i;
          mulw(t2r - ur, t2i - ui, k, to, j0 + 2 * s);
          mulw(t2r + ur, t2i + ui, 2 * k, to, j0 + 4 * s);
        } else {
          const sber = re(1) + re(4),
            sbei = im(1) + im(4),
            dber = re(1) - re(4),
            dbei = im(1) - im(4),
            scdr = re(2) + re(3),
            scdi = im(2) + im(3),
            dcdr = re(2) - re(3),
            dcdi = im(2) - im(3);
          const t1r = re(0) + (C51 * sber + C52 * scdr),
            t1i = im(0) + (C51 * sbei + C52 * scdi);
          const t2r = re(0) + (C52 * sber + C51 * scdr),
            t2i = im(0) + (C52 * sbei + C51 * scdi);
          const v1r = S51 * dber + S52 * dcdr,
            v1i = S51 * dbei + S52 * dcdi,
            v2r = S52 * dber - S51 * dcdr,
            v2i = S52 * dbei - S51 * dcdi;
          const u1r = -sg * v1i,
            u1i = sg * v1r,
            u2r = -sg * v2i,
            u2i = sg * v2r;
          to[j0] = re(0) + (sber + scdr);
          to[j0 + 1] = im(0) + (sbei + scdi);
          mulw(t1r - u1r, t1i - u1i, k, to, j0 + 2 * s);
          mulw(t2r - u2r, t2i - u2i, 2 * k, to, j0 + 4 * s);
          mulw(t2r + u2r, t2i + u2i, 3 * k, to, j0 + 6 * s);
          mulw(t1r + u1r, t1i + u1i, 4 * k, to, j0 + 8 * s);
        }
      }
    }
    ncur = n1;
    s *= p;
    [from, to] = [to, from];
  }
  return from;
}

/** The js twins of the wasm kernels, operation by operation. */
function jsKernels(plans: KernelPlans): KernelSet {
  const ffts = new Map<number, { f: FFT; a: Float64Array; b: Float64Array }>();
  /** fft.js plans and their work arrays, per length. */
  const fftOf = (n: number) => {
    let e = ffts.get(n);
    if (!e) ffts.set(n, (e = { f: new FFT(n), a: new Float64Array(2 * n), b: new Float64Array(2 * n) }));
    return e;
  };
  /** One plane of n × b interleaved transforms, from src at complex offset so to dst at d. */
  const fftPlane = (
    src: Field,
    so: number,
    dst: Field,
    d: number,
    n: number,
    b: number,
    inverse: boolean,
  ): void => {
    const s = src.data,
      t = dst.data;
    if (n === 1) {
      if (s !== t || so !== d) t.set(s.subarray(2 * so, 2 * so + 2 * b), 2 * d);
      return;
    }
    if ((n & (n - 1)) !== 0) {
      // fft.js takes powers of two only: other sizes run the mixed-radix twin of the wasm kernel.
      const x = s.slice(2 * so, 2 * (so + n * b));
      t.set(fftMixedJs(x, new Float64Array(x.length), n, b, plans.twiddles(n).data, inverse), 2 * d);
      return;
    }
    const { f, a, b: out } = fftOf(n);
    for (let q = 0; q < b; q++) {
      for (let j = 0; j < n; j++) {
        const i = 2 * (so + j * b + q);
        a[2 * j] = s[i];
        a[2 * j + 1] = s[i + 1];
      }
      if (inverse) f.inverseTransform(out, a);
      else f.transform(out, a);
      const g = inverse ? n : 1;
      for (let j = 0; j < n; j++) {
        const i = 2 * (d + j * b + q);
        t[i] = out[2 * j] * g;
        t[i + 1] = out[2 * j + 1] * g;
      }
    }
  };
  return {
    scale(x, a) {
      const d = x.data;
      for (let i = 0; i < d.length; i++) d[i] *= a;
    },

    sumSquares(x) {
      const d = x.data;
      let a = 0,
        b = 0; // two lanes, summed like the SIMD kernel
      const n2 = d.length & ~1;
      for (let i = 0; i < n2; i += 2) {
        a += d[i] * d[i];
        b += d[i + 1] * d[i + 1];
      }
      let s = a + b;
      if (d.length & 1) s += d[n2] * d[n2];
      return s;
    },

    entropySum(x) {
      const d = x.data;
      let s = 0;
      for (let i = 0; i < d.length; i++) if (d[i] > 0) s += d[i] * Math.log(d[i]);
      return s;
    },

    stats(x, out) {
      const d = x.data;
      let sum = 0,
        mn = Infinity,
        mx = -Infinity,
        bad = 0;
      for (let i = 0; i < d.length; i++) {
        const v = d[i];
        if (v - v !== 0) {
          bad++;
          continue;
        }
        sum += v;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      out[0] = sum;
      out[1] = mn;
      out[2] = mx;
      out[3] = bad;
    },

    /** Unnormalised batched transform per plane; fft.js scales its inverse by 1/n, undone exactly (n is a power of two). */
    fftBatch(src, so, dst, d, _work, n, b, inverse, planes) {
      for (let p = 0; p < planes; p++) fftPlane(src, so + p * n * b, dst, d + p * n * b, n, b, inverse);
    },

    // The pair formulations of assembly/fft.ts realForwardPost / realInversePre, operation by operation.
    rfftRows(real, spec, rows, m) {
      const w = plans.realTwiddles(m).data,
        o = spec.data;
      for (let r = 0; r < rows; r++) {
        const base = 2 * r * (m + 1);
        fftPlane(real, r * m, spec, r * (m + 1), m, 1, false);
        const r0 = o[base],
          i0 = o[base + 1];
        o[base] = r0 + i0;
        o[base + 1] = 0;
        o[base + 2 * m] = r0 - i0;
        o[base + 2 * m + 1] = 0;
        for (let k = 1; 2 * k <= m; k++) {
          const mk = m - k;
          const zr = o[base + 2 * k],
            zi = o[base + 2 * k + 1],
            cr = o[base + 2 * mk],
            ci = -o[base + 2 * mk + 1];
          const er = (zr + cr) * 0.5,
            ei = (zi + ci) * 0.5;
          const dr = (zr - cr) * 0.5,
            di = (zi - ci) * 0.5;
          const or = di,
            oi = -dr; // −i d
          const wr = w[2 * k],
            wi = w[2 * k + 1];
          const tr = or * wr - oi * wi,
            ti = oi * wr + or * wi;
          o[base + 2 * k] = er + tr;
          o[base + 2 * k + 1] = ei + ti;
          if (mk !== k) {
            o[base + 2 * mk] = er - tr;
            o[base + 2 * mk + 1] = -(ei - ti);
          }
        }
      }
    },

    irfftRows(spec, real, rows, m, scale) {
      const w = plans.realTwiddles(m).data,
        x = spec.data;
      for (let r = 0; r < rows; r++) {
        const base = 2 * r * (m + 1);
        // Z_k from (X_k, X_{m−k}); Z_0 from (X_0, X_m).
        const pair = (k: number, mk: number) => {
          const xr = x[base + 2 * k],
            xi = x[base + 2 * k + 1],
            cr = x[base + 2 * mk],
            ci = -x[base + 2 * mk + 1];
          const er = xr + cr,
            ei = xi + ci,
            dr = xr - cr,
            di = xi - ci;
          const wr = w[2 * k],
            wi = -w[2 * k + 1]; // conj(W^k)
          const or = dr * wr - di * wi,
            oi = di * wr + dr * wi;
          return [er, ei, -oi, or] as const; // e and i o
        };
        {
          const [er, ei, ior, ioi] = pair(0, m);
          x[base] = (er + ior) * scale;
          x[base + 1] = (ei + ioi) * scale;
        }
        for (let k = 1; 2 * k <= m; k++) {
          const mk = m - k,
            [er, ei, ior, ioi] = pair(k, mk);
          x[base + 2 * k] = (er + ior) * scale;
          x[base + 2 * k + 1] = (ei + ioi) * scale;
          if (mk !== k) {
            x[base + 2 * mk] = (er - ior) * scale;
            x[base + 2 * mk + 1] = -(ei - ioi) * scale;
          }
        }
        fftPlane(spec, r * (m + 1), real, r * m, m, 1, true);
      }
    },

    resolvent(spec, g, mu) {
      const s = spec.data;
      forModes(g, (m, k2) => {
        const f = k2 + mu === 0 ? 0 : 1 / (k2 + mu);
        s[2 * m] *= f;
        s[2 * m + 1] *= f;
      });
    },

    gradient(src, dst, g, axis, c, op) {
      const a = src.data,
        b = dst.data,
        f = c?.data,
        [, ny, nz] = g.shape,
        nc = g.nc;
      const k = (axis === 0 ? g.gx : axis === 1 ? g.gy : g.gz).data;
      let m = 0;
      for (let iz = 0; iz < nz; iz++) {
        for (let iy = 0; iy < ny; iy++) {
          for (let ix = 0; ix < nc; ix++, m++) {
            const kk = axis === 0 ? k[ix] : axis === 1 ? k[iy] : k[iz];
            const re = a[2 * m],
              im = a[2 * m + 1];
            let vr = -im * kk,
              vi = re * kk;
            if (f) {
              vr *= f[m];
              vi *= f[m];
            }
            if (op === 0) {
              b[2 * m] = vr;
              b[2 * m + 1] = vi;
            } else if (op === 1) {
              b[2 * m] -= vr;
              b[2 * m + 1] -= vi;
            } else {
              b[2 * m] = -vr;
              b[2 * m + 1] = -vi;
            }
          }
        }
      }
    },

    modeQuadratic(spec, c, g) {
      const s = spec.data,
        f = c.data,
        nc = g.nc,
        rows = g.shape[1] * g.shape[2];
      let sum = 0,
        m = 0;
      for (let r = 0; r < rows; r++)
        for (let ix = 0; ix < nc; ix++, m++) {
          const re = s[2 * m],
            im = s[2 * m + 1];
          sum += (ix === 0 || ix === nc - 1 ? 1 : 2) * f[m] * (re * re + im * im);
        }
      return sum;
    },

    dealias(spec, g) {
      const s = spec.data,
        mx = g.mx.data,
        my = g.my.data,
        mz = g.mz.data,
        [, ny, nz] = g.shape,
        nc = g.nc;
      let m = 0;
      for (let iz = 0; iz < nz; iz++) {
        for (let iy = 0; iy < ny; iy++) {
          const f = mz[iz] * my[iy];
          for (let ix = 0; ix < nc; ix++, m++) {
            const c = f * mx[ix];
            s[2 * m] *= c;
            s[2 * m + 1] *= c;
          }
        }
      }
    },

    modeNorm(out, g, power) {
      const o = out.data,
        h = 0.5 * power;
      forModes(g, (m, k2) => {
        o[m] = k2 === 0 ? 0 : h === 1 ? k2 : Math.pow(k2, h);
      });
    },

    modeScale(spec, c) {
      const s = spec.data,
        f = c.data;
      for (let m = 0; m < f.length; m++) {
        s[2 * m] *= f[m];
        s[2 * m + 1] *= f[m];
      }
    },

    modeMul(out, terms, accumulate) {
      const o = out.data,
        n = terms[0][0].length,
        t = terms.map(([c, x]) => [c.data, x.data] as const);
      for (let m = 0; m < n; m++) {
        // The same order as the wasm kernel: (out +) c1 x1 + c2 x2 + c3 x3, left to right.
        let re = t[0][0][m] * t[0][1][2 * m],
          im = t[0][0][m] * t[0][1][2 * m + 1];
        if (accumulate) {
          re = o[2 * m] + re;
          im = o[2 * m + 1] + im;
        }
        for (let i = 1; i < t.length; i++) {
          re += t[i][0][m] * t[i][1][2 * m];
          im += t[i][0][m] * t[i][1][2 * m + 1];
        }
        o[2 * m] = re;
        o[2 * m + 1] = im;
      }
    },

    axpy(y, a, x) {
      const s = y.data,
        t = x.data;
      for (let i = 0; i < s.length; i++) s[i] += a * t[i];
    },

    kineticRelax(f, v, g, sources, lam, lamEps, a0, dinv, num, rho) {
      const M = g.nModes,
        nc = g.nc,
        ny = g.shape[1],
        nz = g.shape[2],
        kx = g.gx.data,
        ky = g.gy.data,
        kz = g.gz.data;
      const fd = f.data,
        vx = v.vx.data,
        vy = v.vy.data,
        vz = v.vz.data,
        w = v.w.data,
        nu = v.nu.data,
        F = v.F.data;
      const q = num.data,
        r = rho.data,
        d = dinv.data;
      const src = sources.map(([c, p]) => [c.data, p.data] as const);
      q.fill(0);
      r.fill(0);
      for (let pass = 1; pass <= 2; pass++) {
        for (let j = 0; j < v.size; j++) {
          const ar = a0 + lam * nu[j],
            cx = lamEps * vx[j],
            cy = lamEps * vy[j],
            cz = lamEps * vz[j],
            base = 2 * j * M;
          const wn = w[j] * nu[j],
            eq = lam * nu[j] * F[j];
          let m = 0;
          for (let iz = 0; iz < nz; iz++) {
            const zk = cz * kz[iz];
            for (let iy = 0; iy < ny; iy++) {
              // 1-D/2-D (nz = 1): no z term, the same arithmetic as the wasm kernel.
              const yk = nz > 1 ? cy * ky[iy] + zk : cy * ky[iy];
              for (let ix = 0; ix < nc; ix++, m++) {
                const ai = cx * kx[ix] + yk,
                  inv = 1 / (ar * ar + ai * ai);
                let gr = fd[base + 2 * m],
                  gi = fd[base + 2 * m + 1];
                for (const [c, p] of src) {
                  gr += c[j] * p[2 * m];
                  gi += c[j] * p[2 * m + 1];
                }
                if (pass === 1) {
                  q[2 * m] += wn * ((gr * ar + gi * ai) * inv);
                  q[2 * m + 1] += wn * ((gi * ar - gr * ai) * inv);
                } else {
                  gr += eq * q[2 * m];
                  gi += eq * q[2 * m + 1];
                  const fr = (gr * ar + gi * ai) * inv,
                    fi = (gi * ar - gr * ai) * inv;
                  fd[base + 2 * m] = fr;
                  fd[base + 2 * m + 1] = fi;
                  r[2 * m] += w[j] * fr;
                  r[2 * m + 1] += w[j] * fi;
                }
              }
            }
          }
        }
        if (pass === 1) {
          for (let m = 0; m < M; m++) {
            const ar = q[2 * m],
              ai = q[2 * m + 1],
              dr = d[2 * m],
              di = d[2 * m + 1];
            q[2 * m] = ar * dr - ai * di;
            q[2 * m + 1] = ai * dr + ar * di;
          }
        }
      }
    },

    kineticDinv(dinv, v, g, lam, lamEps, a0) {
      const o = dinv.data,
        nz = g.shape[2],
        kx = g.gx.data,
        ky = g.gy.data,
        kz = g.gz.data,
        vx = v.vx.data,
        vy = v.vy.data,
        vz = v.vz.data,
        w = v.w.data,
        nu = v.nu.data,
        F = v.F.data;
      let m = 0;
      for (let iz = 0; iz < nz; iz++) {
        const z = kz[iz];
        for (let iy = 0; iy < g.shape[1]; iy++) {
          const y = ky[iy];
          for (let ix = 0; ix < g.nc; ix++, m++) {
            const x = kx[ix];
            let sr = 0,
              si = 0;
            for (let j = 0; j < v.size; j++) {
              const kv = x * vx[j] + y * vy[j];
              const b = lamEps * (nz > 1 ? kv + z * vz[j] : kv),
                ar = a0 + lam * nu[j],
                c = w[j] * nu[j] * F[j];
              const den = ar * ar + b * b;
              sr += (c * (a0 * ar + b * b)) / den;
              si += (c * b * (ar - a0)) / den;
            }
            const d = sr * sr + si * si;
            o[2 * m] = sr / d;
            o[2 * m + 1] = -si / d;
          }
        }
      }
    },

    velocityMoment(f, nv, c, out) {
      const fd = f.data,
        cd = c.data,
        o = out.data,
        L = o.length;
      o.fill(0);
      for (let j = 0; j < nv; j++) for (let i = 0; i < L; i++) o[i] += cd[j] * fd[j * L + i];
    },

    dot(a, b) {
      const p = a.data,
        q = b.data;
      let s0 = 0,
        s1 = 0;
      const n2 = p.length & ~1;
      for (let i = 0; i < n2; i += 2) {
        s0 += p[i] * q[i];
        s1 += p[i + 1] * q[i + 1];
      }
      let s = s0 + s1;
      if (p.length & 1) s += p[n2] * q[n2];
      return s;
    },

    mul(out, a, b) {
      const o = out.data,
        p = a.data,
        q = b.data;
      for (let i = 0; i < o.length; i++) o[i] = p[i] * q[i];
    },

    driftFlux(rho, grad, flux, n, dim, chi, chiField, limited, ystar) {
      const r = rho.data,
        g = grad.data,
        f = flux.data,
        c = chi.data,
        cf = chiField ? chiField.data : null;
      for (let i = 0; i < n; i++) {
        const g0 = g[i],
          g1 = dim > 1 ? g[n + i] : 0,
          g2 = dim > 2 ? g[2 * n + i] : 0;
        let s = r[i];
        if (cf) s *= cf[i];
        if (limited) {
          const norm = Math.sqrt(g0 * g0 + g1 * g1 + g2 * g2);
          if (norm > ystar) {
            const e = norm - ystar;
            s *= (e / Math.sqrt(1 + e * e) + ystar) / norm;
          }
        }
        for (let a = 0; a < dim; a++) {
          let v = c[a * dim] * g0;
          if (dim > 1) v += c[a * dim + 1] * g1;
          if (dim > 2) v += c[a * dim + 2] * g2;
          f[a * n + i] = s * v;
        }
      }
    },

    growth(rho, out, a0, a1, c) {
      const r = rho.data,
        o = out.data;
      for (let i = 0; i < r.length; i++) o[i] = r[i] * (a0 + a1 * r[i] - c);
    },

    receptorChi(s, out, chi0, k) {
      const v = s.data,
        o = out.data;
      for (let i = 0; i < v.length; i++) {
        const d = 1 + v[i] / k;
        o[i] = chi0 / (d * d);
      }
    },

    // Finite-volume twins of assembly/volume.ts: the same formulas in the same order.
    faceVelocity(S, chiField, u, shape, dim, axis, h, chi, limited, ystar) {
      const [nx, ny, nz] = shape,
        s = S.data,
        o = u.data,
        cf = chiField ? chiField.data : null,
        c = chi.data;
      const h0 = h[0],
        h1 = h[1] ?? 1,
        h2 = h[2] ?? 1;
      const c0 = c[axis * dim],
        c1 = dim > 1 ? c[axis * dim + 1] : 0,
        c2 = dim > 2 ? c[axis * dim + 2] : 0;
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x < nx; x++) {
            const i = x + nx * (y + ny * z);
            const xj = axis === 0 ? wrap(x + 1, nx) : x,
              yj = axis === 1 ? wrap(y + 1, ny) : y,
              zj = axis === 2 ? wrap(z + 1, nz) : z;
            const j = xj + nx * (yj + ny * zj);
            const dn = s[j] - s[i];
            let g0 = 0,
              g1 = 0,
              g2 = 0;
            if (axis === 0) g0 = dn / h0;
            else g0 = tangential(s, x, y, z, xj, yj, zj, shape, 0, h0);
            if (dim > 1) {
              if (axis === 1) g1 = dn / h1;
              else g1 = tangential(s, x, y, z, xj, yj, zj, shape, 1, h1);
            }
            if (dim > 2) {
              if (axis === 2) g2 = dn / h2;
              else g2 = tangential(s, x, y, z, xj, yj, zj, shape, 2, h2);
            }
            let k = cf ? 0.5 * (cf[i] + cf[j]) : 1;
            if (limited) k *= limiterFactor(Math.sqrt(g0 * g0 + g1 * g1 + g2 * g2), ystar);
            o[i] = k * (c0 * g0 + c1 * g1 + c2 * g2);
          }
    },

    upwindDivergence(rho, u, out, shape, axis, invh) {
      const [nx, ny, nz] = shape,
        r = rho.data,
        v = u.data,
        o = out.data;
      const n = shape[axis],
        s = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x < nx; x++) {
            const i = x + nx * (y + ny * z),
              c = axis === 0 ? x : axis === 1 ? y : z,
              base = i - c * s;
            const im2 = base + wrap(c - 2, n) * s,
              im = base + wrap(c - 1, n) * s,
              ip = base + wrap(c + 1, n) * s,
              ip2 = base + wrap(c + 2, n) * s;
            const fIn = faceFlux(r[im2], r[im], r[i], r[ip], v[im]),
              fOut = faceFlux(r[im], r[i], r[ip], r[ip2], v[i]);
            o[i] = o[i] + (fIn - fOut) * invh;
          }
    },

    growthFlow(rho, e, qphi) {
      const r = rho.data;
      for (let i = 0; i < r.length; i++) r[i] = (r[i] * e) / (1 - qphi * r[i]);
    },
  };
}

const wrap = (i: number, n: number) => (i < 0 ? i + n : i >= n ? i - n : i);
/** ∂_d S on the face between cells (x, y, z) and (xj, yj, zj): the mean of their central differences (volume.ts tangential). */
function tangential(
  s: Float64Array,
  x: number,
  y: number,
  z: number,
  xj: number,
  yj: number,
  zj: number,
  shape: Shape3,
  d: number,
  h: number,
): number {
  return (
    (s[moved(x, y, z, shape, d, 1)] -
      s[moved(x, y, z, shape, d, -1)] +
      s[moved(xj, yj, zj, shape, d, 1)] -
      s[moved(xj, yj, zj, shape, d, -1)]) /
    (4 * h)
  );
}

/** Index of cell (x, y, z) moved by s cells along axis d, periodic (assembly/volume.ts moved). */
function moved(x: number, y: number, z: number, shape: Shape3, d: number, s: number): number {
  const [nx, ny, nz] = shape;
  if (d === 0) x = wrap(x + s, nx);
  else if (d === 1) y = wrap(y + s, ny);
  else z = wrap(z + s, nz);
  return x + nx * (y + ny * z);
}
const minmod = (a: number, b: number) => (a * b <= 0 ? 0 : a > 0 ? Math.min(a, b) : Math.max(a, b));
/** Upwind flux through a face from the minmod reconstruction (assembly/volume.ts faceFlux). */
const faceFlux = (rm: number, r: number, rp: number, rpp: number, v: number) =>
  v > 0 ? v * (r + 0.5 * minmod(r - rm, rp - r)) : v * (rp - 0.5 * minmod(rp - r, rpp - rp));
/** Q(y)/y of the flux limiter (SCIENCE.md §3), as assembly/laws.ts. */
function limiterFactor(norm: number, ystar: number): number {
  if (norm <= ystar) return 1;
  const e = norm - ystar;
  return (e / Math.sqrt(1 + e * e) + ystar) / norm;
}
