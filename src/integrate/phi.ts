// φ-functions of exponential integrators, φ_k(z) = Σ_j z^j / (j+k)!, evaluated stably:
// the Taylor series for |z| < 2 (where the closed forms cancel catastrophically) and the
// closed forms φ_{k+1}(z) = (φ_k(z) - 1/k!)/z elsewhere. Relative accuracy ~1e-15 for real z
// (checked against Kassam–Trefethen contour integrals in test/integrate.test.ts).

const TAYLOR_TERMS = 30;

/** [φ0, φ1, φ2, φ3](z) for real z. */
export function phis(z: number): [number, number, number, number] {
  if (Math.abs(z) < 2) {
    // φ_k(z) = Σ_j z^j/(j+k)!; sum from the tail for accuracy.
    const out: [number, number, number, number] = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      let s = 0;
      for (let j = TAYLOR_TERMS; j >= 0; j--) s = (s * z) / (j + k + 1) + 1;
      // s = Σ_j z^j k!/(j+k)!  → divide by k!
      out[k] = s / [1, 1, 2, 6][k];
    }
    return out;
  }
  const e = Math.exp(z);
  const p1 = (e - 1) / z;
  const p2 = (p1 - 1) / z;
  const p3 = (p2 - 0.5) / z;
  return [e, p1, p2, p3];
}

/** Reference: φ_k by the mean over M points of a circle of radius r around z (Kassam–Trefethen). */
export function phiContour(k: 1 | 2 | 3, z: number, M = 64, r = 1): number {
  let acc = 0;
  for (let j = 0; j < M; j++) {
    const th = (2 * Math.PI * (j + 0.5)) / M;
    const wr = z + r * Math.cos(th),
      wi = r * Math.sin(th);
    // closed form φ_k(w) = (e^w - Σ_{i<k} w^i/i!)/w^k in complex arithmetic
    const ea = Math.exp(wr);
    let nr = ea * Math.cos(wi),
      ni = ea * Math.sin(wi);
    let pr = 1,
      pi = 0,
      fact = 1;
    for (let i = 0; i < k; i++) {
      if (i > 0) {
        const t = pr * wr - pi * wi;
        pi = pr * wi + pi * wr;
        pr = t;
        fact *= i;
      }
      nr -= pr / fact;
      ni -= pi / fact;
    }
    let dr = 1,
      di = 0; // w^k
    for (let i = 0; i < k; i++) {
      const t = dr * wr - di * wi;
      di = dr * wi + di * wr;
      dr = t;
    }
    const den = dr * dr + di * di;
    acc += (nr * dr + ni * di) / den;
  }
  return acc / M;
}
