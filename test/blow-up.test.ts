import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blowUpStudy, crossing, extrapolate } from '../src/studies/blow-up.js';
import { ValidationError } from '../src/errors.js';
import type { KellerSegelOptions } from '../src/models/keller-segel/model.js';
import { backends } from './helpers.js';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

/** The built-in blow-up-2d model: a supercritical bump in the 2-D parabolic–elliptic model, α = 1.5. */
const bump: KellerSegelOptions = {
  grid: { n: [32, 32] },
  alpha: 1.5,
  chemical: { type: 'elliptic', mu: 0 },
  chi: 1,
  initial: { rho: { type: 'gaussian', mass: 40, width: 0.6, background: 0.5 } },
};

describe('blow-up study arithmetic', () => {
  it('extrapolate recovers t∞ and p exactly for t(h) = t∞ + C h^p, and refuses non-converging times', () => {
    const times = [1, 2, 3, 4].map((k) => 0.25 + 0.3 * 2 ** (-1.7 * k));
    const l = extrapolate(10, times);
    expect(l.order).toBeCloseTo(1.7, 12);
    expect(l.extrapolated).toBeCloseTo(0.25, 12);
    expect(extrapolate(10, [0.3, 0.2, 0.25]).extrapolated).toBeNull(); // differences grow
    expect(extrapolate(10, [null, 0.3, 0.26]).order).toBeNull(); // two grids: design order 2 assumed
    expect(extrapolate(10, [null, 0.3, 0.26]).extrapolated).toBeCloseTo(0.26 - 0.04 / 3, 12);
    expect(extrapolate(10, [0.3, null, 0.26]).extrapolated).toBeNull(); // only the finest contiguous grids count
  });

  it('crossing times are interpolated in log max ρ between steps', () => {
    expect(crossing({ t: [0, 1], maxRho: [1, 100] }, 10)).toBeCloseTo(0.5, 14);
    expect(crossing({ t: [0, 1], maxRho: [1, 2] }, 10)).toBeNull();
  });

  it('bad study options name the field', async () => {
    const [be] = backends;
    const base = { model: bump, grids: [32, 64], levels: [40], tEnd: 0.1, dt: 0.01 };
    await expect(blowUpStudy(be, { ...base, grids: [32, 48] })).rejects.toThrow(
      /grids\[1\]: got 48; expected 64/,
    );
    await expect(blowUpStudy(be, { ...base, levels: [40, 20] })).rejects.toThrow(/levels\[1\]: got 20/);
    await expect(blowUpStudy(be, { ...base, grids: [32] })).rejects.toThrow(ValidationError);
  });
});

describe.each(backends)('blow-up study on the $kind backend', (be) => {
  it('2-D aggregation: crossing times converge under refinement at an observed order 2 ± 0.4, giving a blow-up time with an error bar', async () => {
    const r = await blowUpStudy(be, {
      model: bump,
      grids: [32, 64, 128],
      levels: [40, 80, 160],
      tEnd: 0.2,
      dt: 0.01,
    });
    for (const row of r.rows) expect(row.status).toBe('blow-up');
    for (const l of r.levels) {
      expect(l.order).not.toBeNull();
      expect(Math.abs(l.order! - 2)).toBeLessThan(0.4);
      expect(l.extrapolated!).toBeLessThan(l.times[2]!); // the finer grid, the earlier the crossing
    }
    console.log(
      `${be.kind}: observed orders ${r.levels.map((l) => l.order!.toFixed(2)).join(', ')}; blow-up time ${r.blowUpTime!.estimate.toFixed(4)} ± ${r.blowUpTime!.error.toExponential(1)}`,
    );
    expect(r.blowUpTime!.estimate).toBeGreaterThan(0.06);
    expect(r.blowUpTime!.estimate).toBeLessThan(0.08);
  });
});

describe('fractaxis blowup', () => {
  it('writes the table, JSON and figure, and refuses a bad --grids naming the option', () => {
    const out = mkdtempSync(join(tmpdir(), 'fractaxis-blowup-'));
    const r = spawnSync(
      'node',
      [CLI, 'blowup', 'blow-up-2d', '--grids', '16,32,64', '--levels', '40,80', '--out', out],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /\| level of max ρ \| n = 16 \| n = 32 \| n = 64 \| order p \| t\(h → 0\) \| error \|/,
    );
    for (const f of ['blowup.md', 'blowup.json', 'blowup.png']) expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'blowup.json'), 'utf8')).levels).toHaveLength(2);
    const bad = spawnSync('node', [CLI, 'blowup', 'blow-up-2d', '--grids', '16,x', '--levels', '40'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--grids: got "16,x"/);
  });
});
