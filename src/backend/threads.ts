// A team of kernel threads for the wasm backend: every thread instantiates the same compiled module
// on the same shared memory, and the caller's thread hands each of them one range of a kernel's
// work. Results are bitwise those of one thread: a kernel is only ever cut where its outputs are
// independent (rows, columns, planes, points), and a reduction only into fixed blocks whose
// partial results the caller adds in block order (wasm.ts).
//
// Synchronisation is once per kernel call, through a small SharedArrayBuffer: the caller writes
// each thread's arguments, bumps an epoch, runs its own range, and waits for the others' count.
// Idle threads spin for a millisecond (the next kernel usually follows within microseconds), then
// sleep in Atomics.wait, so a team costs nothing while its backend is idle. A thread runs no
// JavaScript of this library: its whole program is threadMain below, sent as source (no separate
// file, so the same ESM/CJS bundle works in Node's worker_threads and in a browser's Web Workers).

import { ValidationError } from '../errors.js';

/** The most kernel threads a backend takes. */
const MAX_THREADS = 256;

/**
 * `threads` as a thread count (an integer from 1 to 256), or a ValidationError naming `field` and
 * showing `given` (what the user wrote, e.g. a command-line string).
 */
export function checkThreadCount(field: string, threads: unknown, given: unknown = threads): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)
    throw new ValidationError(field, given, `an integer from 1 to ${MAX_THREADS}`);
  return threads;
}

/** Int32 slots of the control block (an even count: the f64 argument slots follow, 8-byte aligned). */
const EPOCH = 0,
  DONE = 1,
  KERNEL = 2,
  FAILED = 3,
  PROBE = 4,
  /** Byte address in the wasm memory of the running kernel's barrier block (see assembly/fft.ts barrier), or 0. */
  SYNC = 5,
  CTL_INTS = 8;
/** f64 slots per thread: the argument count, then up to 31 arguments. */
const SLOT = 32;
/** How long an idle thread spins before it sleeps, ms. */
const SPIN_MS = 1;

interface ThreadStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
  names: string[];
  layout: {
    EPOCH: number;
    DONE: number;
    KERNEL: number;
    FAILED: number;
    SYNC: number;
    CTL_INTS: number;
    SLOT: number;
    SPIN_MS: number;
  };
}

/** How a thread receives its start message and answers: Node's parentPort or a Web Worker's scope. */
interface Host {
  once(f: (d: ThreadStart) => void): void;
  post(m: string): void;
}
/**
 * How the thread's source calls threadMain with its host (strings, so no bundler rewrites them):
 * Node's parentPort through a dynamic import (valid in CommonJS and ES module workers alike),
 * or a Web Worker's own scope.
 */
const NODE_HOST = `import('node:worker_threads').then(({ parentPort }) =>
  main({ once: (f) => parentPort.once('message', f), post: (m) => parentPort.postMessage(m) }));`;
const WEB_HOST = `main({ once: (f) => { onmessage = (e) => f(e.data); }, post: (m) => postMessage(m) });`;

/**
 * The whole program of a kernel thread (sent as source: it must not refer to anything outside
 * itself). It instantiates the module on the shared memory, says 'ready', then runs one range of
 * each kernel the caller dispatches until the kernel index −1 tells it to stop.
 */
function threadMain(host: Host): void {
  host.once((d) => {
    const { EPOCH, DONE, KERNEL, FAILED, SYNC, CTL_INTS, SLOT, SPIN_MS } = d.layout;
    const ex = new WebAssembly.Instance(d.module, {
      env: {
        memory: d.memory,
        abort: () => {
          throw new Error('abort');
        },
      },
    }).exports as Record<string, (...a: number[]) => number>;
    const fns = d.names.map((n) => ex[n]);
    const ctl = new Int32Array(d.control, 0, CTL_INTS);
    const args = new Float64Array(d.control, CTL_INTS * 4);
    const mine = d.index * SLOT;
    host.post('ready');
    let seen = 0;
    for (;;) {
      let e = Atomics.load(ctl, EPOCH);
      if (e === seen) {
        const t0 = performance.now();
        while ((e = Atomics.load(ctl, EPOCH)) === seen && performance.now() - t0 < SPIN_MS);
      }
      while (e === seen) {
        Atomics.wait(ctl, EPOCH, seen);
        e = Atomics.load(ctl, EPOCH);
      }
      seen = e;
      const k = Atomics.load(ctl, KERNEL);
      if (k < 0) return;
      const n = args[mine];
      if (n >= 0) {
        try {
          fns[k](...Array.from(args.subarray(mine + 1, mine + 1 + n)));
        } catch {
          Atomics.store(ctl, FAILED, 1);
          // Release the threads waiting for this one at the kernel's barriers (see ThreadTeam.release).
          const sync = Atomics.load(ctl, SYNC);
          if (sync) {
            const v = new Int32Array(d.memory.buffer);
            Atomics.store(v, (sync >> 2) + 2, 1);
            Atomics.notify(v, (sync >> 2) + 1);
          }
        }
      }
      Atomics.add(ctl, DONE, 1);
      Atomics.notify(ctl, DONE);
    }
  });
}

/** What a worker handle needs to offer, in Node and in browsers. */
interface WorkerHandle {
  post(d: ThreadStart): void;
  ready: Promise<void>;
  terminate(): void;
}

async function spawn(): Promise<() => WorkerHandle> {
  const main = `const main = ${threadMain.toString()};`;
  if (typeof process !== 'undefined' && process.versions?.node) {
    const { Worker } = await import('node:worker_threads');
    return () => {
      const w = new Worker(`${main}\n${NODE_HOST}`, { eval: true });
      w.unref(); // an idle team never keeps a process alive
      return {
        post: (d) => w.postMessage(d),
        ready: new Promise((ok, fail) => {
          w.once('message', () => ok());
          w.once('error', fail);
        }),
        terminate: () => void w.terminate(),
      };
    };
  }
  const url = URL.createObjectURL(new Blob([`${main}\n${WEB_HOST}`], { type: 'text/javascript' }));
  return () => {
    const w = new Worker(url);
    return {
      post: (d) => w.postMessage(d),
      ready: new Promise((ok, fail) => {
        w.onmessage = () => ok();
        w.onerror = (e) => fail(new Error(e.message));
      }),
      terminate: () => w.terminate(),
    };
  };
}

/** The threads this runtime can run kernels on: its cores, or 1 without shared memory (see threadSupport). */
export async function defaultThreads(): Promise<number> {
  if (threadSupport() !== null) return 1;
  if (typeof process !== 'undefined' && process.versions?.node) {
    const os = await import('node:os');
    return os.availableParallelism();
  }
  return globalThis.navigator?.hardwareConcurrency ?? 1;
}

/**
 * Why this runtime cannot run kernel threads, or null when it can. Browsers hand out shared
 * memory only to cross-origin isolated pages (served with `Cross-Origin-Opener-Policy: same-origin`
 * and `Cross-Origin-Embedder-Policy: require-corp`).
 */
export function threadSupport(): string | null {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined')
    return 'this runtime has no SharedArrayBuffer (a browser page must be cross-origin isolated: COOP/COEP headers)';
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false)
    return 'this page is not cross-origin isolated (it needs the COOP/COEP headers)';
  if (typeof process === 'undefined' && typeof Worker === 'undefined') return 'this runtime has no workers';
  return null;
}

/** The caller's thread and size − 1 workers, all running kernels of one module on one shared memory. */
export class ThreadTeam {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly ids = new Map<string, number>();
  private closed = false;
  /** Whether this thread may block in Atomics.wait (not a browser's main thread). */
  readonly canBlock: boolean;

  private constructor(
    readonly size: number,
    private readonly exports: Record<string, unknown>,
    private readonly memory: WebAssembly.Memory,
    names: string[],
    control: SharedArrayBuffer,
    private readonly workers: WorkerHandle[],
  ) {
    names.forEach((n, i) => this.ids.set(n, i));
    this.ctl = new Int32Array(control, 0, CTL_INTS);
    this.args = new Float64Array(control, CTL_INTS * 4);
    let block = true;
    try {
      Atomics.wait(this.ctl, PROBE, 1, 0);
    } catch {
      block = false;
    }
    this.canBlock = block;
  }

  /** Starts size − 1 workers on `memory` and waits until each has instantiated `module`. */
  static async start(
    size: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    exports: Record<string, unknown>,
    names: string[],
  ): Promise<ThreadTeam> {
    const control = new SharedArrayBuffer(CTL_INTS * 4 + size * SLOT * 8);
    const make = await spawn();
    const workers = Array.from({ length: size - 1 }, make);
    const layout = { EPOCH, DONE, KERNEL, FAILED, SYNC, CTL_INTS, SLOT, SPIN_MS };
    workers.forEach((w, i) => w.post({ module, memory, control, index: i + 1, names, layout }));
    try {
      await Promise.all(workers.map((w) => w.ready));
    } catch (e) {
      workers.forEach((w) => w.terminate());
      throw e;
    }
    return new ThreadTeam(size, exports, memory, names, control, workers);
  }

  /**
   * Runs kernel `name` once per part, all at once: parts[0] on this thread, parts[t] on worker t
   * (at most `size` parts). Returns when every part is done; throws if any part trapped. `sync`:
   * the address of the barrier block (three i32) of a kernel whose parts wait for each other.
   */
  run(name: string, parts: readonly (readonly number[])[], sync = 0): void {
    const id = this.ids.get(name);
    if (id === undefined || this.closed || parts.length > this.size || parts.some((p) => p.length >= SLOT))
      throw new Error(`kernel thread team: cannot run '${name}' in ${parts.length} parts`);
    const { ctl, args } = this;
    for (let t = 1; t < this.size; t++) {
      const p = parts[t];
      args[t * SLOT] = p ? p.length : -1;
      if (p) args.set(p, t * SLOT + 1);
    }
    Atomics.store(ctl, KERNEL, id);
    Atomics.store(ctl, SYNC, sync);
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, EPOCH, 1);
    Atomics.notify(ctl, EPOCH);
    let failure: unknown = null;
    try {
      (this.exports[name] as (...a: readonly number[]) => void)(...parts[0]);
    } catch (e) {
      failure = e;
      if (sync) this.release(sync);
    }
    // Spin while the others are likely finishing too, then sleep (where this thread may).
    const others = this.size - 1,
      t0 = performance.now();
    let d: number;
    while ((d = Atomics.load(ctl, DONE)) < others)
      if (this.canBlock && performance.now() - t0 > SPIN_MS) Atomics.wait(ctl, DONE, d, 1);
    const failedHere = Atomics.exchange(ctl, FAILED, 0);
    if (sync && (failure || failedHere)) {
      // Every part has ended: the barrier block goes back to rest for the next call.
      const v = new Int32Array(this.memory.buffer);
      Atomics.store(v, sync >> 2, 0);
      Atomics.store(v, (sync >> 2) + 2, 0);
    }
    if (failure) throw failure;
    if (failedHere) throw new Error(`kernel '${name}' failed on a worker thread`);
  }

  /**
   * Lets every thread waiting at the barrier block `sync` through (its failed flag): a part that
   * trapped never arrives there, and the others would wait for it for ever. They run their
   * remaining stages on whatever the data then is, and the call throws.
   */
  private release(sync: number): void {
    const v = new Int32Array(this.memory.buffer);
    Atomics.store(v, (sync >> 2) + 2, 1);
    Atomics.notify(v, (sync >> 2) + 1);
  }

  /** Stops and ends the workers (the team cannot run again). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, KERNEL, -1);
    Atomics.add(this.ctl, EPOCH, 1);
    Atomics.notify(this.ctl, EPOCH);
    this.workers.forEach((w) => w.terminate());
  }
}
