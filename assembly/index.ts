// Entry point of the kernel module. Kernels never allocate: all memory is handed out by the
// JS-side arena above __heap_base.
export * from './fft';
export * from './spectral';
export * from './pointwise';

export function heapBase(): usize {
  return __heap_base;
}
export * from './quadrature';
export * from './volume';
