// Worker side of the demo: the same ESM bundle as Node, the solver loop, frames to the page.
import { createBackend, KellerSegel } from '../dist/index.js';

let run = 0; // incremented on every restart; a loop stops when it is no longer current
let model = null,
  options = null,
  backendKind = 'wasm';

function modelOptions(p) {
  return {
    grid: { n: [128, 128], L: [20, 20] },
    alpha: p.alpha,
    chi: p.chi,
    chemical: { type: 'parabolic', D: 1, beta: 1, mu: 1 },
    growth: p.r > 0 ? { type: 'logistic', r: p.r } : { type: 'none' },
    initial: { rho: { type: 'constant', value: 1, noise: 0.05, seed: 1 } },
    // Finite volumes: no negative density and no ringing when cells aggregate (README, "Which scheme").
    discretisation: 'finite-volume',
  };
}

async function loop(id) {
  let status = 'running',
    steps = 0,
    t0 = performance.now();
  while (id === run) {
    const before = model.diagnostics().step;
    const res = await model.solve({ tEnd: model.time + 0.1, dt: 0.02, maxDensity: 100 });
    if (id !== run) return;
    const d = model.diagnostics();
    steps += d.step - before;
    const seconds = (performance.now() - t0) / 1000;
    // Every way a run can end is shown as it is: blow-up, under-resolved, unstable, … with its reason.
    if (res.status !== 'done')
      status = `${res.status} at t = ${res.t.toPrecision(4)}${res.reason ? `: ${res.reason}` : ''}`;
    const rho = Float32Array.from(model.density());
    self.postMessage(
      {
        type: 'frame',
        n: 128,
        rho,
        min: d.minRho,
        max: d.maxRho,
        mass: d.mass,
        t: d.t,
        stepRate: steps / Math.max(seconds, 1e-3),
        backend: backendKind,
        status,
      },
      [rho.buffer],
    );
    if (seconds > 2) {
      steps = 0;
      t0 = performance.now();
    }
    if (res.status !== 'done') return;
    await new Promise((r) => setTimeout(r, 0));
  }
}

async function start(p) {
  const id = ++run;
  backendKind = p.backend;
  options = modelOptions(p);
  model = new KellerSegel(await createBackend(backendKind), options);
  loop(id);
}

async function switchBackend(kind) {
  const id = ++run;
  const cp = model.checkpoint();
  backendKind = kind;
  model = new KellerSegel(await createBackend(kind), options);
  model.restore(cp);
  loop(id);
}

self.onmessage = ({ data }) => {
  const job = data.type === 'start' ? start(data.params) : switchBackend(data.backend);
  job.catch((e) => self.postMessage({ type: 'error', message: String(e && e.message ? e.message : e) }));
};
