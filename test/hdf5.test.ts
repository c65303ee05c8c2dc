// run.h5 read back by h5py (Debian's python3-h5py, installed by .ci/run): the time series of ρ and S
// with their time axis, the grid, the scenario and the diagnostics; a killed run leaves a readable
// file; an interrupted and resumed run's file equals an uninterrupted one's.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy } from '../src/io/npy.js';
import { runScenario } from '../src/run/runner.js';
import type { Scenario } from '../src/scenario/validate.js';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'fractaxis-h5-'));
// Debian's python (h5py is a Debian package); a pyenv python first on PATH would not have it.
const PYTHON = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import h5py'], { encoding: 'utf8' }).status === 0,
);

/** Reads run.h5 with h5py into plain JSON (arrays as lists; NaN as null). */
function readH5(path: string): {
  keys: string[];
  t: number[];
  rho: number[][];
  S: number[][] | null;
  shape: number[];
  x: number[];
  diagnostics: Record<string, (number | null)[]>;
  attrs: Record<string, string>;
  labels: string[];
} {
  const script = `
import h5py, json, math, sys
f = h5py.File(sys.argv[1], 'r')
clean = lambda a: [None if isinstance(v, float) and math.isnan(v) else v for v in a]
out = dict(keys=sorted(f.keys()), t=f['t'][:].tolist(), shape=list(f['rho'].shape),
  rho=[r.ravel().tolist() for r in f['rho'][:]], S=[r.ravel().tolist() for r in f['S'][:]] if 'S' in f else None,
  x=f['x'][:].tolist(), diagnostics={k: clean(f['diagnostics'][k][:].tolist()) for k in f['diagnostics']},
  attrs={k: (v if isinstance(v, str) else str(v)) for k, v in f.attrs.items()},
  labels=[d.label for d in f['rho'].dims])
print(json.dumps(out))`;
  return JSON.parse(execFileSync(PYTHON!, ['-c', script, path], { encoding: 'utf8' }));
}

const tiny: Scenario = {
  name: 'tiny-h5',
  model: {
    type: 'keller-segel',
    grid: { n: [16, 8] },
    alpha: 1.5,
    chemical: { type: 'parabolic', D: 1, mu: 0.5 },
    chi: 1,
    initial: { rho: { type: 'gaussian', mass: 3, width: 0.8, background: 0.2 } },
  },
  run: { tEnd: 0.2, dt: 0.01, snapshots: 4 },
};

describe('HDF5 output read back with h5py', () => {
  it('h5py is available (Debian package python3-h5py; .ci/run installs it)', () => {
    expect(PYTHON, 'install python3-h5py').toBeDefined();
  });

  it('holds ρ and S per snapshot on a time axis, the grid, the scenario and every diagnostics row', async () => {
    const dir = tmp();
    const summary = await runScenario(tiny, { outDir: dir, backend: 'js' });
    expect(summary.hdf5).toBe('run.h5');
    const h = readH5(join(dir, 'run.h5'));
    expect(h.keys).toEqual(['S', 'diagnostics', 'rho', 't', 'x', 'y']);
    expect(h.shape).toEqual([5, 8, 16]); // (t, y, x): numpy's order, as the NPY files
    expect(h.labels).toEqual(['t', 'y', 'x']);
    expect(h.t).toEqual(summary.snapshots.map((s) => s.t));
    summary.snapshots.forEach((s, k) => {
      const rho = decodeNpy(readFileSync(join(dir, s.files[0])));
      expect(h.rho[k]).toEqual(Array.from(rho.data)); // bitwise
      const S = decodeNpy(
        readFileSync(
          join(
            dir,
            s.files.find((f) => f.startsWith('S_'))!,
          ),
        ),
      );
      expect(h.S![k]).toEqual(Array.from(S.data));
    });
    expect(h.x[1] - h.x[0]).toBeCloseTo((2 * Math.PI) / 16, 14);
    expect(h.diagnostics.t).toEqual(summary.diagnostics.t);
    expect(h.diagnostics.mass).toEqual(summary.diagnostics.mass);
    expect(JSON.parse(h.attrs.scenario).name).toBe('tiny-h5');
    expect(h.attrs.status).toBe('done');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.files['run.h5'].bytes).toBeGreaterThan(0);
  });

  it('a run killed with SIGKILL leaves a readable file with the snapshots flushed before the kill', () => {
    const dir = tmp(),
      file = join(dir, 's.json'),
      out = join(dir, 'out');
    writeFileSync(
      file,
      JSON.stringify({
        ...tiny,
        model: { ...tiny.model, grid: { n: [64, 64] } },
        run: { tEnd: 100, dt: 0.01, snapshots: 1000 },
      }),
    );
    spawnSync(
      'bash',
      [
        '-c',
        `node ${CLI} run ${file} --out ${out} & pid=$!; for i in $(seq 1 300); do [ -f ${out}/rho_0003.npy ] && break; sleep 0.1; done; kill -KILL $pid; wait $pid`,
      ],
      { encoding: 'utf8' },
    );
    const h = readH5(join(out, 'run.h5'));
    expect(h.t.length).toBeGreaterThanOrEqual(3);
    expect(h.rho.length).toBe(h.t.length);
    expect(h.attrs.status).toBe('running');
    for (const frame of h.rho) expect(frame.every(Number.isFinite)).toBe(true);
  });

  it('an interrupted run resumed with --resume gives the same file as an uninterrupted one', async () => {
    const whole = tmp(),
      parts = tmp();
    const s: Scenario = { ...tiny, run: { ...tiny.run, tEnd: 0.4, snapshots: 8 } };
    await runScenario(s, { outDir: whole, backend: 'js' });
    const stop = new AbortController();
    await runScenario(s, {
      outDir: parts,
      backend: 'js',
      signal: stop.signal,
      onProgress: (p) => {
        if (p.step === 17) stop.abort();
      },
    });
    const half = readH5(join(parts, 'run.h5'));
    expect(half.attrs.status).toBe('interrupted');
    expect(half.t.length).toBeLessThan(9);
    await runScenario(null, { outDir: parts, backend: 'js', resume: true });
    const a = readH5(join(whole, 'run.h5')),
      b = readH5(join(parts, 'run.h5'));
    expect(b.t).toEqual(a.t);
    expect(b.rho).toEqual(a.rho);
    expect(b.diagnostics).toEqual(a.diagnostics);
    expect(b.attrs.status).toBe('done');
  });
});
