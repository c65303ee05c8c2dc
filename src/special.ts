// Special functions needed by the coefficients.

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Γ(x) for real x (Lanczos, g = 7; relative error ~1e-15 for x > 0). */
export function gammaFn(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gammaFn(1 - x));
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}

/** ∫ over the unit sphere S^{N−1} of |ω1|^p dω = 2 π^{(N−1)/2} Γ((p+1)/2) / Γ((N+p)/2). */
export function sphereMoment(N: number, p: number): number {
  return (2 * Math.pow(Math.PI, (N - 1) / 2) * gammaFn((p + 1) / 2)) / gammaFn((N + p) / 2);
}
