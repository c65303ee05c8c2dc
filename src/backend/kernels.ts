// The kernel catalogue: every hot loop of the library, as one interface that both backends
// implement (wasm.ts through the AssemblyScript exports, js.ts in TypeScript). A Backend is built
// by composition from an Arena (its memory) and a KernelSet (its loops); its public methods check
// the arguments and call these unchecked kernels. test/backend.test.ts is keyed by this interface:
// a kernel cannot exist without its twin and its agreement test. Adding a kernel: the AssemblyScript
// function, its entry here and in both sets, and its row in the test (see STYLE.md).
import type { Field, Shape3, SpectralAxes, VelocitySet, VelocitySource } from './backend.js';

export interface KernelSet {
  scale(x: Field, a: number): void;
  sumSquares(x: Field): number;
  entropySum(x: Field): number;
  stats(x: Field, out: Float64Array): void;
  /**
   * `planes` consecutive batches of b interleaved length-n transforms (plane stride n·b complex).
   * Offsets srcOff/dstOff are in complex units; work holds n·b·planes complex (threads given whole
   * planes each use their own plane of it).
   */
  fftBatch(
    src: Field,
    srcOff: number,
    dst: Field,
    dstOff: number,
    work: Field,
    n: number,
    b: number,
    inverse: boolean,
    planes: number,
  ): void;
  rfftRows(real: Field, spec: Field, rows: number, m: number): void;
  /** Inverse of rfftRows, scaled by `scale`; destroys spec. */
  irfftRows(spec: Field, real: Field, rows: number, m: number, scale: number): void;
  /** spec *= 1/(|k|² + mu); with mu = 0 the k = 0 mode is set to 0. */
  resolvent(spec: Field, g: SpectralAxes, mu: number): void;
  /** v = i k_axis c[m] src (c null: no factor); op 0: dst = v, 1: dst −= v, 2: dst = −v. */
  gradient(src: Field, dst: Field, g: SpectralAxes, axis: number, c: Field | null, op: 0 | 1 | 2): void;
  /** Σ_half w_m c[m] |spec_m|² with w = 1 on the x = 0 and Nyquist columns, 2 elsewhere. */
  modeQuadratic(spec: Field, c: Field, g: SpectralAxes): number;
  dealias(spec: Field, g: SpectralAxes): void;
  modeNorm(out: Field, g: SpectralAxes, power: number): void;
  modeScale(spec: Field, c: Field): void;
  /** out = (accumulate ? out : 0) + Σ c_i x_i over 1–3 terms, summed left to right, in one pass. */
  modeMul(out: Field, terms: readonly (readonly [c: Field, x: Field])[], accumulate: boolean): void;
  axpy(y: Field, a: number, x: Field): void;
  kineticRelax(
    f: Field,
    v: VelocitySet,
    g: SpectralAxes,
    sources: readonly VelocitySource[],
    lam: number,
    lamEps: number,
    a0: number,
    dinv: Field,
    num: Field,
    rho: Field,
  ): void;
  kineticDinv(dinv: Field, v: VelocitySet, g: SpectralAxes, lam: number, lamEps: number, a0: number): void;
  velocityMoment(f: Field, nv: number, c: Field, out: Field): void;
  dot(a: Field, b: Field): number;
  mul(out: Field, a: Field, b: Field): void;
  driftFlux(
    rho: Field,
    grad: Field,
    flux: Field,
    n: number,
    dim: number,
    chi: Field,
    chiField: Field | null,
    limited: boolean,
    ystar: number,
  ): void;
  growth(rho: Field, out: Field, a0: number, a1: number, c: number): void;
  receptorChi(s: Field, out: Field, chi0: number, k: number): void;
  faceVelocity(
    S: Field,
    chiField: Field | null,
    u: Field,
    shape: Shape3,
    dim: number,
    axis: number,
    h: readonly number[],
    chi: Field,
    limited: boolean,
    ystar: number,
  ): void;
  upwindDivergence(rho: Field, u: Field, out: Field, shape: Shape3, axis: number, invh: number): void;
  growthFlow(rho: Field, e: number, qphi: number): void;
}

/** The cached tables and scratch a kernel may ask its backend for (plans.ts; computed once per size). */
export interface KernelPlans {
  /** Complex twiddles for length n. */
  twiddles(n: number): Field;
  /** Real-FFT post-processing twiddles for N = 2m. */
  realTwiddles(m: number): Field;
  /** Reusable scratch of at least `length` doubles, one per tag. */
  scratch(tag: string, length: number): Field;
}

/** A backend's memory: hands out Fields (each records the arena as its owner) and takes them back. */
export interface Arena {
  /** A zeroed field of `length` doubles; MemoryLimitError, before any memory moves, if it cannot fit. */
  allocate(length: number): Field;
  free(field: Field): void;
  /** Bytes of memory held. */
  bytes(): number;
  /** Bytes that can still be handed out. */
  available(): number;
}
