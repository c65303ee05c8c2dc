// Sweep benchmark: the same sweep (12 points of the 2-D parabolic–elliptic model on finite volumes)
// on a pool of 1 and of 2 worker threads, alternated, best of each; reports the speed-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../dist/node.js';

const spec = {
  name: 'bench',
  base: {
    name: 'bench',
    model: {
      type: 'keller-segel',
      grid: { n: [64, 64] },
      alpha: 1.5,
      chi: 1,
      chemical: { type: 'elliptic' },
      initial: { rho: { type: 'gaussian', mass: 10, width: 0.6, background: 0.2 } },
    },
    run: { tEnd: 12, dt: 0.005, maxDensity: 1e6 },
  },
  axes: [{ field: 'model.initial.rho.mass', from: 4, to: 18, count: 12 }],
};

export const sweepRows = [];

export async function benchSweep() {
  const best = { 1: Infinity, 2: Infinity };
  for (let r = 0; r < 2; r++)
    for (const workers of [1, 2]) {
      const dir = mkdtempSync(join(tmpdir(), 'fractaxis-bench-sweep-'));
      const t0 = performance.now();
      await runSweep(spec, { outDir: dir, workers, backend: 'wasm' });
      best[workers] = Math.min(best[workers], (performance.now() - t0) / 1000);
      rmSync(dir, { recursive: true, force: true });
    }
  sweepRows.push({
    label: '12 points, 2-D 64² finite volumes, 2400 steps each (about 1 s)',
    one: best[1],
    two: best[2],
  });
  process.stderr.write(`sweep: 1 worker ${best[1].toFixed(2)} s, 2 workers ${best[2].toFixed(2)} s\n`);
}

export function sweepTable() {
  if (sweepRows.length === 0) return '';
  return [
    '',
    '| sweep (local pool, wasm) | 1 worker | 2 workers | speed-up |',
    '|---|---:|---:|---:|',
    ...sweepRows.map(
      (r) =>
        `| ${r.label} | ${r.one.toFixed(2)} s | ${r.two.toFixed(2)} s | **${(r.one / r.two).toFixed(2)}×** |`,
    ),
  ].join('\n');
}
