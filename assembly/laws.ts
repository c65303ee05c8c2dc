// Physical laws shared by several kernels (not exported from the module).

// Flux limiter of SCIENCE.md §3 applied to |y|: Q(y) = y for |y| <= y*, else
// ((|y|-y*)/sqrt(1+(|y|-y*)^2) + y*) y/|y|. Returns the factor Q(y)/y (1 below the threshold).
@inline export function limiterFactor(norm: f64, ystar: f64): f64 {
  if (norm <= ystar) return 1.0;
  const e = norm - ystar;
  return (e / Math.sqrt(1.0 + e * e) + ystar) / norm;
}

/** limiterFactor for two norms at once, with the same operations per lane. */
@inline export function limiterFactor2(norm: v128, ystar: v128): v128 {
  const e = f64x2.sub(norm, ystar);
  const q = f64x2.div(f64x2.add(f64x2.div(e, f64x2.sqrt(f64x2.add(f64x2.splat(1.0), f64x2.mul(e, e)))), ystar), norm);
  return v128.bitselect(f64x2.splat(1.0), q, f64x2.le(norm, ystar));
}
