import { describe, expect, it } from 'vitest';
import { VelocityGrid, directionSet, gaussLegendre, smoothEquilibriumConstant } from '../src/velocity.js';
import {
  equilibriumSquare,
  fractionalDiffusion,
  fractionalIntegral,
  generalisedDiffusion,
  generalisedOrder,
  growthFromKernel,
  sensitivityFromKernel,
  sensitivityFromSeparable,
} from '../src/coefficients.js';
import { gammaFn } from '../src/special.js';

/** Independent reference: ∫_0^∞ g(v) dv by double-exponential quadrature v = exp(π/2 sinh t). */
function deHalfLine(g: (v: number) => number, h = 1 / 64, T = 4.5): number {
  let s = 0;
  for (let t = -T; t <= T; t += h) {
    const u = (Math.PI / 2) * Math.sinh(t),
      v = Math.exp(u);
    s += g(v) * v * (Math.PI / 2) * Math.cosh(t);
  }
  return s * h;
}

describe('velocity grids and heavy-tailed equilibria', () => {
  it('Γ is accurate (Lanczos) and c_{N,γ} normalises the smooth family', () => {
    expect(Math.abs(gammaFn(0.5) - Math.sqrt(Math.PI))).toBeLessThan(1e-14);
    expect(Math.abs(gammaFn(5) - 24) / 24).toBeLessThan(1e-14);
    for (const g of [0.2, 0.5, 0.8]) {
      const c = smoothEquilibriumConstant(1, g);
      const mass = 2 * deHalfLine((v) => c * Math.pow(1 + v * v, -(2 + g) / 2));
      expect(Math.abs(mass - 1)).toBeLessThan(1e-12);
    }
  });

  it.each([
    [1, 0.5],
    [1, 0.2],
    [2, 0.5],
    [2, 0.8],
    [3, 0.5],
    [3, 0.3],
  ] as const)('N = %i, γ = %s: ∫F = 1, ∫vF = 0 and σ_ε(k) accurate to 1e-6', (dim, gamma) => {
    const V = new VelocityGrid({ dim, gamma, directions: 8 });
    expect(Math.abs(V.rawMass - 1)).toBeLessThan(1e-6);
    let m = 0,
      mx = 0,
      my = 0,
      mz = 0;
    for (let j = 0; j < V.size; j++) {
      m += V.weights[j] * V.F[j];
      mx += V.weights[j] * V.F[j] * V.vx[j];
      my += V.weights[j] * V.F[j] * V.vy[j];
      mz += V.weights[j] * V.F[j] * V.vz[j];
    }
    expect(Math.abs(m - 1)).toBeLessThan(1e-14);
    expect(Math.abs(mx) + Math.abs(my) + Math.abs(mz)).toBeLessThan(1e-12);
    const c = V.K0,
      p = (dim + gamma + 1) / 2;
    for (const eps of [1, 1e-2, 1e-4]) {
      for (const k of [1, 3]) {
        // Reference: radial DE quadrature, angular factor in closed form.
        const shell = dim === 1 ? 2 : dim === 2 ? 2 * Math.PI : 4 * Math.PI;
        const ref =
          (shell *
            deHalfLine((r) => {
              const a = eps * k * r,
                ang =
                  dim === 1
                    ? (a * a) / (1 + a * a)
                    : dim === 2
                      ? 1 - 1 / Math.sqrt(1 + a * a)
                      : a < 1e-3
                        ? (a * a) / 3
                        : 1 - Math.atan(a) / a;
              return Math.pow(r, dim - 1) * c * Math.pow(1 + r * r, -p) * ang;
            })) /
          Math.pow(eps, 1 + gamma);
        expect(Math.abs(V.sigma(eps, k) - ref) / ref, `eps ${eps} k ${k}`).toBeLessThan(1e-6);
      }
    }
  });

  it('direction sets: the circle and the product Gauss rule integrate low-degree harmonics exactly', () => {
    for (const dim of [2, 3] as const)
      for (const M of [4, 8, 32]) {
        const { d, w } = directionSet(dim, M);
        const avg = (f: (u: number[]) => number) => d.reduce((s, u, i) => s + w[i] * f(u), 0);
        expect(Math.abs(avg(() => 1) - 1)).toBeLessThan(1e-14);
        // ⟨u_x²⟩ = 1/N, ⟨u_x⁴⟩ = 3/(N(N+2)), ⟨u_x² u_y²⟩ = 1/(N(N+2)) (degree 4 ≤ M − 1 from M = 8).
        expect(Math.abs(avg((u) => u[0] ** 2) - 1 / dim)).toBeLessThan(1e-14);
        expect(Math.abs(avg((u) => u[2] ** 2) - (dim === 3 ? 1 / 3 : 0))).toBeLessThan(1e-14);
        if (M >= 8) {
          expect(Math.abs(avg((u) => u[0] ** 4) - 3 / (dim * (dim + 2)))).toBeLessThan(1e-14);
          expect(Math.abs(avg((u) => u[0] ** 2 * u[1] ** 2) - 1 / (dim * (dim + 2)))).toBeLessThan(1e-14);
        }
        expect(Math.abs(avg((u) => u[0] * u[1] ** 2))).toBeLessThan(1e-15);
      }
    // Gauss–Legendre: exact for x^{2n−1}, weights summing to 2.
    const { x, w } = gaussLegendre(7);
    expect(Math.abs(w.reduce((a, b) => a + b) - 2)).toBeLessThan(1e-14);
    expect(Math.abs(x.reduce((s, xi, i) => s + w[i] * xi ** 12, 0) - 2 / 13)).toBeLessThan(1e-14);
  });

  it('σ_ε(k) tends to Dρ|k|^{γ+1} as ε → 0', () => {
    const V = new VelocityGrid({ gamma: 0.5 });
    const D = fractionalDiffusion(1, 0.5, V.K0);
    const errs = [1e-2, 1e-4, 1e-6].map((eps) => Math.abs(V.sigma(eps, 2) - D * 2 ** 1.5) / (D * 2 ** 1.5));
    // The gap closes like ε^{1−γ}: a factor 10 per two decades at γ = 0.5.
    for (const i of [1, 2]) {
      expect(errs[i] / errs[i - 1]).toBeGreaterThan(0.07);
      expect(errs[i] / errs[i - 1]).toBeLessThan(0.14);
    }
    expect(errs[2]).toBeLessThan(2e-3);
  });

  it('refuses γ outside (0, 1), NaN from F, and a non-normalisable F', () => {
    expect(() => new VelocityGrid({ gamma: 1 })).toThrow(
      /velocity.gamma: got 1; expected a finite number in \(0, 1\)/,
    );
    expect(() => new VelocityGrid({ gamma: 0 })).toThrow(/velocity.gamma: got 0/);
    expect(
      () =>
        new VelocityGrid({
          gamma: 0.5,
          equilibrium: { type: 'custom', F: (v) => (v > 1 ? NaN : 0.3), K0: 0.3 },
        }),
    ).toThrow(/velocity.equilibrium.F\(.*\): got NaN/);
    // Pure power law: not integrable at 0 (infinite at v = 0), or cut off with the wrong mass.
    expect(
      () =>
        new VelocityGrid({
          gamma: 0.5,
          equilibrium: { type: 'custom', F: (v) => 0.3 * Math.pow(v, -2.5), K0: 0.3 },
        }),
    ).toThrow(/velocity.equilibrium.F\(0\): got Infinity/);
    expect(
      () =>
        new VelocityGrid({
          gamma: 0.5,
          equilibrium: { type: 'custom', F: (v) => 0.3 * Math.pow(Math.max(v, 0.01), -2.5), K0: 0.3 },
        }),
    ).toThrow(/expected a normalisable F with ∫F dv = 1/);
    // Wrong tail constant.
    expect(
      () =>
        new VelocityGrid({
          gamma: 0.5,
          equilibrium: { type: 'custom', F: (v) => 0.41727 * Math.pow(1 + v * v, -1.25), K0: 1 },
        }),
    ).toThrow(/declared tail/);
    // A user F with the right tail works.
    const c = smoothEquilibriumConstant(1, 0.5);
    expect(
      new VelocityGrid({
        gamma: 0.5,
        equilibrium: { type: 'custom', F: (v) => c * Math.pow(1 + v * v, -1.25), K0: c },
      }).size,
    ).toBeGreaterThan(100);
  });
});

describe('coefficients of the limit', () => {
  it('I_{1,γ} = π / cos(πγ/2)', () => {
    for (const g of [0.1, 0.5, 0.9])
      expect(Math.abs(fractionalIntegral(1, g) - Math.PI / Math.cos((Math.PI * g) / 2))).toBeLessThan(1e-12);
  });

  it.each([1, 2, 3])(
    'I_{%i,γ} in closed form matches direct quadrature of ∫ y1²/(1+y1²)|y|^{-(N+γ+1)} dy',
    (N) => {
      for (const g of [0.3, 0.7]) {
        // Polar form: ∫_{S^{N-1}} ∫_0^∞ r^{-γ} ω1²/(1+r²ω1²) dr dω; angular part by Gauss–Legendre-free midpoint in θ.
        const radial = (w: number) => deHalfLine((r) => (Math.pow(r, -g) * w * w) / (1 + r * r * w * w));
        let I: number;
        if (N === 1) I = 2 * radial(1);
        else {
          const M = 2000;
          I = 0;
          for (let i = 0; i < M; i++) {
            const th = (Math.PI * (i + 0.5)) / M; // θ ∈ (0, π), ω1 = cos θ
            const weight = N === 2 ? 2 * (Math.PI / M) : 2 * Math.PI * Math.sin(th) * (Math.PI / M);
            I += weight * radial(Math.cos(th));
          }
        }
        expect(Math.abs(I - fractionalIntegral(N, g)) / I, `γ = ${g}`).toBeLessThan(1e-6);
      }
    },
  );

  it('the generalised coefficient reduces to Dρ at β = 0 and the order is r = 1 + γ/(1−β)', () => {
    for (const N of [1, 2, 3])
      expect(
        Math.abs(generalisedDiffusion(N, 0.4, 0, 0.7, 1) - fractionalDiffusion(N, 0.4, 0.7)),
      ).toBeLessThan(1e-12);
    expect(generalisedOrder(0.5, 0.2)).toBeCloseTo(1.625, 14);
    expect(() => generalisedOrder(0.5, 0.6)).toThrow(/beta: got 0.6; expected a finite number in \[0, 0.5\)/);
  });

  it('χ from a turning kernel: double quadrature, separable form and closed form agree (χ = (1+S)π/2)', () => {
    const V = new VelocityGrid({ gamma: 0.5, perDecade: 8, vmin: 1e-6, vmax: 1e10 });
    const a = (v: readonly number[]) => [v[0] / (1 + v[0] * v[0]) ** 2];
    for (const S of [0, 0.5]) {
      const exact = ((1 + S) * Math.PI) / 2;
      const sep = sensitivityFromSeparable({ a, c: (s) => 1 + s }, V, S)[0];
      const full = sensitivityFromKernel((v, _vp, s) => a(v).map((x) => x * (1 + s)), V, S)[0];
      expect(Math.abs(sep - exact) / exact).toBeLessThan(1e-8);
      expect(Math.abs(full - exact) / exact).toBeLessThan(1e-8);
    }
    expect(() => sensitivityFromKernel(() => [NaN], V, 0)).toThrow(/turning kernel φ/);
  });

  it('Γ = ∫R(ρF) dv gives the logistic and non-local laws in closed form', () => {
    const V = new VelocityGrid({ gamma: 0.5 });
    const F2 = equilibriumSquare(V),
      r = 1.7,
      a0 = 0.5,
      a1 = 0.3,
      a2 = 0.2,
      mass = 2.5;
    for (const rho of [0.1, 0.8, 1.5]) {
      expect(
        Math.abs(growthFromKernel((f) => r * (1 - f / F2) * f, V, rho, 0) - r * rho * (1 - rho)),
      ).toBeLessThan(1e-12);
      expect(
        Math.abs(
          growthFromKernel((f) => (a0 + (a1 * f) / F2 - a2 * mass) * f, V, rho, 0) -
            rho * (a0 + a1 * rho - a2 * mass),
        ),
      ).toBeLessThan(1e-12);
    }
  });
});
