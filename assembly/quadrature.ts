// Velocity quadrature for the kinetic model: the asymptotic-preserving implicit step of
//   a0 f + λν(v)(f − F ρ̃) + iλε (k·v) f = g,   ρ̃ = ∫ν f dv / ∫νF dv,
// solved exactly per Fourier mode k (SCIENCE.md §1, §4; relaxation is ν ≡ 1). The state is
// velocity-major: f[j] is the half spectrum (M complex) of velocity j. On entry f holds f^n;
// the explicit sources g = f + Σ_s c_s[j] P_s are formed on the fly (the table `src` holds ns
// pairs of pointers (c_s, P_s) as f64: any number of turning terms and axes, no extra pass).
//   pass 1: ρ̃(k) = dinv(k) Σ_j w_j ν_j g_j / A_j,  A_j = a0 + λν_j + iλε k·v_j
//   pass 2: f_j = (g_j + λ ν_j F_j ρ̃) / A_j,  and ρ(k) = Σ_j w_j f_j.

// g / A with A = (ar, ai) and inv = 1/|A|²: (g · conj A) · inv.
@inline function cdivReal(g: v128, ar: f64, ai: f64, inv: f64): v128 {
  const t = f64x2.add(f64x2.mul(g, f64x2.splat(ar)), f64x2.mul(v128.shuffle<f64>(g, g, 1, 0), f64x2(ai, -ai)));
  return f64x2.mul(t, f64x2.splat(inv));
}

/**
 * g_j = f_j + Σ_s c_s[j] P_s at byte offset o: the first three sources' pointers and splatted
 * coefficients are hoisted out of the mode loop (the common cases: 1–3 axes of one turning term),
 * the rest are read from the table per mode.
 */
@inline function addSources(
  f: v128, o: usize, ns: i32, p0: usize, c0: v128, p1: usize, c1: v128, p2: usize, c2: v128, src: usize, coef: usize,
): v128 {
  let g = f;
  if (ns > 0) g = f64x2.add(g, f64x2.mul(v128.load(p0 + o), c0));
  if (ns > 1) g = f64x2.add(g, f64x2.mul(v128.load(p1 + o), c1));
  if (ns > 2) g = f64x2.add(g, f64x2.mul(v128.load(p2 + o), c2));
  for (let t = 3; t < ns; t++) {
    const p = <usize>load<f64>(src + (<usize>t << 4), 8);
    g = f64x2.add(g, f64x2.mul(v128.load(p + o), f64x2.splat(load<f64>(coef + (<usize>t << 3)))));
  }
  return g;
}

/** One mode of one velocity at byte offset o (see relaxPass): ai and inv = 1/(ar² + ai²) of the mode. */
@inline function relaxMode(
  second: bool, fj: usize, o: usize,
  ns: i32, p0: usize, c0: v128, p1: usize, c1: v128, p2: usize, c2: v128, src: usize, coef: usize,
  ar: f64, ai: f64, inv: f64, wn: v128, eq: v128, wj: v128, num: usize, rho: usize,
): void {
  const g = addSources(v128.load(fj + o), o, ns, p0, c0, p1, c1, p2, c2, src, coef);
  if (!second) {
    const q = cdivReal(g, ar, ai, inv);
    v128.store(num + o, f64x2.add(v128.load(num + o), f64x2.mul(q, wn)));
  } else {
    const fn = cdivReal(f64x2.add(g, f64x2.mul(v128.load(num + o), eq)), ar, ai, inv);
    v128.store(fj + o, fn);
    v128.store(rho + o, f64x2.add(v128.load(rho + o), f64x2.mul(fn, wj)));
  }
}

/**
 * One pass over every velocity and mode (the loop skeleton both passes share; `second` is a
 * compile-time constant at each call). Pass 1 (second = false): num += w_j ν_j g_j / A_j.
 * Pass 2: f_j = (g_j + λ ν_j F_j ρ̃) / A_j with ρ̃ in num, and rho += w_j f_j.
 * Modes go in pairs along x so that one f64x2 division serves two of them (the scalar division
 * per mode, not memory, bounded the loop); lane by lane the arithmetic is that of one mode.
 */
@inline function relaxPass(
  second: bool, f: usize, nv: i32, nc: i32, ny: i32, nz: i32, kx: usize, ky: usize, kz: usize,
  vx: usize, vy: usize, vz: usize, w: usize, nu: usize, F: usize,
  ns: i32, src: usize, lam: f64, lamEps: f64, a0: f64, num: usize, rho: usize, stride: usize,
  r0: i32, r1: i32, coef: usize,
): void {
  const one = f64x2.splat(1.0);
  for (let j = 0; j < nv; j++) {
    const jo = <usize>j << 3;
    const nuj = load<f64>(nu + jo);
    const ar = a0 + lam * nuj;
    const ar2 = f64x2.splat(ar * ar);
    const cx = lamEps * load<f64>(vx + jo), cy = lamEps * load<f64>(vy + jo), cz = lamEps * load<f64>(vz + jo);
    const cx2 = f64x2.splat(cx);
    const wn = f64x2.splat(load<f64>(w + jo) * nuj);
    const eq = f64x2.splat(lam * nuj * load<f64>(F + jo));
    const wj = f64x2.splat(load<f64>(w + jo));
    for (let t = 0; t < ns; t++) store<f64>(coef + (<usize>t << 3), load<f64>(<usize>load<f64>(src + (<usize>t << 4)) + jo));
    const p0 = ns > 0 ? <usize>load<f64>(src, 8) : 0, c0 = f64x2.splat(ns > 0 ? load<f64>(coef) : 0.0);
    const p1 = ns > 1 ? <usize>load<f64>(src + 16, 8) : 0, c1 = f64x2.splat(ns > 1 ? load<f64>(coef + 8) : 0.0);
    const p2 = ns > 2 ? <usize>load<f64>(src + 32, 8) : 0, c2 = f64x2.splat(ns > 2 ? load<f64>(coef + 16) : 0.0);
    const fj = f + <usize>j * stride;
    let m = <usize>r0 * <usize>nc;
    for (let r = r0; r < r1; r++) {
      const iz = r / ny,
        iy = r - iz * ny;
      // 1-D/2-D: nz = 1, kz = 0, so yk is cy k_y exactly as before the z axis existed.
      const zk = cz * load<f64>(kz + (<usize>iz << 3));
      const yk = nz > 1 ? cy * load<f64>(ky + (<usize>iy << 3)) + zk : cy * load<f64>(ky + (<usize>iy << 3));
      const yk2 = f64x2.splat(yk);
      let ix = 0;
      for (; ix + 1 < nc; ix += 2) {
        // Two modes: ai = cx kx + yk and inv = 1/(ar² + ai²) for both with one division.
        const ai2 = f64x2.add(f64x2.mul(cx2, v128.load(kx + (<usize>ix << 3))), yk2);
        const inv2 = f64x2.div(one, f64x2.add(ar2, f64x2.mul(ai2, ai2)));
        const o = m << 4;
        relaxMode(second, fj, o, ns, p0, c0, p1, c1, p2, c2, src, coef, ar, f64x2.extract_lane(ai2, 0), f64x2.extract_lane(inv2, 0), wn, eq, wj, num, rho);
        relaxMode(second, fj, o + 16, ns, p0, c0, p1, c1, p2, c2, src, coef, ar, f64x2.extract_lane(ai2, 1), f64x2.extract_lane(inv2, 1), wn, eq, wj, num, rho);
        m += 2;
      }
      if (ix < nc) {
        const ai = cx * load<f64>(kx + (<usize>ix << 3)) + yk;
        relaxMode(second, fj, m << 4, ns, p0, c0, p1, c1, p2, c2, src, coef, ar, ai, 1.0 / (ar * ar + ai * ai), wn, eq, wj, num, rho);
        m++;
      }
    }
  }
}

/**
 * The relaxation step for the mode rows r = iz·ny + iy in [r0, r1) (all: 0, ny·nz): each mode's
 * sums over the velocities run in the same order whatever the rows, so threads take row ranges.
 * `coef` (64 doubles, one block per thread: the Backend allows at most 64 sources) holds the
 * explicit sources' coefficients c_s[j] of the current velocity.
 */
export function kineticRelax(
  f: usize, nv: i32, nc: i32, ny: i32, nz: i32, kx: usize, ky: usize, kz: usize,
  vx: usize, vy: usize, vz: usize, w: usize, nu: usize, F: usize,
  ns: i32, src: usize,
  lam: f64, lamEps: f64, a0: f64, dinv: usize, num: usize, rho: usize, r0: i32, r1: i32, coef: usize,
): void {
  const stride = <usize>(nc * ny * nz) << 4;
  const m0 = <usize>r0 * <usize>nc,
    m1 = <usize>r1 * <usize>nc;
  memory.fill(num + (m0 << 4), 0, (m1 - m0) << 4);
  memory.fill(rho + (m0 << 4), 0, (m1 - m0) << 4);
  relaxPass(false, f, nv, nc, ny, nz, kx, ky, kz, vx, vy, vz, w, nu, F, ns, src, lam, lamEps, a0, num, rho, stride, r0, r1, coef);
  // ρ̃ = num · dinv (complex product), stored in num.
  for (let m = m0; m < m1; m++) {
    const o = m << 4;
    const a = v128.load(num + o), d = v128.load(dinv + o);
    const dr = v128.shuffle<f64>(d, d, 0, 0), di = v128.shuffle<f64>(d, d, 1, 1);
    v128.store(num + o, f64x2.add(f64x2.mul(a, dr), f64x2.mul(f64x2.mul(v128.shuffle<f64>(a, a, 1, 0), di), f64x2(-1.0, 1.0))));
  }
  relaxPass(true, f, nv, nc, ny, nz, kx, ky, kz, vx, vy, vz, w, nu, F, ns, src, lam, lamEps, a0, num, rho, stride, r0, r1, coef);
}

/** out(k) = Σ_j c_j f_j(k): a velocity moment of the spectral state (M complex modes), for modes [m0, m1). */
export function velocityMoment(f: usize, nv: i32, m: i32, c: usize, out: usize, m0: i32, m1: i32): void {
  const stride = <usize>m << 4;
  const a = <usize>m0 << 4,
    e = <usize>m1 << 4;
  memory.fill(out + a, 0, e - a);
  for (let j = 0; j < nv; j++) {
    const cj = f64x2.splat(load<f64>(c + (<usize>j << 3)));
    const fj = f + <usize>j * stride;
    for (let o = a; o < e; o += 16) v128.store(out + o, f64x2.add(v128.load(out + o), f64x2.mul(v128.load(fj + o), cj)));
  }
}

/**
 * dinv(k) = 1 / Σ_j w_j ν_j F_j (a0 + iλε k·v_j)/(a0 + λν_j + iλε k·v_j) for every mode: the
 * normalisation of ρ̃ in kineticRelax, in the cancellation-free form of Z − λ Σ wν²F/A
 * ((a0 + ib)/(ar + ib) = ((a0 ar + b²) + i b (ar − a0)) / (ar² + b²)). Computed once per step size,
 * for the mode rows [r0, r1) (all: 0, ny·nz).
 */
export function kineticDinv(
  dinv: usize, nv: i32, nc: i32, ny: i32, nz: i32, kx: usize, ky: usize, kz: usize,
  vx: usize, vy: usize, vz: usize, w: usize, nu: usize, F: usize, lam: f64, lamEps: f64, a0: f64,
  r0: i32, r1: i32,
): void {
  let m = <usize>r0 * <usize>nc;
  for (let r = r0; r < r1; r++) {
    const iz = r / ny,
      iy = r - iz * ny;
    const z = load<f64>(kz + (<usize>iz << 3));
    {
      const y = load<f64>(ky + (<usize>iy << 3));
      for (let ix = 0; ix < nc; ix++) {
        const x = load<f64>(kx + (<usize>ix << 3));
        let sr = 0.0,
          si = 0.0;
        for (let j = 0; j < nv; j++) {
          const jo = <usize>j << 3;
          const nuj = load<f64>(nu + jo);
          // 1-D/2-D (nz = 1): k·v = x vx + y vy exactly as before the z axis existed.
          const kv = x * load<f64>(vx + jo) + y * load<f64>(vy + jo);
          const b = lamEps * (nz > 1 ? kv + z * load<f64>(vz + jo) : kv),
            ar = a0 + lam * nuj,
            c = load<f64>(w + jo) * nuj * load<f64>(F + jo);
          const den = ar * ar + b * b;
          sr += (c * (a0 * ar + b * b)) / den;
          si += (c * b * (ar - a0)) / den;
        }
        const d = sr * sr + si * si;
        store<f64>(dinv + (m << 4), sr / d);
        store<f64>(dinv + (m << 4), -si / d, 8);
        m++;
      }
    }
  }
}
