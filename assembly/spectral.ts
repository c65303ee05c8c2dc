// Fourier multipliers on the half spectrum of a real field (layout: index (iz*ny + iy)*nc + ix,
// one complex per v128). Wavenumbers are per-axis f64 arrays (kx: nc, ky: ny, kz: nz), so a
// multiplier costs no per-mode storage; k = 0 is always handled explicitly.

@inline function k2At(kx: usize, ix: i32, ky2: f64): f64 {
  const k = load<f64>(kx + (<usize>ix << 3));
  return k * k + ky2;
}

@inline function rowBase(spec: usize, iz: i32, iy: i32, ny: i32, nc: i32): usize {
  return spec + ((<usize>(iz * ny + iy) * <usize>nc) << 4);
}

@inline function scaleMode(p: usize, f: f64): void {
  v128.store(p, f64x2.mul(v128.load(p), f64x2.splat(f)));
}

// The mode loops below differ in what they read per axis (wavenumbers for |k|², 0/1 masks for
// dealiasing) and what they write (a factor on the spectrum, or a per-mode table): each is one
// specialised pass, kept apart so the compiler sees straight-line SIMD in its inner loop.

/**
 * spec *= 1/(|k|^2 + mu). With mu = 0 the k = 0 mode is set to 0: the zero-mean solution of
 * -ΔS = f - <f> on a periodic box.
 */
export function symbolResolvent(spec: usize, kx: usize, nc: i32, ky: usize, ny: i32, kz: usize, nz: i32, mu: f64): void {
  for (let iz = 0; iz < nz; iz++) {
    const z = load<f64>(kz + (<usize>iz << 3));
    for (let iy = 0; iy < ny; iy++) {
      const y = load<f64>(ky + (<usize>iy << 3));
      const kyz = z * z + y * y;
      const row = rowBase(spec, iz, iy, ny, nc);
      for (let ix = 0; ix < nc; ix++) {
        const d = k2At(kx, ix, kyz) + mu;
        scaleMode(row + (<usize>ix << 4), d == 0.0 ? 0.0 : 1.0 / d);
      }
    }
  }
}

/** One derivative pass (see symbolGradient); `scaled` and `op` are compile-time constants at each call. */
@inline function gradientPass(
  scaled: bool, op: i32, src: usize, dst: usize, k: usize, c: usize, axis: i32, nc: i32, ny: i32, r0: i32, r1: i32,
): void {
  const rot = f64x2(-1.0, 1.0); // i (a + ib) = (-b, a)
  let m = <usize>r0 * <usize>nc;
  for (let r = r0; r < r1; r++) {
    const iz = r / ny,
      iy = r - iz * ny;
    const off = (<usize>r * <usize>nc) << 4;
    const kyz = axis == 2 ? load<f64>(k + (<usize>iz << 3)) : load<f64>(k + (<usize>iy << 3));
    for (let ix = 0; ix < nc; ix++) {
      const kk = axis == 0 ? load<f64>(k + (<usize>ix << 3)) : kyz;
      const o = off + (<usize>ix << 4);
      const a = v128.load(src + o);
      let v = f64x2.mul(f64x2.mul(v128.shuffle<f64>(a, a, 1, 0), rot), f64x2.splat(kk));
      if (scaled) v = f64x2.mul(v, f64x2.splat(load<f64>(c + (m << 3))));
      if (op == 0) v128.store(dst + o, v);
      else if (op == 1) v128.store(dst + o, f64x2.sub(v128.load(dst + o), v));
      else v128.store(dst + o, f64x2.neg(v));
      m++;
    }
  }
}

/**
 * One Cartesian derivative, v = i k_axis c[m] src (c = 0: no per-mode factor), and
 * op 0: dst = v, 1: dst −= v, 2: dst = −v. `k` is that axis' wavenumber array; axis 0 = x
 * (fastest), 1 = y, 2 = z. The caller zeroes Nyquist entries of `k` (odd derivative). The factor
 * and the accumulation save whole passes: ∇ of a multiplier's output, and −∇·F axis by axis.
 * Visits the rows r = iz·ny + iy in [r0, r1) (all: 0, ny·nz), so threads can take row ranges.
 */
export function symbolGradient(
  src: usize, dst: usize, k: usize, axis: i32, nc: i32, ny: i32, r0: i32, r1: i32, c: usize, op: i32,
): void {
  if (c) {
    if (op == 0) gradientPass(true, 0, src, dst, k, c, axis, nc, ny, r0, r1);
    else if (op == 1) gradientPass(true, 1, src, dst, k, c, axis, nc, ny, r0, r1);
    else gradientPass(true, 2, src, dst, k, c, axis, nc, ny, r0, r1);
  } else {
    if (op == 0) gradientPass(false, 0, src, dst, k, c, axis, nc, ny, r0, r1);
    else if (op == 1) gradientPass(false, 1, src, dst, k, c, axis, nc, ny, r0, r1);
    else gradientPass(false, 2, src, dst, k, c, axis, nc, ny, r0, r1);
  }
}

/**
 * Σ over the half spectrum of c[m] |spec_m|², each mode counted as often as it stands for in the
 * full spectrum (twice, except the x = 0 and x = Nyquist columns): Parseval's Σ_x f g · N for
 * g^ = c f^ (nx even).
 */
export function modeQuadratic(spec: usize, c: usize, nc: i32, ny: i32, nz: i32): f64 {
  let s = 0.0;
  let m: usize = 0;
  for (let r = 0; r < ny * nz; r++) {
    for (let ix = 0; ix < nc; ix++) {
      const a = v128.load(spec + (m << 4));
      const re = f64x2.extract_lane(a, 0), im = f64x2.extract_lane(a, 1);
      const w = ix == 0 || ix == nc - 1 ? 1.0 : 2.0;
      s += w * load<f64>(c + (m << 3)) * (re * re + im * im);
      m++;
    }
  }
  return s;
}

/** 2/3 dealiasing: spec *= mx[ix] * my[iy] * mz[iz] with 0/1 per-axis masks. */
export function dealias(spec: usize, mx: usize, nc: i32, my: usize, ny: i32, mz: usize, nz: i32): void {
  for (let iz = 0; iz < nz; iz++) {
    const fz = load<f64>(mz + (<usize>iz << 3));
    for (let iy = 0; iy < ny; iy++) {
      const f = fz * load<f64>(my + (<usize>iy << 3));
      const row = rowBase(spec, iz, iy, ny, nc);
      for (let ix = 0; ix < nc; ix++) scaleMode(row + (<usize>ix << 4), f * load<f64>(mx + (<usize>ix << 3)));
    }
  }
}

/** |k|^power for every mode into a real per-mode array (set-up of stepper coefficients). */
export function modeNorm(out: usize, kx: usize, nc: i32, ky: usize, ny: i32, kz: usize, nz: i32, power: f64): void {
  const h = power * 0.5;
  let m: usize = 0;
  for (let iz = 0; iz < nz; iz++) {
    const z = load<f64>(kz + (<usize>iz << 3));
    for (let iy = 0; iy < ny; iy++) {
      const y = load<f64>(ky + (<usize>iy << 3));
      const kyz = z * z + y * y;
      for (let ix = 0; ix < nc; ix++) {
        const k2 = k2At(kx, ix, kyz);
        store<f64>(out + (m << 3), k2 == 0.0 ? 0.0 : (h == 1.0 ? k2 : Math.pow(k2, h)));
        m++;
      }
    }
  }
}

/** spec[m] *= c[m] (real per-mode factor). */
export function modeScale(spec: usize, c: usize, n: i32): void {
  for (let m = 0; m < n; m++) scaleMode(spec + (<usize>m << 4), load<f64>(c + (<usize>m << 3)));
}

/**
 * out[m] = (accumulate ? out[m] : 0) + c1[m] x1[m] + c2[m] x2[m] + c3[m] x3[m], the terms
 * present (nterms = 1…3) summed left to right: one pass where an exponential integrator's
 * combination E u + f1 N(u) + f2 N(a) took one per term, with the same arithmetic.
 */
export function modeMulSum(
  out: usize, n: i32, nterms: i32, accumulate: bool,
  c1: usize, x1: usize, c2: usize, x2: usize, c3: usize, x3: usize,
): void {
  for (let m = 0; m < n; m++) {
    const o = <usize>m << 4,
      q = <usize>m << 3;
    let v = f64x2.mul(v128.load(x1 + o), v128.load64_splat(c1 + q));
    if (accumulate) v = f64x2.add(v128.load(out + o), v);
    if (nterms > 1) v = f64x2.add(v, f64x2.mul(v128.load(x2 + o), v128.load64_splat(c2 + q)));
    if (nterms > 2) v = f64x2.add(v, f64x2.mul(v128.load(x3 + o), v128.load64_splat(c3 + q)));
    v128.store(out + o, v);
  }
}
