// WASM backend: AssemblyScript kernels compiled with SIMD (f64x2), fields in linear memory.
// The arena hands out 16-byte aligned blocks above __heap_base and grows memory on demand;
// Field views notice growth (their buffer is detached) and re-create themselves.
import { Backend, Field, type SpectralAxes, type VelocitySet } from './backend.js';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64, type Kernels } from './kernels.generated.js';
import type { Arena, KernelPlans, KernelSet } from './kernels.js';
import { columnBlock, columnBlockDoubles } from './plans.js';
import { checkThreadCount, defaultThreads, ThreadTeam, threadSupport } from './threads.js';
import { MemoryLimitError, ValidationError } from '../errors.js';

const PAGE = 65536;
let modulePromise: Promise<WebAssembly.Module> | null = null;
let sharedModulePromise: Promise<WebAssembly.Module> | null = null;

/** A tiny module using one v128 instruction: validates only where WASM SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

/** Whether this runtime validates WebAssembly SIMD (the wasm backend needs it). */
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

/**
 * The compiled kernel module (compiled once per thread). A worker pool passes it to its threads
 * (WebAssembly.Module is structured-cloneable), so each thread instantiates the already compiled
 * and optimised code instead of compiling it again while the others compute.
 */
export function kernelModule(given?: WebAssembly.Module): Promise<WebAssembly.Module> {
  if (given) modulePromise ??= Promise.resolve(given);
  modulePromise ??= WebAssembly.compile(decodeBase64(KERNELS_WASM_BASE64) as BufferSource);
  return modulePromise;
}

/** The same kernels on an imported shared memory (build/kernels.shared.wasm), for kernel threads. */
function sharedKernelModule(): Promise<WebAssembly.Module> {
  sharedModulePromise ??= WebAssembly.compile(decodeBase64(KERNELS_SHARED_WASM_BASE64) as BufferSource);
  return sharedModulePromise;
}

/** Options of the wasm backend. */
export interface WasmOptions {
  /**
   * Threads to run kernels on: this thread and threads − 1 workers sharing the backend's memory
   * (default: the machine's cores where the runtime has shared memory, else 1). Results are
   * bitwise those of one thread.
   */
  threads?: number;
}

/** The exports a thread team may run, each cut into ranges by wasmKernels. */
const PARALLEL_KERNELS = [
  'kineticRelax',
  'kineticDinv',
  'velocityMoment',
  'entropySum',
  'stats',
  'fftBatch',
  'fftColumns',
  'rfftRows',
  'irfftRows',
  'symbolGradient',
  'modeMulSum',
  'driftFlux',
  'scale',
  'axpy',
  'mul',
  'modeScale',
];

/** Timed calls of each way before a column pass keeps the faster (see ColumnPlans). */
const BLOCK_TRIALS = 3;

/**
 * How each large column pass runs: whole (fftBatch, every stage over the whole plane) or in
 * blocks of columns gathered into L2 (fftColumns). Neither wins everywhere: on this project's
 * machine, blocks ran the z-passes of 64×64×64 and 64×128×64 grids 1.5× and 2.7× faster, and those
 * of 128×128×64 and 96³ 1.6× slower, with no rule in the sizes that we could find. Both give
 * bitwise the same result, so, like FFTW's planner, the first calls of each pass alternate the two
 * ways, timed, and the faster is kept: measuring costs only the slower way's first calls. A tie
 * (a coarse clock, as in a page that is not cross-origin isolated) keeps the whole pass.
 */
class ColumnPlans {
  private readonly plans = new Map<string, { times: [number[], number[]]; blocked?: boolean }>();
  /** T: the threads that share a pass. */
  constructor(private readonly T: number) {}

  /** Columns per block for a pass of b transforms of length n (0: whole), and the end of its call. */
  next(n: number, b: number, inverse: boolean): { B: number; done: () => void } {
    const B = columnBlock(n, b, this.T);
    if (B === 0) return WHOLE;
    const key = `${n}:${b}:${inverse}`;
    let p = this.plans.get(key);
    if (!p) this.plans.set(key, (p = { times: [[], []] }));
    if (p.blocked !== undefined) return p.blocked ? { B, done: NOTHING } : WHOLE;
    const way = p.times[0].length > p.times[1].length ? 1 : 0; // 0 whole, 1 blocks: alternate
    const t0 = performance.now();
    return {
      B: way * B,
      done: () => {
        const plan = p!;
        plan.times[way].push(performance.now() - t0);
        if (plan.times[1].length === BLOCK_TRIALS)
          plan.blocked = Math.min(...plan.times[1]) < Math.min(...plan.times[0]);
      },
    };
  }
}
const NOTHING = (): void => {};
const WHOLE = { B: 0, done: NOTHING };

/** Ends a collected backend's workers (they sleep, and never keep a process alive, but hold memory). */
const teams = new FinalizationRegistry<ThreadTeam>((team) => team.close());

export async function createWasmBackend(options: WasmOptions = {}): Promise<Backend> {
  if (!wasmSimdSupported()) {
    throw new Error(
      "backend 'wasm' needs WebAssembly SIMD, which this runtime does not support; use backend 'js' or 'auto'",
    );
  }
  const threads = checkThreadCount('threads', options.threads ?? (await defaultThreads()));
  if (threads === 1) {
    const instance = await WebAssembly.instantiate(await kernelModule(), {});
    const k = instance.exports as unknown as Kernels;
    return new Backend('wasm', new WasmArena(k), (plans) => wasmKernels(k, plans, null));
  }
  const why = threadSupport();
  if (why) throw new ValidationError('threads', threads, `1 here: ${why}`);
  const module = await sharedKernelModule();
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_BYTES / PAGE, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const k = instance.exports as unknown as Kernels;
  const team = await ThreadTeam.start(threads, module, memory, instance.exports, PARALLEL_KERNELS);
  const backend = new Backend('wasm', new WasmArena(k), (plans) => wasmKernels(k, plans, team), threads);
  teams.register(backend, team);
  return backend;
}

/** wasm32 addresses 2^32 bytes: 65536 pages of 64 KiB. */
const MAX_BYTES = 2 ** 32;

/**
 * The wasm arena: a bump pointer above __heap_base and a first-fit list of free ranges, 16-byte
 * aligned. Adjacent free ranges merge, and a free range that reaches the top gives it back, so a
 * disposed model's memory can be handed out again at any size (e.g. to the next, larger model of a
 * limit study) even when plans allocated later sit above it.
 */
class WasmArena implements Arena {
  /** Sizes are computed in f64 (exact below 2^53), never in i32. */
  private top: number;
  /** Free ranges, sorted by address, never adjacent (merged on free). */
  private readonly free_: { ptr: number; bytes: number }[] = [];
  /** The highest top so far: memory below it may hold old data (above it, grown memory is zero). */
  private high: number;

  constructor(private readonly k: Kernels) {
    this.top = this.high = (k.heapBase() + 15) & ~15;
  }

  allocate(length: number): Field {
    const bytes = Math.ceil((length * 8) / 16) * 16;
    // An empty field owns no memory (and must not split a free range).
    if (bytes === 0) return new Field(this, this.k.memory, this.top, 0);
    const i = this.free_.findIndex((r) => r.bytes >= bytes);
    if (i >= 0) {
      const r = this.free_[i],
        ptr = r.ptr;
      if (r.bytes === bytes) this.free_.splice(i, 1);
      else {
        r.ptr += bytes;
        r.bytes -= bytes;
      }
      new Float64Array(this.k.memory.buffer, ptr, length).fill(0);
      return new Field(this, this.k.memory, ptr, length);
    }
    const ptr = this.top;
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
    this.top = ptr + bytes; // moved only once the memory is there
    // Memory the top gave back earlier is not zero any more.
    if (ptr < this.high)
      new Float64Array(this.k.memory.buffer, ptr, (Math.min(this.high, this.top) - ptr) / 8).fill(0);
    this.high = Math.max(this.high, this.top);
    return new Field(this, this.k.memory, ptr, length);
  }

  free(field: Field): void {
    const bytes = Math.ceil((field.length * 8) / 16) * 16,
      list = this.free_;
    if (bytes === 0) return;
    // Insert by address, merging with the range before and after when they touch.
    let lo = 0,
      hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].ptr < field.ptr) lo = mid + 1;
      else hi = mid;
    }
    let r = { ptr: field.ptr, bytes };
    const prev = list[lo - 1],
      next = list[lo];
    if (prev && prev.ptr + prev.bytes === r.ptr) {
      prev.bytes += r.bytes;
      r = prev;
    } else list.splice(lo, 0, r);
    const at = r === prev ? lo - 1 : lo;
    if (next && r.ptr + r.bytes === next.ptr) {
      r.bytes += next.bytes;
      list.splice(at + 1, 1);
    }
    // A range that reaches the top is given back to the bump pointer.
    if (r.ptr + r.bytes === this.top) {
      this.top = r.ptr;
      list.splice(at, 1);
    }
  }

  /** Bytes free for any size: above the top, and the largest free range below it. */
  private largestFree(): number {
    return this.free_.reduce((m, r) => Math.max(m, r.bytes), 0);
  }

  bytes(): number {
    return this.k.memory.buffer.byteLength;
  }

  available(): number {
    return Math.max(MAX_BYTES - this.top, this.largestFree());
  }
}

/**
 * Bytes a pass must touch before it is cut across threads: a dispatch costs microseconds (a few
 * more when a worker has to be woken), a pass over 256 KiB about a hundred.
 */
const PARALLEL_BYTES = 1 << 18;
/** Entries per block of a reduction (its partial sums are added in block order). */
const REDUCE_BLOCK = 16384;

/**
 * The kernel set of the AssemblyScript exports (assembly/*.ts): pointers and sizes in, nothing
 * allocated. With a thread team, the passes that write independent outputs (rows, columns, planes,
 * points) are cut into one range per thread; the reductions `stats` and `entropySum` into fixed
 * blocks whose partial results are added in block order (the same order for any thread count),
 * and the cheap sums run on one thread.
 */
function wasmKernels(k: Kernels, plans: KernelPlans, team: ThreadTeam | null): KernelSet {
  const T = team?.size ?? 1;
  const columnPlans = new ColumnPlans(T);
  /**
   * Runs export `name` over [0, total) units of `unitBytes` each: whole on this thread when small
   * (or without a team), else in one range per thread, cut at multiples of `align` units.
   * `args(lo, hi, t)` gives the export's arguments for units [lo, hi) on thread t.
   */
  const cut = (
    name: (typeof PARALLEL_KERNELS)[number],
    total: number,
    unitBytes: number,
    align: number,
    args: (lo: number, hi: number, t: number) => number[],
  ): void => {
    if (team === null || total * unitBytes < PARALLEL_BYTES || total < 2 * align) {
      (k as unknown as Record<string, (...a: number[]) => void>)[name](...args(0, total, 0));
      return;
    }
    const blocks = Math.ceil(total / align),
      parts: number[][] = [];
    for (let t = 0; t < T; t++) {
      const lo = Math.min(total, Math.round((t * blocks) / T) * align),
        hi = Math.min(total, Math.round(((t + 1) * blocks) / T) * align);
      if (hi > lo) parts.push(args(lo, hi, t));
    }
    team.run(name, parts);
  };
  /**
   * A reduction over blocks of REDUCE_BLOCK entries: each block's partial results (`per` doubles)
   * come from one thread, and the caller combines them in block order, so the result is the same
   * for any number of threads.
   */
  const blocks = (name: 'entropySum' | 'stats', x: Field, per: number): Float64Array => {
    const nb = Math.ceil(x.length / REDUCE_BLOCK),
      p = plans.scratch(`partials-${name}`, per * Math.max(nb, 1));
    cut(name, nb, 8 * REDUCE_BLOCK, 1, (lo, hi) => [
      x.ptr + 8 * REDUCE_BLOCK * lo,
      Math.min(x.length, REDUCE_BLOCK * hi) - REDUCE_BLOCK * lo,
      REDUCE_BLOCK,
      p.ptr + 8 * per * lo,
    ]);
    return p.data.subarray(0, per * nb);
  };
  /** The two scratch blocks of the real-FFT rows (a pair of rows, 2m complex each), per thread. */
  const rowScratch = (t: number, m: number) => [
    plans.scratch(`ra${t}`, 4 * m).ptr,
    plans.scratch(`rb${t}`, 4 * m).ptr,
  ];
  return {
    scale(x, a) {
      cut('scale', x.length, 8, 8, (lo, hi) => [x.ptr + 8 * lo, hi - lo, a]);
    },

    sumSquares(x) {
      return k.sumSquares(x.ptr, x.length);
    },

    entropySum(x) {
      const p = blocks('entropySum', x, 1);
      let s = 0;
      for (const v of p) s += v;
      return s;
    },

    stats(x, out) {
      const p = blocks('stats', x, 4);
      let sum = 0,
        mn = Infinity,
        mx = -Infinity,
        bad = 0;
      for (let b = 0; b < p.length; b += 4) {
        sum += p[b];
        mn = Math.min(mn, p[b + 1]);
        mx = Math.max(mx, p[b + 2]);
        bad += p[b + 3];
      }
      out.set([sum, mn, mx, bad]);
    },

    fftBatch(src, so, dst, d, work, n, b, inverse, planes) {
      const tw = plans.twiddles(n).ptr,
        s0 = src.ptr + 16 * so,
        d0 = dst.ptr + 16 * d,
        plane = 16 * n * b,
        one = [0, 1, 0, 0]; // thread 0 of 1: no barrier
      const { B, done } = planes === 1 ? columnPlans.next(n, b, inverse) : WHOLE;
      if (B > 0) {
        const per = columnBlockDoubles(n, B);
        const buf = plans.scratch('columns', T * per).ptr;
        cut('fftColumns', b, 16 * n, 4, (lo, hi, t) => [
          s0,
          d0,
          buf + 8 * t * per,
          n,
          b,
          lo,
          hi,
          B,
          tw,
          +inverse,
        ]);
      } else if (team === null || plane * planes < PARALLEL_BYTES)
        k.fftBatch(s0, d0, work.ptr, n, b, planes, tw, inverse, 0, 1, 0, false);
      // Whole planes per thread where there are enough (each with its own plane of work) ...
      else if (planes >= T && planes > 1)
        cut('fftBatch', planes, plane, 1, (lo, hi, t) => [
          s0 + lo * plane,
          d0 + lo * plane,
          work.ptr + t * plane,
          n,
          b,
          hi - lo,
          tw,
          +inverse,
          ...one,
        ]);
      // ... else every thread takes a slice of each stage, and they meet between stages.
      else {
        const sync = plans.scratch('sync', 2).ptr; // three i32 (arrivals, generation, failed): see barrier
        team.run(
          'fftBatch',
          Array.from({ length: T }, (_, t) => [
            s0,
            d0,
            work.ptr,
            n,
            b,
            planes,
            tw,
            +inverse,
            t,
            T,
            sync,
            t === 0 ? +team.canBlock : 1,
          ]),
          sync,
        );
      }
      done();
    },
    // rfftRows and irfftRows take the same plans in the same order: forward and inverse kernels, kept apart.
    rfftRows(real, spec, rows, m) {
      const tw = plans.twiddles(m).ptr,
        rtw = plans.realTwiddles(m).ptr;
      cut('rfftRows', rows, 16 * m, 1, (lo, hi, t) => [
        real.ptr + 16 * m * lo,
        spec.ptr + 16 * (m + 1) * lo,
        hi - lo,
        m,
        tw,
        rtw,
        ...rowScratch(t, m),
      ]);
    },
    irfftRows(spec, real, rows, m, scale) {
      const tw = plans.twiddles(m).ptr,
        rtw = plans.realTwiddles(m).ptr;
      cut('irfftRows', rows, 16 * m, 1, (lo, hi, t) => [
        spec.ptr + 16 * (m + 1) * lo,
        real.ptr + 16 * m * lo,
        hi - lo,
        m,
        tw,
        rtw,
        ...rowScratch(t, m),
        scale,
      ]);
    },
    resolvent(s, g, mu) {
      k.symbolResolvent(s.ptr, g.kx.ptr, g.nc, g.ky.ptr, g.shape[1], g.kz.ptr, g.shape[2], mu);
    },
    gradient(src, dst, g, axis, c, op) {
      const kAxis = axis === 0 ? g.gx : axis === 1 ? g.gy : g.gz;
      const [, ny, nz] = g.shape;
      cut('symbolGradient', ny * nz, 16 * g.nc, 1, (lo, hi) => [
        src.ptr,
        dst.ptr,
        kAxis.ptr,
        axis,
        g.nc,
        ny,
        lo,
        hi,
        c ? c.ptr : 0,
        op,
      ]);
    },
    modeQuadratic(spec, c, g) {
      return k.modeQuadratic(spec.ptr, c.ptr, g.nc, g.shape[1], g.shape[2]);
    },
    dealias(s, g) {
      k.dealias(s.ptr, g.mx.ptr, g.nc, g.my.ptr, g.shape[1], g.mz.ptr, g.shape[2]);
    },
    modeNorm(out, g, power) {
      k.modeNorm(out.ptr, g.kx.ptr, g.nc, g.ky.ptr, g.shape[1], g.kz.ptr, g.shape[2], power);
    },
    modeScale(s, c) {
      cut('modeScale', c.length, 16, 4, (lo, hi) => [s.ptr + 16 * lo, c.ptr + 8 * lo, hi - lo]);
    },
    modeMul(out, terms, accumulate) {
      // Per mode: a real factor c (8 bytes) and a complex x (16); absent terms stay null pointers.
      const at = (f: Field | undefined, bytes: number, lo: number) => (f ? f.ptr + bytes * lo : 0);
      const [t1, t2, t3] = terms;
      cut('modeMulSum', t1[0].length, 16, 4, (lo, hi) => [
        out.ptr + 16 * lo,
        hi - lo,
        terms.length,
        +accumulate,
        ...[t1, t2, t3].flatMap((t) => [at(t?.[0], 8, lo), at(t?.[1], 16, lo)]),
      ]);
    },
    axpy(y, a, x) {
      cut('axpy', y.length, 8, 8, (lo, hi) => [y.ptr + 8 * lo, a, x.ptr + 8 * lo, hi - lo]);
    },
    kineticRelax(f, v, g, sources, lam, lamEps, a0, dinv, num, rho) {
      // The sources as a table of (coefficients, spectrum) pointers, read by the kernel per velocity.
      const table = plans.scratch('sources', Math.max(2, 2 * sources.length));
      sources.forEach(([c, p], i) => {
        table.data[2 * i] = c.ptr;
        table.data[2 * i + 1] = p.ptr;
      });
      // Mode rows per thread: each mode's sums over the velocities keep their order.
      const rows = g.shape[1] * g.shape[2];
      cut('kineticRelax', rows, 16 * g.nc * v.size, 1, (lo, hi, t) => [
        f.ptr,
        ...velocityModes(v, g),
        sources.length,
        table.ptr,
        lam,
        lamEps,
        a0,
        dinv.ptr,
        num.ptr,
        rho.ptr,
        lo,
        hi,
        plans.scratch(`coefficients${t}`, 64).ptr,
      ]);
    },
    kineticDinv(dinv, v, g, lam, lamEps, a0) {
      const rows = g.shape[1] * g.shape[2];
      cut('kineticDinv', rows, 16 * g.nc * v.size, 1, (lo, hi) => [
        dinv.ptr,
        ...velocityModes(v, g),
        lam,
        lamEps,
        a0,
        lo,
        hi,
      ]);
    },
    velocityMoment(f, nv, c, out) {
      const m = out.length / 2;
      cut('velocityMoment', m, 16 * nv, 4, (lo, hi) => [f.ptr, nv, m, c.ptr, out.ptr, lo, hi]);
    },
    dot(a, b) {
      return k.dot(a.ptr, b.ptr, a.length);
    },
    mul(out, a, b) {
      cut('mul', out.length, 8, 8, (lo, hi) => [out.ptr + 8 * lo, a.ptr + 8 * lo, b.ptr + 8 * lo, hi - lo]);
    },
    driftFlux(rho, grad, flux, n, dim, chi, chiField, limited, ystar) {
      cut('driftFlux', n, 16 * dim + 8, 8, (lo, hi) => [
        rho.ptr,
        grad.ptr,
        flux.ptr,
        n,
        dim,
        chi.ptr,
        chiField ? chiField.ptr : 0,
        limited ? 1 : 0,
        ystar,
        lo,
        hi,
      ]);
    },
    growth(rho, out, a0, a1, c) {
      k.growth(rho.ptr, out.ptr, rho.length, a0, a1, c);
    },
    receptorChi(s, out, chi0, K) {
      k.receptorChi(s.ptr, out.ptr, s.length, chi0, K);
    },
    faceVelocity(S, chiField, u, shape, dim, axis, h, chi, limited, ystar) {
      k.faceVelocity(
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
    },
    upwindDivergence(rho, u, out, shape, axis, invh) {
      k.upwindDivergence(rho.ptr, u.ptr, out.ptr, shape[0], shape[1], shape[2], axis, invh);
    },
    growthFlow(rho, e, qphi) {
      k.growthFlow(rho.ptr, rho.length, e, qphi);
    },
  };
}

/** The mode and velocity-set arguments the kinetic kernels take, in their order: nv, nc, ny, nz, k, v, w, ν, F. */
function velocityModes(v: VelocitySet, g: SpectralAxes) {
  return [
    v.size,
    g.nc,
    g.shape[1],
    g.shape[2],
    g.gx.ptr,
    g.gy.ptr,
    g.gz.ptr,
    v.vx.ptr,
    v.vy.ptr,
    v.vz.ptr,
    v.w.ptr,
    v.nu.ptr,
    v.F.ptr,
  ] as const;
}
