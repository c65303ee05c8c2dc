// Velocity quadrature for the kinetic model: the asymptotic-preserving implicit step of
//   a0 f + λν(v)(f − F ρ̃) + iλε (k·v) f = g,   ρ̃ = ∫ν f dv / ∫νF dv,
// solved exactly per Fourier mode k (SCIENCE.md §1, §4; relaxation is ν ≡ 1). The state is
// velocity-major: f[j] is the half spectrum (M complex) of velocity j. On entry f holds f^n;
// the explicit sources g = f + Σ_s c_s[j] P_s are formed on the fly (the table `src` holds ns
// pairs of pointers (c_s, P_s) as f64: any number of turning terms and axes, no extra pass).
//   pass 1: ρ̃(k) = dinv(k) Σ_j w_j ν_j g_j / A_j,  A_j = a0 + λν_j + iλε k·v_j
//   pass 2: f_j = (g_j + λ ν_j F_j ρ̃) / A_j,  and ρ(k) = Σ_j w_j f_j.

// g / A with A = (ar, ai): (g · conj A) / |A|^2.
@inline function cdivReal(g: v128, ar: f64, ai: f64): v128 {
  const inv = 1.0 / (ar * ar + ai * ai);
  const t = f64x2.add(f64x2.mul(g, f64x2.splat(ar)), f64x2.mul(v128.shuffle<f64>(g, g, 1, 0), f64x2(ai, -ai)));
  return f64x2.mul(t, f64x2.splat(inv));
}

@inline function source(f: v128, ns: i32, src: usize, coef: usize, o: usize): v128 {
  let g = f;
  for (let s = 0; s < ns; s++) {
    const p = <usize>load<f64>(src + (<usize>s << 4), 8);
    g = f64x2.add(g, f64x2.mul(v128.load(p + o), f64x2.splat(load<f64>(coef + (<usize>s << 3)))));
  }
  return g;
}

/**
 * One pass over every velocity and mode (the loop skeleton both passes share; `second` is a
 * compile-time constant at each call). Pass 1 (second = false): num += w_j ν_j g_j / A_j.
 * Pass 2: f_j = (g_j + λ ν_j F_j ρ̃) / A_j with ρ̃ in num, and rho += w_j f_j.
 */
@inline function relaxPass(
  second: bool, f: usize, nv: i32, nc: i32, ny: i32, nz: i32, kx: usize, ky: usize, kz: usize,
  vx: usize, vy: usize, vz: usize, w: usize, nu: usize, F: usize,
  ns: i32, src: usize, lam: f64, lamEps: f64, a0: f64, num: usize, rho: usize, stride: usize,
): void {
  const coef = SOURCE_COEFFICIENTS;
  for (let j = 0; j < nv; j++) {
    const jo = <usize>j << 3;
    const nuj = load<f64>(nu + jo);
    const ar = a0 + lam * nuj;
    const cx = lamEps * load<f64>(vx + jo), cy = lamEps * load<f64>(vy + jo), cz = lamEps * load<f64>(vz + jo);
    const wn = f64x2.splat(load<f64>(w + jo) * nuj);
    const eq = f64x2.splat(lam * nuj * load<f64>(F + jo));
    const wj = f64x2.splat(load<f64>(w + jo));
    for (let s = 0; s < ns; s++) store<f64>(coef + (<usize>s << 3), load<f64>(<usize>load<f64>(src + (<usize>s << 4)) + jo));
    const fj = f + <usize>j * stride;
    let m: usize = 0;
    for (let iz = 0; iz < nz; iz++) {
      const zk = cz * load<f64>(kz + (<usize>iz << 3));
      for (let iy = 0; iy < ny; iy++) {
        // 1-D/2-D: nz = 1, kz = 0, so yk is cy k_y exactly as before the z axis existed.
        const yk = nz > 1 ? cy * load<f64>(ky + (<usize>iy << 3)) + zk : cy * load<f64>(ky + (<usize>iy << 3));
        for (let ix = 0; ix < nc; ix++) {
          const o = m << 4;
          const ai = cx * load<f64>(kx + (<usize>ix << 3)) + yk;
          if (!second) {
            const q = cdivReal(source(v128.load(fj + o), ns, src, coef, o), ar, ai);
            v128.store(num + o, f64x2.add(v128.load(num + o), f64x2.mul(q, wn)));
          } else {
            const g = f64x2.add(source(v128.load(fj + o), ns, src, coef, o), f64x2.mul(v128.load(num + o), eq));
            const fn = cdivReal(g, ar, ai);
            v128.store(fj + o, fn);
            v128.store(rho + o, f64x2.add(v128.load(rho + o), f64x2.mul(fn, wj)));
          }
          m++;
        }
      }
    }
  }
}

/**
 * The explicit sources' coefficients c_s[j] of the current velocity (at most 64: the Backend checks).
 * A static data segment, below __heap_base: the arena owns everything above it.
 */
const SOURCE_COEFFICIENTS: usize = memory.data(64 * 8, 16);

export function kineticRelax(
  f: usize, nv: i32, nc: i32, ny: i32, nz: i32, kx: usize, ky: usize, kz: usize,
  vx: usize, vy: usize, vz: usize, w: usize, nu: usize, F: usize,
  ns: i32, src: usize,
  lam: f64, lamEps: f64, a0: f64, dinv: usize, num: usize, rho: usize,
): void {
  const M = <usize>(nc * ny * nz);
  const stride = M << 4;
  memory.fill(num, 0, stride);
  memory.fill(rho, 0, stride);
  relaxPass(false, f, nv, nc, ny, nz, kx, ky, kz, vx, vy, vz, w, nu, F, ns, src, lam, lamEps, a0, num, rho, stride);
  // ρ̃ = num · dinv (complex product), stored in num.
  for (let m: usize = 0; m < M; m++) {
    const o = m << 4;
    const a = v128.load(num + o), d = v128.load(dinv + o);
    const dr = v128.shuffle<f64>(d, d, 0, 0), di = v128.shuffle<f64>(d, d, 1, 1);
    v128.store(num + o, f64x2.add(f64x2.mul(a, dr), f64x2.mul(f64x2.mul(v128.shuffle<f64>(a, a, 1, 0), di), f64x2(-1.0, 1.0))));
  }
  relaxPass(true, f, nv, nc, ny, nz, kx, ky, kz, vx, vy, vz, w, nu, F, ns, src, lam, lamEps, a0, num, rho, stride);
}

/** out(k) = Σ_j c_j f_j(k): a velocity moment of the spectral state (M complex modes). */
export function velocityMoment(f: usize, nv: i32, m: i32, c: usize, out: usize): void {
  const stride = <usize>m << 4;
  memory.fill(out, 0, stride);
  for (let j = 0; j < nv; j++) {
    const cj = f64x2.splat(load<f64>(c + (<usize>j << 3)));
    const fj = f + <usize>j * stride;
    for (let o: usize = 0; o < stride; o += 16) v128.store(out + o, f64x2.add(v128.load(out + o), f64x2.mul(v128.load(fj + o), cj)));
  }
}

/**
 * dinv(k) = 1 / Σ_j w_j ν_j F_j (a0 + iλε k·v_j)/(a0 + λν_j + iλε k·v_j) for every mode: the
 * normalisation of ρ̃ in kineticRelax, in the cancellation-free form of Z − λ Σ wν²F/A
 * ((a0 + ib)/(ar + ib) = ((a0 ar + b²) + i b (ar − a0)) / (ar² + b²)). Computed once per step size.
 */
export function kineticDinv(
  dinv: usize, nv: i32, nc: i32, ny: i32, nz: i32, kx: usize, ky: usize, kz: usize,
  vx: usize, vy: usize, vz: usize, w: usize, nu: usize, F: usize, lam: f64, lamEps: f64, a0: f64,
): void {
  let m: usize = 0;
  for (let iz = 0; iz < nz; iz++) {
    const z = load<f64>(kz + (<usize>iz << 3));
    for (let iy = 0; iy < ny; iy++) {
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
