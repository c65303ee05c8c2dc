// The library-level run API (fractaxis/node): runScenario with user observers that ask for the
// times they want, and checkpoints that go through JSON or a file and restore bit for bit.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, runScenario, saveCheckpoint, type RunObserver } from '../src/node.js';
import { checkpointFromJSON, checkpointToJSON } from '../src/io/checkpoint.js';
import { KellerSegel } from '../src/models/keller-segel/model.js';
import { Kinetic } from '../src/models/kinetic/model.js';
import type { Model } from '../src/models/model.js';
import type { Scenario } from '../src/scenario/validate.js';
import { backends } from './helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'fractaxis-api-'));

describe('runScenario with a user observer', () => {
  it('lands on the times the observer asks for, tells it every step, and ends it with the status', async () => {
    const seen: number[] = [],
      wanted: number[] = [];
    let ended: string | undefined;
    const every = 0.037; // not on the step grid nor on the snapshot times
    const probe: RunObserver = {
      nextTime: (t) => (Math.floor(t / every + 1e-9) + 1) * every,
      step: (d) => {
        seen.push(d.t);
        if (Math.abs(d.t / every - Math.round(d.t / every)) < 1e-12 && d.t > 0) wanted.push(d.t);
      },
      end: (status) => {
        ended = status;
      },
    };
    const s: Scenario = {
      name: 'probe',
      model: {
        type: 'keller-segel',
        grid: { n: [16] },
        alpha: 1.5,
        chemical: { type: 'elliptic' },
        chi: 1,
        initial: { rho: { type: 'cosine', mean: 1, amplitude: 0.2, mode: [1] } },
      },
      run: { tEnd: 0.2, dt: 0.01, snapshots: 2 },
    };
    const summary = await runScenario(s, { outDir: tmp(), backend: 'js', hdf5: false, observers: [probe] });
    expect(summary.status).toBe('done');
    expect(summary.hdf5).toBeUndefined();
    expect(ended).toBe('done');
    expect(wanted).toEqual([1, 2, 3, 4, 5].map((k) => k * every));
    expect(seen).toContain(0.1); // the snapshot times too
    expect(seen.at(-1)).toBe(0.2);
  });
});

describe.each(backends)('checkpoints through JSON and files restore bit for bit ($kind)', (be) => {
  const models: Record<string, () => Model> = {
    'keller-segel': () =>
      new KellerSegel(be, {
        grid: { n: [16, 16] },
        alpha: 1.5,
        chi: 2,
        chemical: { type: 'parabolic', D: 1 },
        initial: { rho: { type: 'gaussian', mass: 4, width: 0.7, background: 0.2 } },
      }),
    'kinetic (bdf2)': () =>
      new Kinetic(be, {
        grid: { n: [32] },
        gamma: 0.5,
        eps: 0.05,
        chemical: { D: 1 },
        turning: { kernel: { a: (v) => [v[0] / (1 + v[0] ** 2) ** 2] } },
        velocity: { perDecade: 4, vmin: 1e-4, vmax: 1e10 },
        initial: { rho: (x) => 1 + 0.3 * Math.cos(x) },
        scheme: 'bdf2',
      }),
  };
  it.each(Object.keys(models))('%s', async (name) => {
    const whole = models[name]();
    await whole.solve({ tEnd: 0.2, dt: 0.01 });
    const a = models[name]();
    await a.solve({ tEnd: 0.2, dt: 0.01, maxSteps: 7 });
    const viaJson = models[name](),
      viaFile = models[name]();
    const text = checkpointToJSON(a.checkpoint());
    expect(typeof JSON.parse(text)).toBe('object'); // plain JSON
    viaJson.restore(checkpointFromJSON(text));
    const file = join(tmp(), 'model.fxck');
    saveCheckpoint(file, a);
    viaFile.restore(loadCheckpoint(file));
    for (const m of [viaJson, viaFile]) {
      await m.solve({ tEnd: 0.2, dt: 0.01 });
      expect(m.time).toBe(whole.time);
      expect(Array.from(m.density())).toEqual(Array.from(whole.density()));
      expect(Array.from(m.signal()!)).toEqual(Array.from(whole.signal()!));
    }
  });
});
