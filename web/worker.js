// Worker side of the demo: the same ESM bundle as Node, the solver loop, frames to the page.
// Commands: start (a fresh run), params (new α, χ, r applied to the running state), pause, resume,
// step (one frame while paused), backend (the same run continued on the other backend).
import { createBackend, KellerSegel } from '../dist/index.js';

const N = 128,
  L = 20,
  FRAME = 0.1; // simulated time per frame
let model = null,
  options = null, // the current model's options (with the state it started from)
  params = null,
  backendKind = 'wasm',
  offset = 0, // time of the current model's start in the run (parameters changed mid-run start a new model there)
  generation = 0, // a loop stops when it is no longer current
  paused = false,
  wake = null,
  ended = null,
  inflight = null, // the loop's running solve, and how to abort it
  abort = null;
/**
 * One backend per kind, reused by every model (each model allocates in its own scope and frees it on
 * dispose). The wasm backend runs its kernels on every core when this page is cross-origin isolated
 * (the demo server sends COOP/COEP), else on one thread.
 */
const backends = {};
const backendOf = (kind) => (backends[kind] ??= createBackend(kind));

/** Stops the running loop and waits until its solve has returned (the model is then idle). */
async function halt() {
  ++generation;
  abort?.abort('superseded');
  wake?.();
  await inflight?.catch(() => {});
}

function modelOptions(p, initial) {
  return {
    grid: { n: [N, N], L: [L, L] },
    alpha: p.alpha,
    chi: p.chi,
    chemical: { type: 'parabolic', D: 1, beta: 1, mu: 1 },
    growth: p.r > 0 ? { type: 'logistic', r: p.r } : { type: 'none' },
    initial,
    // Finite volumes: no negative density and no ringing when cells aggregate (README, "Which scheme").
    discretisation: 'finite-volume',
  };
}

function frame(res, stepRate) {
  const d = model.diagnostics();
  const rho = Float32Array.from(model.density());
  self.postMessage(
    {
      type: 'frame',
      n: N,
      L,
      rho,
      min: d.minRho,
      max: d.maxRho,
      mass: d.mass,
      t: offset + d.t,
      stepRate,
      backend: backendKind,
      threads: model.backend.threads,
      params,
      paused,
      // Every way a run can end is shown as it is: blow-up, under-resolved, unstable, … with its reason.
      status: ended ?? (paused ? 'paused' : 'running'),
      reason: res?.reason,
    },
    [rho.buffer],
  );
}

async function loop(id, once = false) {
  let steps = 0,
    t0 = performance.now();
  while (id === generation && !ended) {
    if (paused && !once) {
      frame(null, 0); // tells the page it is paused (no solve is running now)
      await new Promise((r) => (wake = r));
      continue;
    }
    const before = model.steps;
    abort = new AbortController();
    inflight = model.solve({ tEnd: model.time + FRAME, dt: 0.02, maxDensity: 100, signal: abort.signal });
    const res = await inflight;
    if (id !== generation) return;
    steps += model.steps - before;
    const seconds = (performance.now() - t0) / 1000;
    if (res.status !== 'done') ended = `${res.status} at t = ${(offset + res.t).toPrecision(4)}`;
    frame(res, steps / Math.max(seconds, 1e-3));
    if (seconds > 2) {
      steps = 0;
      t0 = performance.now();
    }
    if (once) return;
    await new Promise((r) => setTimeout(r, 0));
  }
}

function restartLoop() {
  loop(++generation);
}

async function start(p) {
  await halt();
  params = p;
  backendKind = p.backend;
  offset = 0;
  ended = null;
  model?.dispose();
  options = modelOptions(p, { rho: { type: 'constant', value: 1, noise: 0.05, seed: 1 } });
  model = new KellerSegel(await backendOf(backendKind), options);
  frame(null, 0);
  restartLoop();
}

/** New parameters act on the running state: a new model starts from the current ρ and S. */
async function applyParams(p) {
  await halt();
  const rho = model.density(),
    S = model.signal(),
    t = offset + model.time;
  const nextOptions = modelOptions(p, { rho, S });
  const next = new KellerSegel(await backendOf(backendKind), nextOptions);
  model.dispose();
  model = next;
  options = nextOptions;
  params = p;
  offset = t;
  ended = null;
  frame(null, 0);
  restartLoop();
}

/** The same run on the other backend: a model with the same options takes the checkpoint (bitwise hand-over). */
async function switchBackend(kind) {
  await halt();
  const next = new KellerSegel(await backendOf(kind), options);
  next.restore(model.checkpoint());
  model.dispose();
  model = next;
  backendKind = kind;
  frame(null, 0);
  restartLoop();
}

self.onmessage = ({ data }) => {
  const jobs = {
    start: () => start(data.params),
    params: () => applyParams(data.params),
    backend: () => switchBackend(data.backend),
    // The frame the loop posts after its current solve says 'paused'.
    pause: async () => {
      paused = true;
    },
    resume: async () => {
      await halt();
      paused = false;
      restartLoop();
    },
    step: async () => {
      if (paused && !ended) await loop(generation, true);
    },
  };
  jobs[data.type]().catch((e) =>
    self.postMessage({ type: 'error', message: String(e && e.message ? e.message : e) }),
  );
};
