// The spectral ETDRK4 scheme against an independent numpy/scipy implementation of the same scheme
// (bench/ks_numpy.py, written from the equations): both must give the same solution to round-off.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KellerSegel } from '../src/models/keller-segel/model.js';
import { decodeNpy, encodeNpy } from '../src/io/npy.js';
import { backends } from './helpers.js';

const python = spawnSync('python3', ['-c', 'import numpy']).status === 0;

describe.skipIf(!python)('the 2-D parabolic–elliptic spectral step against the numpy peer', () => {
  it.each([32, 48])('%i²: 5 ETDRK4 steps with chemotaxis agree to 1e-12 relative', async (n) => {
    const m = new KellerSegel(backends[0], {
      discretisation: 'spectral',
      grid: { n: [n, n] },
      alpha: 1.5,
      diffusion: 1,
      chemical: { type: 'elliptic' },
      chi: 1,
      initial: { rho: { type: 'constant', value: 1, noise: 0.2, seed: 3 } },
    });
    const rho0 = m.density();
    const r = await m.solve({ tEnd: 5e-2, dt: 1e-2, maxDensity: Infinity });
    expect(r.status).toBe('done');
    const ours = m.density();
    const dir = mkdtempSync(join(tmpdir(), 'fractaxis-peer-'));
    writeFileSync(join(dir, 'rho0.npy'), encodeNpy(rho0, [n, n]));
    const script = new URL('../bench/ks_numpy.py', import.meta.url).pathname;
    execFileSync('python3', [
      script,
      join(dir, 'rho0.npy'),
      join(dir, 'out.npy'),
      '5',
      '1e-2',
      '1.5',
      '1',
      '1',
      '1',
    ]);
    const peer = decodeNpy(readFileSync(join(dir, 'out.npy'))).data;
    let diff = 0,
      change = 0;
    for (let i = 0; i < ours.length; i++) {
      diff = Math.max(diff, Math.abs(ours[i] - peer[i]));
      change = Math.max(change, Math.abs(ours[i] - rho0[i]));
    }
    expect(change).toBeGreaterThan(1e-3); // the run did move the density
    expect(diff / Math.max(...ours)).toBeLessThan(1e-12);
    m.dispose();
  });
});
