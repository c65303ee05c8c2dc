import { describe, expect, it } from 'vitest';
import {
  displayRange,
  heatmapFigure,
  lineFigure,
  niceTicks,
  tickLabels,
  volumeFigure,
} from '../src/io/figure.js';

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
  it.each(Object.entries(cases))(
    '%s: heatmap, volume and line figures finish within 2 s',
    (_name, values) => {
      const t0 = performance.now();
      const data = Float64Array.from(values);
      const figures = [
        heatmapFigure(data, 8, 8, { label: 'ρ', lengths: [1, 1] }),
        heatmapFigure(data, 8, 8, { label: 'ρ', lengths: [1, 1], scale: 'log' }),
        heatmapFigure(data, 8, 8, { label: 'ρ', lengths: [1, 1], scale: 'symlog' }),
        volumeFigure(data, [4, 4, 4], { label: 'ρ', lengths: [1, 1, 1] }),
        lineFigure([{ x: data.map((_, i) => i), y: data, label: 'ρ' }], {
          title: 't',
          xlabel: 'x',
          ylabel: 'y',
        }),
        lineFigure([{ x: data.map((_, i) => i), y: data.map(Math.abs), label: 'ρ' }], {
          xlabel: 'x',
          ylabel: 'y',
          yscale: 'log',
        }),
      ];
      expect(performance.now() - t0).toBeLessThan(2000);
      for (const f of figures) {
        expect(f.startsWith('<svg')).toBe(true);
        expect(f).not.toMatch(/NaN|Infinity/);
      }
    },
  );

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

describe('publication figures (SVG with real text, PNG rendered from it)', () => {
  const rgbAt = (r: { pixels: Uint8Array; width: number }, x: number, y: number) => {
    const o = 4 * (Math.round(y) * r.width + Math.round(x));
    return [r.pixels[o], r.pixels[o + 1], r.pixels[o + 2]];
  };
  const field = Float64Array.from({ length: 64 * 32 }, (_, k) => {
    const x = (k % 64) / 64 - 0.5,
      y = Math.floor(k / 64) / 32 - 0.5;
    return 0.5 + 40 * Math.exp(-(x * x + y * y) / 0.002);
  });

  it('ticks are 1, 2, 5 × 10^k; log axes are labelled 10^k with superscripts; exponents are typographic', () => {
    expect(niceTicks(0, 2 * Math.PI)).toEqual([0, 2, 4, 6]);
    expect(niceTicks(0.2, 5.5)).toEqual([1, 2, 3, 4, 5]);
    expect(niceTicks(0, 0.012)).toEqual([0, 0.002, 0.004, 0.006, 0.008, 0.01, 0.012]);
    expect(tickLabels([0, 0.0002, 0.0004])).toEqual(['0', '2×10⁻⁴', '4×10⁻⁴']);
    expect(tickLabels([-1, 0, 1])).toEqual(['−1', '0', '1']);
    const svg = lineFigure([{ x: [0, 1, 2, 3], y: [1e-3, 1e-1, 1e1, 1e3], label: 'max ρ' }], {
      xlabel: 't',
      ylabel: 'max ρ',
      yscale: 'log',
    });
    for (const label of ['10⁻³', '10⁻¹', '10¹', '10³']) expect(svg).toContain(`>${label}</text>`);
  });

  it('a heatmap names its colour bar, shows ρ as text, and its log scale labels decades', () => {
    const lin = heatmapFigure(field, 64, 32, { title: 'ρ at t = 1', label: 'ρ', lengths: [2, 1] });
    expect(lin).toContain('>ρ at t = 1</text>');
    expect(lin).toMatch(/rotate\(-90[^>]*>ρ<\/text>/); // the colour-bar label
    const log = heatmapFigure(field, 64, 32, { label: 'ρ', lengths: [2, 1], scale: 'log' });
    expect(log).toContain('>10</text>');
    expect(log).toContain('>1</text>');
  });

  it('the legend sits in a corner of the axes without data, or beside the axes when every corner has data', () => {
    const legendX = (svg: string) =>
      Number(
        /<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="[\d.]+" fill="#fff" fill-opacity/.exec(
          svg,
        )![1],
      );
    const rising = lineFigure(
      [
        { x: [0, 1, 2, 3], y: [0, 1, 2, 3], label: 'a' },
        { x: [0, 1, 2, 3], y: [0, 1.1, 2.1, 3.1], label: 'b' },
      ],
      { xlabel: 'x', ylabel: 'y' },
    );
    // Data along the diagonal leaves the upper-left corner free.
    expect(legendX(rising)).toBeLessThan(200);
    const everywhere = lineFigure(
      [
        {
          x: Array.from({ length: 400 }, (_, i) => i),
          y: Array.from({ length: 400 }, (_, i) => Math.sin(i)),
          label: 'noise',
        },
        { x: [0, 399], y: [0, 0], label: 'zero' },
      ],
      { xlabel: 'x', ylabel: 'y' },
    );
    expect(legendX(everywhere)).toBeGreaterThan(520); // outside the axes, on the right
  });

  it('renders to PNG with the shipped font: identical bytes twice, text drawn, the colour bar in viridis', async () => {
    const { initRenderer, renderSvg } = await import('../src/run/render.js');
    await initRenderer();
    const svg = heatmapFigure(field, 64, 32, { title: 'ρ at t = 1', label: 'ρ', lengths: [2, 1] });
    const a = renderSvg(svg, 1),
      b = renderSvg(svg, 1);
    expect(Buffer.from(a.png).equals(Buffer.from(b.png))).toBe(true);
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    expect(a.width).toBe(width);
    // The title row has dark text pixels; the colour bar is yellow at the top and purple at the bottom.
    let dark = 0;
    for (let x = 0; x < a.width; x++) for (let y = 15; y < 35; y++) if (rgbAt(a, x, y)[0] < 100) dark++;
    expect(dark).toBeGreaterThan(50);
    const bar = /<rect x="([\d.]+)" y="([\d.]+)" width="18" height="([\d.]+)" fill="none"/
      .exec(svg)!
      .slice(1)
      .map(Number);
    const top = rgbAt(a, bar[0] + 9, bar[1] + 3),
      bottom = rgbAt(a, bar[0] + 9, bar[1] + bar[2] - 3);
    expect(top[0]).toBeGreaterThan(200); // yellow
    expect(top[1]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(90); // dark purple
    expect(bottom[2]).toBeGreaterThan(70);
  });
});

describe('figures and the movie of a run', () => {
  it('writes SVG and PNG figures and a GIF with one frame per snapshot on one colour range', async () => {
    const { runScenario } = await import('../src/run/runner.js');
    const { mkdtempSync, readFileSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'fractaxis-movie-'));
    const summary = await runScenario(
      {
        name: 'movie',
        model: {
          type: 'keller-segel',
          grid: { n: [32, 32] },
          alpha: 1.5,
          chi: 2,
          chemical: { type: 'elliptic' },
          initial: { rho: { type: 'gaussian', mass: 6, width: 0.6, background: 0.3 } },
        },
        run: { tEnd: 0.2, dt: 0.02, snapshots: 5 },
      },
      { outDir: dir, backend: 'js', movie: true, colourScale: 'log', hdf5: false },
    );
    expect(summary.movie?.[0]).toBe('movie.gif');
    for (const f of ['rho_0000.svg', 'rho_0000.png', 'rho_final.svg', 'diagnostics.svg', 'diagnostics.png'])
      expect(existsSync(join(dir, f)), f).toBe(true);
    const svg = readFileSync(join(dir, 'rho_0003.svg'), 'utf8');
    expect(svg).toContain('>ρ at t = 0.1200</text>');
    const gif = readFileSync(join(dir, 'movie.gif'));
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    let frames = 0; // graphic control extensions: one per frame
    for (let i = 0; i + 2 < gif.length; i++)
      if (gif[i] === 0x21 && gif[i + 1] === 0xf9 && gif[i + 2] === 4) frames++;
    expect(frames).toBe(summary.snapshots.length);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.files['movie.gif'].bytes).toBe(gif.length);
  });
});
