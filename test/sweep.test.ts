// Sweeps: the local pool gives bitwise the points run one by one; an interrupted sweep resumes with
// the remaining points only; bad sweep files are refused before any run, naming the field; and a
// real single-node Slurm (scripts/slurm-local.sh) runs the planned job array to the same table.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { collectSweep, planSweep, runSweep, shardIndices, sweepTable, type SweepSpec } from '../src/node.js';
import { ScenarioError, kineticOptions, type KineticSpec } from '../src/scenario/validate.js';
import { limitStudy } from '../src/studies/limit.js';
import { createBackend } from '../src/backend/index.js';
import { builtinScenarios } from '../src/scenario/builtin.js';

const root = resolve(__dirname, '..');
const tmp = () => mkdtempSync(join(tmpdir(), 'fractaxis-sweep-'));

// 12 points of the 2-D parabolic–elliptic model: mass × α, on a small grid.
const spec: SweepSpec = {
  name: 'mass-alpha',
  base: {
    name: 'bump',
    model: {
      type: 'keller-segel',
      grid: { n: [16, 16] },
      alpha: 1.5,
      chi: 1,
      chemical: { type: 'elliptic' },
      initial: { rho: { type: 'gaussian', mass: 10, width: 0.5, background: 0.1 } },
    },
    run: { tEnd: 0.3, dt: 0.01, maxDensity: 60 },
  },
  axes: [
    { field: 'model.initial.rho.mass', values: [4, 12, 30] },
    { field: 'model.alpha', from: 1.2, to: 1.8, count: 4 },
  ],
};

describe('sweeps on the local pool', () => {
  it('2 workers give bitwise the table of the points run one by one; CSV and Parquet hold it', async () => {
    const pool = tmp(),
      serial = tmp();
    const a = await runSweep(spec, { outDir: pool, workers: 2, backend: 'js' });
    expect(a).toMatchObject({ total: 12, ran: 12, skipped: 0, failed: 0 });
    await runSweep(spec, { outDir: serial, workers: 0, backend: 'js' });
    const A = sweepTable(pool),
      B = sweepTable(serial);
    expect(A.missing).toEqual([]);
    expect(A.rows).toEqual(B.rows);
    const statuses = new Set(A.rows.map((r) => r[A.columns.indexOf('status')]));
    expect(statuses).toEqual(new Set(['done', 'blow-up'])); // a phase boundary inside the box
    await collectSweep(pool);
    const csv = readFileSync(join(pool, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(13);
    expect(csv[0]).toBe(
      'index,model.initial.rho.mass,model.alpha,status,t,steps,blowUpTime,finalMaxRho,peakMaxRho,finalMinRho,massDrift,energy,reason',
    );
    const buf = readFileSync(join(pool, 'results.parquet'));
    const rows = (await parquetReadObjects({
      file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
    })) as Record<string, unknown>[];
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => r.peakMaxRho)).toEqual(A.rows.map((r) => r[A.columns.indexOf('peakMaxRho')]));
    expect(existsSync(join(pool, 'phase.svg')) && existsSync(join(pool, 'phase.png'))).toBe(true);
    expect(readFileSync(join(pool, 'phase.svg'), 'utf8')).toMatch(/>blow-up<\/text>/);
  }, 120_000);

  it('an interrupted sweep, run again, runs the remaining points only', async () => {
    const dir = tmp(),
      stop = new AbortController();
    const uncaughtErrors: unknown[] = [],
      uncaught = (e: unknown) => uncaughtErrors.push(e);
    process.on('uncaughtException', uncaught);
    const first = await runSweep(spec, {
      outDir: dir,
      workers: 2,
      backend: 'js',
      signal: stop.signal,
      onProgress: (p) => {
        if (p.done !== 5) return;
        // Hold the main thread long enough for the other worker to post its result before the abort
        // terminates it: the late message must not surface as an uncaught pool error (a CI failure).
        const t0 = Date.now();
        while (Date.now() - t0 < 50);
        stop.abort('test');
      },
    });
    await new Promise((r) => setTimeout(r, 100)); // let a late worker message arrive
    process.off('uncaughtException', uncaught);
    expect(uncaughtErrors).toEqual([]);
    expect(first.aborted).toBe(true);
    const kept = readdirSync(join(dir, 'points')).length;
    expect(kept).toBeGreaterThanOrEqual(5);
    expect(kept).toBeLessThan(12);
    const second = await runSweep(spec, { outDir: dir, workers: 2, backend: 'js' });
    expect(second).toMatchObject({ ran: 12 - kept, skipped: kept });
    const whole = tmp();
    await runSweep(spec, { outDir: whole, workers: 0, backend: 'js' });
    expect(sweepTable(dir).rows).toEqual(sweepTable(whole).rows);
  }, 120_000);

  it('shards cover the points once; a failed point is recorded with its reason and the sweep goes on', async () => {
    const parts = [0, 1, 2].map((i) => shardIndices(`${i}/3`, 12));
    expect(parts.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, k) => k));
    // vmax = 10 passes validation, but the model refuses a velocity grid that cannot resolve ε = 1e-3.
    const kinetic = structuredClone(builtinScenarios['kinetic-limit-1d']);
    kinetic.run.tEnd = 0.02;
    delete (kinetic.model as { compare?: unknown }).compare;
    const dir = tmp();
    const r = await runSweep(
      { name: 'vmax', base: kinetic, axes: [{ field: 'model.velocity.vmax', values: [1e14, 10, 1e13] }] },
      { outDir: dir, workers: 2, backend: 'js' },
    );
    expect(r).toMatchObject({ ran: 3, failed: 1 });
    const t = sweepTable(dir),
      status = t.columns.indexOf('status'),
      reason = t.columns.indexOf('reason');
    expect(t.rows.map((row) => row[status])).toEqual(['done', 'error', 'done']);
    expect(t.rows[1][reason]).toMatch(/^model\.velocity\.\w+: got .*; expected /);
  });
});

describe('limit studies as sweeps', () => {
  it('limitRelL1 over ε equals limitStudy’s relative L1 distances and falls as ε → 0', async () => {
    const kinetic = structuredClone(builtinScenarios['kinetic-limit-1d']);
    delete (kinetic.model as { compare?: unknown }).compare;
    kinetic.run.tEnd = 0.1;
    const dir = tmp();
    await runSweep(
      {
        name: 'eps',
        base: kinetic,
        axes: [{ field: 'model.eps', values: [0.1, 0.01] }],
        record: ['status', 'limitRelL1'],
      },
      { outDir: dir, workers: 0, backend: 'js' },
    );
    const t = sweepTable(dir),
      col = t.columns.indexOf('limitRelL1');
    const swept = t.rows.map((r) => r[col] as number);
    const { eps: _e, ...kin } = kineticOptions(kinetic.model as KineticSpec);
    const study = await limitStudy(await createBackend('js'), {
      kinetic: kin,
      epsilons: [0.1, 0.01],
      tEnd: 0.1,
      dt: kinetic.run.dt,
    });
    expect(swept).toEqual(study.rows.map((r) => r.relL1));
    expect(swept[1]).toBeLessThan(swept[0]);
  }, 60_000);
});

describe('bad sweep files are refused before any run, naming the field', () => {
  const refuse = (s: unknown, message: RegExp) => {
    const dir = tmp();
    let error: unknown;
    try {
      planSweep(s, dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect(String((error as Error).message)).toMatch(message);
    expect(existsSync(join(dir, 'points')) ? readdirSync(join(dir, 'points')) : []).toEqual([]);
  };
  it.each([
    ['an unknown sweep field', { ...spec, axis: [] }, /must NOT have additional properties/],
    [
      'an axis naming a field the scenario lacks',
      { ...spec, axes: [{ field: 'model.flux.ystar', values: [1] }] },
      /axes\[0\]\.field: got "model\.flux\.ystar"; expected a field the base scenario has/,
    ],
    [
      'a point the models refuse',
      { ...spec, axes: [{ field: 'model.alpha', values: [1.5, 3] }] },
      /point 1 \(\{"model.alpha":3\}\): model.alpha/,
    ],
    [
      'a log range through zero',
      { ...spec, axes: [{ field: 'model.chi', from: 0, to: 2, count: 3, scale: 'log' }] },
      /from > 0 and to > 0 on a log scale/,
    ],
    [
      'zipped axes of different lengths',
      { ...spec, combine: 'zip' },
      /axes of one length to zip \(they have 3, 4 values\)/,
    ],
  ])('%s', (_name, s, message) => refuse(s, message));
});

// A real Slurm: slurmctld and slurmd on this machine (scripts/slurm-local.sh; CI installs slurm-wlm
// and munge through it). Outside CI the test is skipped when Slurm cannot be started.
const slurm = (() => {
  const r = spawnSync('bash', [join(root, 'scripts', 'slurm-local.sh'), 'start'], { encoding: 'utf8' });
  const conf = /export SLURM_CONF=(\S+)/.exec(r.stdout)?.[1];
  if (!conf && process.env.CI)
    throw new Error(`a local Slurm could not be started:\n${r.stdout}\n${r.stderr}`);
  return conf ?? null;
})();

describe.skipIf(!slurm)(
  'sweeps on a Slurm cluster (a single-node Slurm started by scripts/slurm-local.sh)',
  () => {
    it('sbatch of the planned job array, then collect: the local pool’s table, bitwise', async () => {
      const dir = tmp(),
        local = tmp();
      const { script, points } = planSweep(spec, dir, {
        maxConcurrent: 4,
        command: `${process.execPath} ${join(root, 'dist', 'cli.js')}`,
      });
      expect(points).toBe(12);
      const text = readFileSync(script, 'utf8');
      expect(text).toMatch(/#SBATCH --array=0-11%4/);
      expect(text).toMatch(/sweep run .* --index "\$\{SLURM_ARRAY_TASK_ID\}"/);
      const env = { ...process.env, SLURM_CONF: slurm! };
      const job = execFileSync('sbatch', ['--parsable', script], { env, encoding: 'utf8' })
        .trim()
        .split(';')[0];
      // Wait for the whole array to leave the queue (sbatch --wait polls only every 30 s or so).
      for (let k = 0; k < 1200; k++) {
        const queued = spawnSync('squeue', ['-h', '-j', job], { env, encoding: 'utf8' });
        if (queued.status !== 0 || queued.stdout.trim() === '') break; // gone from the queue (or purged)
        await new Promise((r) => setTimeout(r, 250));
      }
      const cluster = await collectSweep(dir);
      expect(cluster.missing).toEqual([]);
      await runSweep(spec, { outDir: local, workers: 2 });
      expect(cluster.rows).toEqual(sweepTable(local).rows);
    }, 300_000);
  },
);
