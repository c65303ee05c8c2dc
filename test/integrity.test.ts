// Nothing lost, nothing silently wrong: checkpoints bound to their run, atomic outputs under disk
// faults, reused folders, finished runs, and the library's checkpoint()/restore().
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario, type RunnerOptions } from '../src/run/runner.js';
import { OutputError, nodeFiles, type FileLayer } from '../src/run/outputs.js';
import { crc32 } from '../src/io/crc32.js';
import { decodeNpy } from '../src/io/npy.js';
import { ValidationError } from '../src/errors.js';
import { KellerSegel, type KellerSegelOptions } from '../src/models/keller-segel/model.js';
import type { Scenario } from '../src/scenario/validate.js';
import { backends } from './helpers.js';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'fractaxis-integrity-'));

const scenario: Scenario = {
  name: 'integrity',
  model: {
    type: 'keller-segel',
    grid: { n: [32, 16] },
    alpha: 1.5,
    chemical: { type: 'parabolic', D: 1, mu: 0.5 },
    chi: 1,
    initial: { rho: { type: 'constant', value: 1, noise: 0.1, seed: 3 } },
  },
  run: { tEnd: 1, dt: 0.01, snapshots: 5 },
};

/** Runs until `steps` steps have been taken, then aborts as Ctrl-C would: leaves a checkpoint. */
async function interrupted(
  dir: string,
  steps: number,
  s: Scenario = scenario,
  extra: Partial<RunnerOptions> = {},
) {
  const stop = new AbortController();
  const r = await runScenario(s, {
    outDir: dir,
    backend: 'js',
    signal: stop.signal,
    onProgress: (p) => {
      if (p.step >= steps) stop.abort('test');
    },
    ...extra,
  });
  expect(r.status).toBe('interrupted');
  return r;
}

const finalRho = (dir: string) =>
  Array.from(decodeNpy(new Uint8Array(readFileSync(join(dir, 'rho_0005.npy')))).data);

describe('checkpoints know what they belong to', () => {
  it('a corrupted or truncated checkpoint is refused by its checksum', async () => {
    for (const damage of [
      (b: Buffer) => {
        b[b.length - 9] ^= 1;
        return b;
      },
      (b: Buffer) => b.subarray(0, b.length - 100),
    ]) {
      const dir = tmp();
      await interrupted(dir, 30);
      const path = join(dir, 'checkpoint.fxck');
      writeFileSync(path, damage(readFileSync(path)));
      await expect(runScenario(null, { outDir: dir, backend: 'js', resume: true })).rejects.toThrow(
        /checksum does not match/,
      );
    }
  });

  it.each([
    [
      'another χ',
      (s: Scenario) => {
        (s.model as { chi: number }).chi = 2;
      },
      /differs in model\.chi/,
    ],
    [
      'another initial seed',
      (s: Scenario) => {
        (s.model.initial.rho as { seed: number }).seed = 4;
      },
      /differs in model\.initial\.rho\.seed/,
    ],
    [
      'another dt',
      (s: Scenario) => {
        s.run.dt = 0.02;
      },
      /differs in run\.dt/,
    ],
  ])(
    'scenario.json edited after the checkpoint (%s) is refused, naming the field',
    async (_name, edit, message) => {
      const dir = tmp();
      await interrupted(dir, 30);
      const s = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Scenario;
      edit(s);
      writeFileSync(join(dir, 'scenario.json'), JSON.stringify(s));
      await expect(runScenario(null, { outDir: dir, backend: 'js', resume: true })).rejects.toThrow(message);
    },
  );

  it('extending run.tEnd is allowed and said; a finished run is not silently recomputed', async () => {
    const dir = tmp();
    expect((await runScenario(scenario, { outDir: dir, backend: 'js' })).status).toBe('done');
    await expect(runScenario(null, { outDir: dir, backend: 'js', resume: true })).rejects.toThrow(
      /this one ended 'done' at t = 1 \(see summary.json\); raise run.tEnd/,
    );
    const s = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Scenario;
    s.run.tEnd = 2;
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(s));
    const notices: string[] = [];
    const r = await runScenario(null, {
      outDir: dir,
      backend: 'js',
      resume: true,
      onNotice: (m) => notices.push(m),
    });
    expect(r.status).toBe('done');
    expect(r.t).toBe(2);
    expect(notices.join('\n')).toMatch(/extending run.tEnd from 1 to 2/);
  });

  it('a truncated diagnostics series is refused; the checkpoint holds the state, not the history (its size does not grow with the run)', async () => {
    const dir = tmp();
    const sizes: number[] = [];
    const files: FileLayer = {
      ...nodeFiles,
      renameSync: (a, b) => {
        nodeFiles.renameSync(a, b);
        if (b.endsWith('checkpoint.fxck')) sizes.push(statSync(b).size);
      },
    };
    await interrupted(dir, 90, scenario, { checkpointEvery: 20, files });
    expect(sizes.length).toBeGreaterThan(3);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(600); // only the snapshot list grows
    const csv = readFileSync(join(dir, 'diagnostics.csv'));
    writeFileSync(join(dir, 'diagnostics.csv'), csv.subarray(0, csv.length / 2));
    await expect(runScenario(null, { outDir: dir, backend: 'js', resume: true })).rejects.toThrow(
      /diagnostics.csv.*the series was truncated/,
    );
  });

  it('the library refuses a checkpoint of another model or with an inconsistent clock, leaving the model as it was', async () => {
    const [be] = backends;
    const opts: KellerSegelOptions = {
      grid: { n: [16] },
      alpha: 1.5,
      chemical: { type: 'elliptic' },
      chi: 1,
      initial: { rho: (x) => 1 + 0.3 * Math.cos(x) },
    };
    const a = new KellerSegel(be, opts);
    await a.solve({ tEnd: 0.1, dt: 0.01 });
    const cp = a.checkpoint();
    const other = new KellerSegel(be, { ...opts, chi: 2 });
    expect(() => other.restore(cp)).toThrow(/another model \(differs in chi\)/);
    const same = new KellerSegel(be, opts),
      before = same.density();
    expect(() => same.restore({ ...cp, clock: { ...cp.clock, dt: -1 } })).toThrow(
      /checkpoint.clock.dt: got -1/,
    );
    const bad = cp.state[0].slice();
    bad[3] = NaN;
    expect(() => same.restore({ ...cp, state: [bad] })).toThrow(ValidationError);
    expect(Array.from(same.density())).toEqual(Array.from(before));
    expect(same.time).toBe(0);
    same.restore(cp);
    expect(same.time).toBe(a.time);
  });
});

describe('atomic, accounted outputs', () => {
  /** A file layer whose `nth` write of a file matching `match` fails with `code`. */
  function faulty(code: string, match: RegExp, nth = 1): FileLayer {
    let seen = 0;
    const fail = (p: string) => {
      if (match.test(p) && ++seen === nth) {
        writeFileSync(p, 'partial'); // what a full disk leaves behind: a short file
        throw Object.assign(new Error(`${code}: simulated, write '${p}'`), { code });
      }
    };
    return {
      ...nodeFiles,
      writeFileSync: (p, d) => {
        fail(p);
        nodeFiles.writeFileSync(p, d);
      },
    };
  }

  it('ENOSPC mid-run stops with an OutputError naming the file and the cause, leaves no partial file, and --resume continues bit for bit', async () => {
    const whole = tmp();
    await runScenario(scenario, { outDir: whole, backend: 'js', checkpointEvery: 10 });
    const dir = tmp();
    const err = await runScenario(scenario, {
      outDir: dir,
      backend: 'js',
      checkpointEvery: 10,
      files: faulty('ENOSPC', /rho_0003\.npy/),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(OutputError);
    expect(err.message).toMatch(
      /could not write .*rho_0003\.npy: ENOSPC.*the run stopped at t = .*the last checkpoint \(t = .*\) is intact/,
    );
    const names = readdirSync(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names).not.toContain('rho_0003.npy');
    // Every file the manifest lists is complete (size and CRC-32 match).
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    for (const [name, { bytes, crc32: crc }] of Object.entries(manifest.files) as [
      string,
      { bytes: number; crc32: string },
    ][]) {
      const data = readFileSync(join(dir, name));
      expect(data.length).toBe(bytes);
      expect(crc32(data).toString(16).padStart(8, '0')).toBe(crc);
    }
    const r = await runScenario(null, { outDir: dir, backend: 'js', resume: true, checkpointEvery: 10 });
    expect(r.status).toBe('done');
    expect(finalRho(dir)).toEqual(finalRho(whole));
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).diagnostics.t).toEqual(
      JSON.parse(readFileSync(join(whole, 'summary.json'), 'utf8')).diagnostics.t,
    );
  });

  it.each(['EROFS', 'EIO'])(
    '%s on the very first write is one clear error, no stack trace needed',
    async (code) => {
      const err = await runScenario(scenario, {
        outDir: tmp(),
        backend: 'js',
        files: faulty(code, /scenario\.json/),
      }).catch((e) => e);
      expect(err).toBeInstanceOf(OutputError);
      expect(err.message).toMatch(new RegExp(`scenario\\.json: ${code}.*no checkpoint was written yet`));
    },
  );

  it("a folder holding another run is refused; --overwrite removes that run's files only", async () => {
    const dir = tmp();
    await runScenario(
      { ...scenario, run: { ...scenario.run, snapshots: 8 } },
      { outDir: dir, backend: 'js' },
    );
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(runScenario(scenario, { outDir: dir, backend: 'js' })).rejects.toThrow(
      /holds 'integrity', status done.*--overwrite/,
    );
    await runScenario(scenario, { outDir: dir, backend: 'js', overwrite: true });
    expect(existsSync(join(dir, 'rho_0008.npy'))).toBe(false); // the old run's snapshot is gone
    expect(existsSync(join(dir, 'rho_0005.npy'))).toBe(true);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('the command line reports file problems in one line', () => {
  it('--out pointing at a file, --resume without a checkpoint, an unknown option: exit 2 with the field named', () => {
    const dir = tmp(),
      file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const a = spawnSync('node', [CLI, 'run', 'chemotaxis-1d', '--out', file], { encoding: 'utf8' });
    expect(a.status).toBe(2);
    expect(a.stderr.trim()).toMatch(
      /^error: --out: got ".*a-file"; expected a folder \(this path is a file\)$/,
    );
    const b = spawnSync('node', [CLI, 'run', '--resume', dir], { encoding: 'utf8' });
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(
      /--resume: got .*; expected a folder holding checkpoint.fxck \(there is none: nothing to resume\)/,
    );
    const c = spawnSync('node', [CLI, 'run', 'chemotaxis-1d', '--outdir', dir], { encoding: 'utf8' });
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/option: got "--outdir"; expected one of .*\(did you mean --out\?\)/);
    for (const r of [a, b, c]) expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
