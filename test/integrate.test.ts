import { describe, expect, it } from 'vitest';
import { phiContour, phis } from '../src/integrate/phi.js';
import { createBackend } from '../src/backend/index.js';
import { KellerSegel } from '../src/models/keller-segel/model.js';

describe('φ-functions', () => {
  it('agree with Kassam–Trefethen contour integrals to 1e-14 relative over |z| from 1e-8 to 50', () => {
    for (const z of [-50, -20, -3, -2.0001, -1.9999, -1, -0.3, -1e-4, -1e-8, 0, 1e-8, 0.5, 1.99, 2.01, 3]) {
      const p = phis(z);
      for (const k of [1, 2, 3] as const) {
        const ref = phiContour(k, z, 128);
        expect(Math.abs(p[k] - ref) / Math.abs(ref), `φ${k}(${z})`).toBeLessThan(1e-14);
      }
      expect(Math.abs(p[0] - Math.exp(z)) / Math.exp(z)).toBeLessThan(1e-15);
    }
  });
  it('have the limits φ_k(0) = 1/k!', () => {
    expect(phis(0)).toEqual([1, 1, 0.5, 1 / 6]);
  });
});

describe('landing on a target time', () => {
  it('a remaining time within round-off of dt is one step of dt: repeated solve({ tEnd: t + dt }) tabulates no new ETD coefficients and lands exactly', async () => {
    const be = await createBackend('wasm', { threads: 1 });
    const m = new KellerSegel(be, {
      grid: { n: [64, 64] },
      alpha: 1.5,
      chemical: { type: 'elliptic' },
      chi: 1,
      discretisation: 'spectral',
      initial: { rho: { type: 'constant', value: 1, noise: 0.1 } },
    });
    const dt = 0.01;
    await m.solve({ tEnd: dt, dt });
    const held = be.memoryAvailable();
    for (let k = 0; k < 7; k++) {
      const target = m.time + dt; // (t + dt) − t differs from dt by round-off at most of these t
      await m.solve({ tEnd: target, dt });
      expect(m.time).toBe(target);
    }
    expect(m.steps).toBe(8);
    expect(be.memoryAvailable()).toBe(held); // no second table: every step was a step of dt
    // A genuinely shorter last step still lands exactly, with a table of its own.
    await m.solve({ tEnd: m.time + dt / 2, dt });
    expect(be.memoryAvailable()).toBeLessThan(held);
  });
});
