import { describe, expect, it } from 'vitest';
import { phiContour, phis } from '../src/integrate/phi.js';

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
