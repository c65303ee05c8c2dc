// WASM backend: AssemblyScript kernels compiled with SIMD (f64x2), fields in linear memory.
// The arena hands out 16-byte aligned blocks above __heap_base and grows memory on demand;
// Field views notice growth (their buffer is detached) and re-create themselves.
import {
  Backend,
  Field,
  type Shape3,
  type SpectralAxes,
  type VelocitySet,
  type VelocitySource,
} from './backend.js';
import { KERNELS_WASM_BASE64, type Kernels } from './kernels.generated.js';
import { MemoryLimitError } from '../errors.js';

const PAGE = 65536;
let modulePromise: Promise<WebAssembly.Module> | null = null;

/** A tiny module using one v128 instruction: validates only where WASM SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function createWasmBackend(): Promise<WasmBackend> {
  if (!wasmSimdSupported()) {
    throw new Error(
      "backend 'wasm' needs WebAssembly SIMD, which this runtime does not support; use backend 'js' or 'auto'",
    );
  }
  modulePromise ??= WebAssembly.compile(decodeBase64(KERNELS_WASM_BASE64) as BufferSource);
  const instance = await WebAssembly.instantiate(await modulePromise, {});
  return new WasmBackend(instance.exports as unknown as Kernels);
}

/** wasm32 addresses 2^32 bytes: 65536 pages of 64 KiB. */
const MAX_BYTES = 2 ** 32;

export class WasmBackend extends Backend {
  readonly kind = 'wasm' as const;
  /** Bump pointer and per-size free lists. Sizes are computed in f64 (exact below 2^53), never in i32. */
  protected readonly arena: { top: number; readonly freeLists: Map<number, number[]> };
  private readonly statsField: Field;

  constructor(private readonly k: Kernels) {
    super();
    this.arena = { top: (k.heapBase() + 15) & ~15, freeLists: new Map() };
    this.statsField = this.alloc(4);
  }

  protected allocate(length: number): Field {
    const bytes = Math.ceil((length * 8) / 16) * 16;
    const reuse = this.arena.freeLists.get(bytes)?.pop();
    if (reuse !== undefined) {
      new Float64Array(this.k.memory.buffer, reuse, length).fill(0);
      return new Field(this.arena, this.k.memory, reuse, length);
    }
    const ptr = this.arena.top;
    if (ptr + bytes > MAX_BYTES)
      throw new MemoryLimitError(bytes, MAX_BYTES - ptr, `a field of ${length} doubles on the wasm backend`);
    const need = ptr + bytes - this.k.memory.buffer.byteLength;
    if (need > 0) {
      try {
        this.k.memory.grow(Math.ceil(need / PAGE));
      } catch {
        throw new MemoryLimitError(
          bytes,
          this.k.memory.buffer.byteLength - ptr,
          `a field of ${length} doubles on the wasm backend (the runtime refused to grow memory)`,
        );
      }
    }
    this.arena.top = ptr + bytes; // moved only once the memory is there
    return new Field(this.arena, this.k.memory, ptr, length);
  }

  protected free(field: Field): void {
    const bytes = Math.ceil((field.length * 8) / 16) * 16;
    let list = this.arena.freeLists.get(bytes);
    if (!list) this.arena.freeLists.set(bytes, (list = []));
    list.push(field.ptr);
  }

  memoryBytes(): number {
    return this.k.memory.buffer.byteLength;
  }

  memoryAvailable(): number {
    return MAX_BYTES - this.arena.top;
  }

  protected rawScale(x: Field, a: number): void {
    this.k.scale(x.ptr, x.length, a);
  }

  protected rawSumSquares(x: Field): number {
    return this.k.sumSquares(x.ptr, x.length);
  }

  protected rawEntropySum(x: Field): number {
    return this.k.entropySum(x.ptr, x.length);
  }

  protected rawStats(x: Field, out: Float64Array): void {
    this.k.stats(x.ptr, x.length, this.statsField.ptr);
    out.set(this.statsField.data);
  }

  protected rawFftBatch(
    src: Field,
    so: number,
    dst: Field,
    d: number,
    work: Field,
    n: number,
    b: number,
    inverse: boolean,
  ): void {
    this.k.fftBatch(src.ptr + 16 * so, dst.ptr + 16 * d, work.ptr, n, b, this.twiddles(n).ptr, inverse);
  }
  protected rawRfftRows(real: Field, spec: Field, rows: number, m: number): void {
    this.k.rfftRows(
      real.ptr,
      spec.ptr,
      rows,
      m,
      this.twiddles(m).ptr,
      this.realTwiddles(m).ptr,
      this.scratch('ra', 2 * m).ptr,
      this.scratch('rb', 2 * m).ptr,
    );
  }
  protected rawIrfftRows(spec: Field, real: Field, rows: number, m: number): void {
    this.k.irfftRows(
      spec.ptr,
      real.ptr,
      rows,
      m,
      this.twiddles(m).ptr,
      this.realTwiddles(m).ptr,
      this.scratch('ra', 2 * m).ptr,
      this.scratch('rb', 2 * m).ptr,
    );
  }
  protected rawSymbol(
    kind: 'fractional' | 'fractionalExp' | 'laplacian' | 'resolvent',
    s: Field,
    g: SpectralAxes,
    p1: number,
    p2: number,
  ): void {
    const [, ny, nz] = g.shape;
    const a = [s.ptr, g.kx.ptr, g.nc, g.ky.ptr, ny, g.kz.ptr, nz] as const;
    if (kind === 'fractional') this.k.symbolFractional(...a, p1, p2);
    else if (kind === 'fractionalExp') this.k.symbolFractionalExp(...a, p1, p2);
    else if (kind === 'laplacian') this.k.symbolLaplacian(...a);
    else this.k.symbolResolvent(...a, p1);
  }
  protected rawGradient(src: Field, dst: Field, g: SpectralAxes, axis: number): void {
    const k = axis === 0 ? g.gx : axis === 1 ? g.gy : g.gz;
    this.k.symbolGradient(src.ptr, dst.ptr, k.ptr, axis, g.nc, g.shape[1], g.shape[2]);
  }
  protected rawDealias(s: Field, g: SpectralAxes): void {
    this.k.dealias(s.ptr, g.mx.ptr, g.nc, g.my.ptr, g.shape[1], g.mz.ptr, g.shape[2]);
  }
  protected rawModeNorm(out: Field, g: SpectralAxes, power: number): void {
    this.k.modeNorm(out.ptr, g.kx.ptr, g.nc, g.ky.ptr, g.shape[1], g.kz.ptr, g.shape[2], power);
  }
  protected rawModeScale(s: Field, c: Field): void {
    this.k.modeScale(s.ptr, c.ptr, c.length);
  }
  protected rawModeMul(out: Field, c: Field, x: Field, accumulate: boolean): void {
    if (accumulate) this.k.modeMulAdd(out.ptr, c.ptr, x.ptr, c.length);
    else this.k.modeMul(out.ptr, c.ptr, x.ptr, c.length);
  }
  protected rawAxpy(y: Field, a: number, x: Field): void {
    this.k.axpy(y.ptr, a, x.ptr, y.length);
  }
  protected rawKineticRelax(
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
  ): void {
    const [s1, s2] = sources;
    this.k.kineticRelax(
      f.ptr,
      ...velocityModes(v, g),
      s1 ? s1[0].ptr : 0,
      s1 ? s1[1].ptr : 0,
      s2 ? s2[0].ptr : 0,
      s2 ? s2[1].ptr : 0,
      lam,
      lamEps,
      a0,
      dinv.ptr,
      num.ptr,
      rho.ptr,
    );
  }
  protected rawKineticDinv(
    dinv: Field,
    v: VelocitySet,
    g: SpectralAxes,
    lam: number,
    lamEps: number,
    a0: number,
  ): void {
    this.k.kineticDinv(dinv.ptr, ...velocityModes(v, g), lam, lamEps, a0);
  }
  protected rawVelocityMoment(f: Field, nv: number, c: Field, out: Field): void {
    this.k.velocityMoment(f.ptr, nv, out.length / 2, c.ptr, out.ptr);
  }
  protected rawDot(a: Field, b: Field): number {
    return this.k.dot(a.ptr, b.ptr, a.length);
  }
  protected rawMul(out: Field, a: Field, b: Field): void {
    this.k.mul(out.ptr, a.ptr, b.ptr, out.length);
  }
  protected rawDriftFlux(
    rho: Field,
    grad: Field,
    flux: Field,
    n: number,
    dim: number,
    chi: Field,
    chiField: Field | null,
    limited: boolean,
    ystar: number,
  ): void {
    this.k.driftFlux(
      rho.ptr,
      grad.ptr,
      flux.ptr,
      n,
      dim,
      chi.ptr,
      chiField ? chiField.ptr : 0,
      limited ? 1 : 0,
      ystar,
    );
  }
  protected rawGrowth(rho: Field, out: Field, a0: number, a1: number, c: number): void {
    this.k.growth(rho.ptr, out.ptr, rho.length, a0, a1, c);
  }
  protected rawReceptorChi(s: Field, out: Field, chi0: number, k: number): void {
    this.k.receptorChi(s.ptr, out.ptr, s.length, chi0, k);
  }
  protected rawFaceVelocity(
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
  ): void {
    this.k.faceVelocity(
      S.ptr,
      chiField ? chiField.ptr : 0,
      u.ptr,
      shape[0],
      shape[1],
      shape[2],
      dim,
      axis,
      h[0],
      h[1] ?? 1,
      h[2] ?? 1,
      chi.ptr,
      limited ? 1 : 0,
      ystar,
    );
  }
  protected rawUpwindDivergence(
    rho: Field,
    u: Field,
    out: Field,
    shape: Shape3,
    axis: number,
    invh: number,
  ): void {
    this.k.upwindDivergence(rho.ptr, u.ptr, out.ptr, shape[0], shape[1], shape[2], axis, invh);
  }
  protected rawGrowthFlow(rho: Field, e: number, qphi: number): void {
    this.k.growthFlow(rho.ptr, rho.length, e, qphi);
  }
}

/** The mode and velocity-set arguments the kinetic kernels take, in their order: nv, nc, ny, kx, ky, vx, vy, w, ν, F. */
function velocityModes(v: VelocitySet, g: SpectralAxes) {
  return [
    v.size,
    g.nc,
    g.shape[1],
    g.gx.ptr,
    g.gy.ptr,
    v.vx.ptr,
    v.vy.ptr,
    v.w.ptr,
    v.nu.ptr,
    v.F.ptr,
  ] as const;
}
