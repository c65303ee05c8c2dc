import { describe, expect, it } from 'vitest';
import { displayRange, heatmap, linePlot, niceTicks, tickLabels } from '../src/io/plot.js';

// Fields that used to hang the tick loop (step < ulp) or produce NaN coordinates. Each must give a
// picture quickly, whatever its values: a run must never die in its figure code.
const ulp = (x: number) => x * Number.EPSILON;
const cases: Record<string, number[]> = {
  'uniform 1': Array(64).fill(1),
  'uniform 0': Array(64).fill(0),
  'uniform to a few rounding steps (logistic ρ → 1)': Array.from(
    { length: 64 },
    (_, i) => 1 + (i % 3) * ulp(1),
  ),
  'tiny range around 1e6': Array.from({ length: 64 }, (_, i) => 1e6 + i * 1e-10),
  'huge range ±1e308': Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 : -1) * 1.7e308),
  denormals: Array.from({ length: 64 }, (_, i) => i * 5e-324),
  'with NaN and Infinity': Array.from({ length: 64 }, (_, i) =>
    i === 3 ? NaN : i === 5 ? Infinity : Math.sin(i),
  ),
  'all NaN': Array(64).fill(NaN),
  'negative tiny range': Array.from({ length: 64 }, (_, i) => -3 - (i % 2) * ulp(3)),
};

describe('figures never hang or crash on a finite field', () => {
  it.each(Object.entries(cases))('%s: heatmap and line plot finish within 2 s', (_name, values) => {
    const t0 = performance.now();
    const data = Float64Array.from(values);
    const h = heatmap(data, 8, 8, 'rho');
    const l = linePlot([{ x: data.map((_, i) => i), y: data, label: 'rho', color: [0, 0, 0] }], {
      title: 't',
      xlabel: 'x',
      ylabel: 'y',
    });
    const g = linePlot(
      [{ x: data.map((_, i) => i), y: data.map(Math.abs), label: 'rho', color: [0, 0, 0] }],
      { title: 't', xlabel: 'x', ylabel: 'y', logY: true },
    );
    expect(performance.now() - t0).toBeLessThan(2000);
    for (const r of [h, l, g]) expect(r.rgba.length).toBe(4 * r.width * r.height);
  });

  it('niceTicks terminates with at most 4n + 1 ticks, all inside the range, for adversarial ranges', () => {
    const ranges: [number, number][] = [
      [1, 1 + ulp(1)],
      [1e16, 1e16 + 2],
      [-1.7e308, 1.7e308],
      [0, 5e-324],
      [1, 1],
      [NaN, 1],
      [0, Infinity],
      [1e-300, 2e-300],
    ];
    for (const [lo, hi] of ranges) {
      const t = niceTicks(lo, hi);
      expect(t.length).toBeLessThanOrEqual(21);
      for (const v of t)
        if (Number.isFinite(lo) && Number.isFinite(hi))
          expect(v >= lo - Math.abs(lo) * 1e-15 && v <= hi + Math.abs(hi) * 1e-15).toBe(true);
    }
  });

  it('a uniform field gets a readable colour range around its value (0.5 % wide), a zero field [−1, 1]', () => {
    expect(displayRange(1, 1 + ulp(1))).toEqual([0.995, 1.005]);
    expect(displayRange(0, 0)).toEqual([-1, 1]);
    expect(displayRange(0, 2)).toEqual([0, 2]);
  });

  it('tick labels of a narrow range are distinct (1 ± 1e-8 does not read "1, 1, 1")', () => {
    for (const [lo, hi] of [
      [1 - 1e-8, 1 + 1e-8],
      [0, 1],
      [1e5, 1.0001e5],
      [-2e-6, 3e-6],
    ]) {
      const labels = tickLabels(niceTicks(lo, hi));
      expect(new Set(labels).size).toBe(labels.length);
    }
  });
});
