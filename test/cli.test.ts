import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy, encodeNpy } from '../src/io/npy.js';
import { decodeCheckpoint, encodeCheckpoint } from '../src/io/checkpoint.js';
import { runScenario } from '../src/run/runner.js';
import { builtinScenarios } from '../src/scenario/builtin.js';
import { ScenarioError, buildModel, validateScenario, type Scenario } from '../src/scenario/validate.js';
import { backends } from './helpers.js';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'fractaxis-'));

const tiny: Scenario = {
  name: 'tiny',
  model: {
    type: 'keller-segel',
    grid: { n: [16, 8] },
    alpha: 1.5,
    chemical: { type: 'parabolic', D: 1, mu: 0.5 },
    chi: 1,
    growth: { type: 'logistic', r: 0.5 },
    initial: { rho: { type: 'gaussian', mass: 3, width: 0.8, background: 0.2 } },
  },
  run: { tEnd: 0.4, dt: 0.01, adaptive: { rtol: 1e-6 }, snapshots: 4 },
};

describe('files', () => {
  it('NPY round trip keeps shape and values bit for bit (numpy format 1.0, 64-byte aligned header)', () => {
    const a = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i) * 1e-300 + i);
    const bytes = encodeNpy(a, [3, 4]);
    expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
    const b = decodeNpy(bytes);
    expect(b.shape).toEqual([3, 4]);
    expect(Array.from(b.data)).toEqual(Array.from(a));
  });
  it('checkpoints keep nested Float64Arrays bit for bit', () => {
    const cp = {
      a: 1,
      s: [Float64Array.from([1, NaN, -0, 1e-310]), new Float64Array(3)],
      f: Float64Array.from([Math.PI]),
    };
    const back = decodeCheckpoint<typeof cp>(encodeCheckpoint(cp));
    expect(back.a).toBe(1);
    expect(Array.from(back.s[0])).toEqual(Array.from(cp.s[0]));
    expect(back.f[0]).toBe(Math.PI);
    expect(Object.is(back.s[0][2], -0)).toBe(true);
  });
});

describe('one report for every issue of a scenario', () => {
  it('schema and model-level issues together: a χ of the wrong dimension, S with an elliptic chemical, a scheme of the other discretisation', () => {
    const s = {
      name: 'bad',
      model: {
        ...tiny.model,
        chi: [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        chemical: { type: 'elliptic' },
        initial: { rho: 1, S: 2 },
        alpah: 1,
      },
      run: { tEnd: 1, dt: 0.1, scheme: 'etdrk4' },
    } as unknown as Scenario;
    try {
      validateScenario(s);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      const paths = (e as ScenarioError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['model.alpah', 'model.chi', 'model.initial.S', 'run.scheme']),
      );
      expect((e as ScenarioError).message).toMatch(
        /run\.scheme: got "etdrk4"; expected 'strang' for the finite-volume discretisation/,
      );
    }
  });
});

describe('scenarios', () => {
  it('every built-in scenario validates and builds', () => {
    for (const s of Object.values(builtinScenarios))
      expect(() => buildModel(backends[1], validateScenario(s))).not.toThrow();
  });

  // Every documented validation error: path, value and accepted range.
  const bad = (patch: (s: Scenario) => void): Scenario => {
    const s = structuredClone(tiny);
    patch(s);
    return s;
  };
  it.each([
    [
      'unknown field',
      bad((s) => ((s.model as unknown as Record<string, unknown>).colour = 3)),
      /model.colour: got 3; expected no such field \(allowed: type, grid/,
    ],
    [
      'grid size not 2^a·3^b·5^c',
      bad((s) => (s.model.grid.n = [98, 8])),
      /model.grid.n\[0\]: got 98; expected an even size 2\^a·3\^b·5\^c/,
    ],
    [
      'negative length',
      bad((s) => (s.model.grid.L = [-1, 2])),
      /model.grid.L\[0\]: got -1; expected a number in \(0, Infinity\)/,
    ],
    [
      'alpha out of range',
      bad((s) => ((s.model as { alpha: number }).alpha = 2.5)),
      /model.alpha: got 2.5; expected a number in \(0, 2\]/,
    ],
    [
      'negative decay',
      bad((s) => ((s.model as { chemical: { mu: number } }).chemical.mu = -1)),
      /model.chemical.mu: got -1; expected a number in \[0, Infinity\)/,
    ],
    [
      'chi of the wrong form',
      bad((s) => ((s.model as { chi: unknown }).chi = 'big')),
      /model.chi: got "big"; expected a number, a dim×dim matrix/,
    ],
    [
      'unknown model type',
      bad((s) => ((s.model as { type: string }).type = 'sph')),
      /model.type: got "sph"; expected one of "keller-segel", "kinetic"/,
    ],
    [
      'missing dt',
      bad((s) => delete (s.run as Partial<Scenario['run']>).dt),
      /run.dt: got undefined; expected a value \(required field\)/,
    ],
    [
      'bad scheme',
      bad((s) => ((s.run as { scheme: string }).scheme = 'rk4')),
      /run.scheme: got "rk4"; expected one of "strang", "etdrk2", "etdrk4"/,
    ],
    [
      'eps out of range',
      { ...tiny, model: { ...builtinScenarios['kinetic-limit-1d'].model, eps: 2 } } as Scenario,
      /model.eps: got 2; expected a number in \(0, 1\]/,
    ],
    [
      'non-integer snapshots',
      bad((s) => (s.run.snapshots = 2.5)),
      /run.snapshots: got 2.5; expected an integer/,
    ],
  ])('%s', (_name, scenario, message) => {
    expect(() => validateScenario(scenario)).toThrow(ScenarioError);
    expect(() => validateScenario(scenario)).toThrow(message);
  });
  it('semantic errors found by the model are reported under model.', () => {
    const s = bad((s) => ((s.model as { gamma?: number }).gamma = 0.5)); // alpha and gamma both given
    expect(() => buildModel(backends[1], validateScenario(s))).toThrow(
      /model.alpha\/gamma: .* expected exactly one of alpha/,
    );
    const k = structuredClone(builtinScenarios['kinetic-limit-1d']);
    (k.model as { velocity: { vmax: number } }).velocity.vmax = 1e5;
    expect(() => buildModel(backends[1], validateScenario(k))).toThrow(
      /model.velocity.vmax: got 100000; expected at least/,
    );
  });
});

describe('runner', () => {
  it('resumes an interrupted run to a final state bitwise equal to an uninterrupted one', async () => {
    const whole = tmp(),
      parts = tmp();
    await runScenario(tiny, { outDir: whole, backend: 'wasm' });
    const ac = new AbortController();
    const first = await runScenario(tiny, {
      outDir: parts,
      backend: 'wasm',
      signal: ac.signal,
      onProgress: (p) => {
        if (p.step === 3) ac.abort('test');
      },
    });
    expect(first.status).toBe('interrupted');
    expect(existsSync(join(parts, 'checkpoint.fxck'))).toBe(true);
    const second = await runScenario(null, { outDir: parts, backend: 'wasm', resume: true });
    expect(second.status).toBe('done');
    for (const f of ['rho_0004.npy', 'S_0004.npy', 'rho_0001.npy']) {
      expect(Array.from(decodeNpy(readFileSync(join(parts, f))).data)).toEqual(
        Array.from(decodeNpy(readFileSync(join(whole, f))).data),
      );
    }
    const a = JSON.parse(readFileSync(join(whole, 'summary.json'), 'utf8')),
      b = JSON.parse(readFileSync(join(parts, 'summary.json'), 'utf8'));
    expect(b.diagnostics.t).toEqual(a.diagnostics.t); // no data lost or repeated across the interruption
    expect(b.diagnostics.mass).toEqual(a.diagnostics.mass);
  });

  it('a run checkpointed on 2 threads resumes on 1 to the same bits as an uninterrupted 2-thread run', async () => {
    // 192² is large enough that the transforms and pointwise passes are cut across threads.
    const big: Scenario = {
      ...tiny,
      name: 'big',
      model: { ...tiny.model, grid: { n: [192, 192] } } as Scenario['model'],
      run: { tEnd: 0.04, dt: 0.005, snapshots: 2 },
    };
    const whole = tmp(),
      parts = tmp();
    const a = await runScenario(big, { outDir: whole, backend: 'wasm', threads: 2, hdf5: false });
    const ac = new AbortController();
    await runScenario(big, {
      outDir: parts,
      backend: 'wasm',
      threads: 2,
      hdf5: false,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.step === 3) ac.abort('test');
      },
    });
    const b = await runScenario(null, {
      outDir: parts,
      backend: 'wasm',
      threads: 1,
      resume: true,
      hdf5: false,
    });
    expect([a.threads, b.threads, a.status, b.status]).toEqual([2, 1, 'done', 'done']);
    for (const f of ['rho_0002.npy', 'S_0002.npy'])
      expect(Buffer.from(readFileSync(join(parts, f))).equals(readFileSync(join(whole, f)))).toBe(true);
  });

  it('writes periodic checkpoints atomically (no .tmp left behind)', async () => {
    const dir = tmp();
    await runScenario(tiny, { outDir: dir, backend: 'js', checkpointEvery: 5 });
    expect(existsSync(join(dir, 'checkpoint.fxck'))).toBe(true);
    expect(existsSync(join(dir, 'checkpoint.fxck.tmp'))).toBe(false);
  });
});

describe('command line (dist/cli.js)', () => {
  it('runs a tiny scenario end to end: NPY snapshots read back, pictures and summary written', () => {
    const dir = tmp(),
      file = join(dir, 'tiny.json'),
      out = join(dir, 'out');
    writeFileSync(file, JSON.stringify(tiny));
    const log = execFileSync('node', [CLI, 'run', file, '--out', out, '--backend', 'js'], {
      encoding: 'utf8',
    });
    expect(log).toMatch(/tiny: done at t = 0.4/);
    const rho = decodeNpy(readFileSync(join(out, 'rho_0004.npy')));
    expect(rho.shape).toEqual([8, 16]);
    expect(rho.data.every(Number.isFinite)).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('done');
    expect(summary.backend).toBe('js');
    expect(summary.snapshots).toHaveLength(5);
    const mass = rho.data.reduce((s, v) => s + v, 0) * ((2 * Math.PI) / 16) * ((2 * Math.PI) / 8);
    expect(Math.abs(mass - summary.diagnostics.mass.at(-1)) / mass).toBeLessThan(1e-12);
    for (const f of ['rho_0000.png', 'rho_final.png', 'S_final.png', 'diagnostics.png']) {
      expect(Array.from(readFileSync(join(out, f)).subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
  });

  it('list, validate, --help and the exit status of invalid input', () => {
    expect(execFileSync('node', [CLI, 'list'], { encoding: 'utf8' })).toMatch(
      /aggregation-2d[\s\S]*kinetic-limit-1d/,
    );
    expect(execFileSync('node', [CLI, 'validate', 'chemotaxis-1d'], { encoding: 'utf8' })).toMatch(
      /chemotaxis-1d: valid/,
    );
    expect(execFileSync('node', [CLI, '--help'], { encoding: 'utf8' })).toMatch(
      /fractaxis run <scenario.json \| built-in name>/,
    );
    const dir = tmp(),
      file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...tiny, run: { tEnd: -1, dt: 0.1 } }));
    const r = spawnSync('node', [CLI, 'validate', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/run.tEnd: got -1; expected a number in \(0, Infinity\)/);
    const u = spawnSync('node', [CLI, 'run', 'no-such-scenario'], { encoding: 'utf8' });
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(
      /scenario: got "no-such-scenario"; expected a scenario file or one of the built-in names: aggregation-2d/,
    );
  });

  it('Ctrl-C stops cleanly with a checkpoint, and --resume finishes the run', () => {
    const dir = tmp(),
      file = join(dir, 's.json'),
      out = join(dir, 'out');
    writeFileSync(
      file,
      JSON.stringify({
        ...tiny,
        model: { ...tiny.model, grid: { n: [128, 128] } },
        run: { tEnd: 50, dt: 0.01, snapshots: 2 },
      }),
    );
    // Interrupt once the run is under way (its first snapshot exists), then give it a moment to step.
    const r = spawnSync(
      'bash',
      [
        '-c',
        `node ${CLI} run ${file} --out ${out} & pid=$!; for i in $(seq 1 300); do [ -f ${out}/rho_0000.npy ] && break; sleep 0.1; done; sleep 1; kill -INT $pid; wait $pid`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(130);
    expect(r.stdout).toMatch(/interrupted at t = .*\n[\s\S]*continue with: fractaxis run --resume/);
    expect(existsSync(join(out, 'checkpoint.fxck'))).toBe(true);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.status).toBe('interrupted');
    expect(s.t).toBeGreaterThan(0);
  });
});

describe('runner blow-up threshold', () => {
  it('is fixed from the initial state for the whole run, not reset at each snapshot segment', async () => {
    // Logistic growth from 0.001 towards 1: max ρ grows 1000-fold over the run, slowly enough
    // that no single segment grows 1000-fold; the run-wide default threshold must catch it.
    const s: Scenario = {
      name: 'growth',
      model: {
        type: 'keller-segel',
        grid: { n: [8] },
        alpha: 1.5,
        chemical: { type: 'elliptic' },
        chi: 0,
        growth: { type: 'logistic', r: 1 },
        initial: { rho: 0.0005 },
      },
      run: { tEnd: 12, dt: 0.05, snapshots: 12 },
    };
    const r = await runScenario(s, { outDir: tmp(), backend: 'js' });
    expect(r.status).toBe('blow-up');
    expect(r.reason).toMatch(/exceeded maxDensity = 0.5/);
  });

  it('a zero initial density is a valid start, not a blow-up at t = 0', async () => {
    const s: Scenario = {
      name: 'empty',
      model: {
        type: 'keller-segel',
        grid: { n: [8] },
        alpha: 1.5,
        chemical: { type: 'elliptic' },
        chi: 1,
        initial: { rho: 0 },
      },
      run: { tEnd: 0.1, dt: 0.05, snapshots: 1 },
    };
    const r = await runScenario(s, { outDir: tmp(), backend: 'js' });
    expect(r.status).toBe('done');
  });

  it('a run whose field becomes uniform to rounding (logistic ρ → 1) finishes, pictures and all', async () => {
    const s: Scenario = {
      name: 'uniform',
      model: {
        type: 'keller-segel',
        grid: { n: [64], L: [20] },
        alpha: 1.5,
        chemical: { type: 'parabolic', D: 1 },
        chi: 0.1,
        growth: { type: 'logistic', r: 1 },
        initial: { rho: { type: 'constant', value: 1, noise: 0.05 } },
        discretisation: 'spectral',
      },
      run: { tEnd: 100, dt: 0.05, snapshots: 10 },
    };
    const out = tmp();
    const r = await runScenario(s, { outDir: out, backend: 'wasm' });
    expect(r.status).toBe('done');
    expect(existsSync(join(out, 'rho_0010.png'))).toBe(true);
  });
});

describe('the 2-D kinetic scenario', () => {
  it('runs with its ε → 0 comparison: the kinetic density beside its limit, a cut, limit_rho.npy and the study rows', async () => {
    const s = structuredClone(builtinScenarios['kinetic-limit-2d']);
    const m = s.model as Extract<Scenario['model'], { type: 'kinetic' }>;
    m.grid = { n: [16, 16] };
    m.eps = 1e-2;
    m.compare = { epsilons: [1e-1, 1e-2] };
    s.run = { ...s.run, tEnd: 0.04, snapshots: 2 };
    const out = tmp();
    const r = await runScenario(validateScenario(s), { outDir: out, backend: 'wasm' });
    expect(r.status).toBe('done');
    for (const f of ['limit.svg', 'limit.png', 'limit_cut.svg', 'limit_rho.npy', 'rho_0002.npy'])
      expect(existsSync(join(out, f))).toBe(true);
    expect(decodeNpy(readFileSync(join(out, 'limit_rho.npy'))).shape).toEqual([16, 16]);
    const svg = readFileSync(join(out, 'limit.svg'), 'utf8');
    expect(svg).toContain('kinetic, ε = 0.01');
    expect(svg).toContain('limit (fractional KS)');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.limitStudy.map((x: { eps: number }) => x.eps)).toEqual([0.1, 0.01]);
    expect(summary.limitStudy[1].relL1).toBeLessThan(summary.limitStudy[0].relL1);
  }, 60_000);
});

describe('the 3-D kinetic scenario', () => {
  it('runs with its comparison: mid-slices of the kinetic density beside its limit', async () => {
    const s = structuredClone(builtinScenarios['kinetic-limit-3d']);
    const m = s.model as Extract<Scenario['model'], { type: 'kinetic' }>;
    m.grid = { n: [4, 4, 4] };
    m.eps = 0.1;
    m.compare = { epsilons: [0.1] };
    s.run = { ...s.run, tEnd: 0.01, snapshots: 1 };
    const out = tmp();
    const r = await runScenario(validateScenario(s), { outDir: out, backend: 'wasm' });
    expect(r.status).toBe('done');
    expect(decodeNpy(readFileSync(join(out, 'limit_rho.npy'))).shape).toEqual([4, 4, 4]);
    expect(readFileSync(join(out, 'limit.svg'), 'utf8')).toMatch(/kinetic, ε = 0.1 \(z = /);
    expect(existsSync(join(out, 'limit_cut.png'))).toBe(true);
  }, 60_000);
});
