// Physical laws shared by several kernels (not exported from the module).

// Flux limiter of SCIENCE.md §3 applied to |y|: Q(y) = y for |y| <= y*, else
// ((|y|-y*)/sqrt(1+(|y|-y*)^2) + y*) y/|y|. Returns the factor Q(y)/y (1 below the threshold).
@inline export function limiterFactor(norm: f64, ystar: f64): f64 {
  if (norm <= ystar) return 1.0;
  const e = norm - ystar;
  return (e / Math.sqrt(1.0 + e * e) + ystar) / norm;
}
