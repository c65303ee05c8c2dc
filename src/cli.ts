// `fractaxis`: run, resume, validate and list scenarios from the command line.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { builtinScenarios } from './scenario/builtin.js';
import { scenarioSchema } from './scenario/schema.js';
import { ScenarioError, buildModel, validateScenario, type Scenario } from './scenario/validate.js';
import { runScenario, type Progress } from './run/runner.js';
import { runBlowUpStudy } from './run/blow-up.js';
import { checkThreadCount, createBackend, type BackendChoice } from './backend/index.js';
import { MemoryLimitError, ValidationError, closest } from './errors.js';
import { OutputError } from './run/outputs.js';
import { availableParallelism } from 'node:os';
import { expandSweep } from './sweep/spec.js';
import { planSweep, runSweep, shardIndices } from './sweep/sweep.js';
import { collectSweep } from './sweep/collect.js';
import { startServer } from './run/serve.js';
import { VERSION } from './version.js';

const HELP = `fractaxis ${VERSION}: fractional-diffusion chemotaxis

Usage:
  fractaxis run <scenario.json | built-in name> [--out DIR] [--backend auto|wasm|js]
                [--threads N] [--checkpoint-every STEPS] [--overwrite] [--no-hdf5] [--quiet]
                [--colour-scale linear|log|symlog] [--movie]
  fractaxis run --resume DIR [--backend auto|wasm|js] [--threads N] [--checkpoint-every STEPS]
  fractaxis blowup <scenario.json | built-in name> --grids N1,N2,N3[,…] --levels L1,L2,…
                [--out DIR] [--backend auto|wasm|js] [--threads N]
  fractaxis sweep run <sweep.json> [--out DIR] [--workers N] [--index I | --shard i/n]
  fractaxis sweep plan <sweep.json> --out DIR [--max-concurrent K] [--time HH:MM:SS] [--partition P]
  fractaxis sweep collect DIR
  fractaxis sweep validate <sweep.json>
  fractaxis demo [--port 8123]   serve the live browser demo on 127.0.0.1
  fractaxis validate <scenario.json | built-in name>
  fractaxis list
  fractaxis schema          print the scenario JSON Schema
  fractaxis --help | --version

run writes into DIR (default ./out): run.h5 (HDF5: rho and S over time, the grid, the
scenario, the diagnostics; --no-hdf5 leaves it out), rho_NNNN.npy / S_NNNN.npy snapshots,
figures as SVG and PNG (rho_NNNN, rho_final, S_final, diagnostics; --colour-scale log shows
aggregates), movie.gif with --movie (and movie.mp4 when ffmpeg is on the PATH),
diagnostics.csv, summary.json, manifest.json and checkpoint.fxck (continue an interrupted run, or one whose run.tEnd you raised, with
--resume DIR). A folder that holds another run is refused unless --overwrite is given.
--threads N runs the wasm kernels on N threads (default: every core; the results are bitwise
the same for any N; the js backend runs on one).
blowup runs a Keller–Segel scenario on each grid (every axis N points; each N twice the
previous; run.dt is the step on the coarsest grid, scaled with h), records when max rho
crosses each level, extrapolates the crossing times to h → 0 and estimates the blow-up time:
blowup.md (table), blowup.json, blowup.png in DIR (default ./out-blowup).
Exit status: 0 done or blow-up (a physical outcome, see summary.json), 2 invalid input,
3 no trustworthy result past the reported time (under-resolved, unstable, step-too-small),
4 an output could not be written (the message names the file and the cause), 130 interrupted,
1 other errors.`;

const OPTIONS = {
  out: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  resume: { type: 'string' },
  overwrite: { type: 'boolean' },
  'no-hdf5': { type: 'boolean' },
  'colour-scale': { type: 'string' },
  port: { type: 'string' },
  workers: { type: 'string' },
  index: { type: 'string' },
  shard: { type: 'string' },
  'max-concurrent': { type: 'string' },
  time: { type: 'string' },
  partition: { type: 'string' },
  movie: { type: 'boolean' },
  'checkpoint-every': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  grids: { type: 'string' },
  levels: { type: 'string' },
} as const;

/** parseArgs, with an unknown or malformed option reported as a ValidationError (and a "did you mean"). */
function parseOptions(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    const m = /'(-{1,2}[^']+)'/.exec((e as Error).message),
      given = m ? m[1] : argv.join(' ');
    const guess = closest(given.replace(/^-+/, ''), Object.keys(OPTIONS));
    throw new ValidationError(
      'option',
      given,
      `one of --${Object.keys(OPTIONS).join(', --')}${guess ? ` (did you mean --${guess}?)` : ''}`,
    );
  }
}

/** A JSON file, refused naming `field` and `expected` when unreadable, or the file when not JSON. */
function readJson(path: string, field: string, expected: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ValidationError(field, path, expected);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ValidationError(path, 'invalid JSON', `a JSON document (${(e as Error).message})`);
  }
}

function loadScenario(arg: string): Scenario {
  if (arg in builtinScenarios) return builtinScenarios[arg];
  return readJson(
    arg,
    'scenario',
    `a scenario file or one of the built-in names: ${Object.keys(builtinScenarios).join(', ')}`,
  ) as Scenario;
}

/** Progress on stderr: a bar that fits the terminal with an ETA and steps/s, plain lines every 2 s otherwise. */
function progressReporter(quiet: boolean) {
  const tty = process.stderr.isTTY === true;
  let last = 0,
    start: { wall: number; t: number; step: number } | null = null;
  return (p: Progress) => {
    if (quiet || p.dt === 0) return; // the start-of-run record has no step yet
    const now = Date.now();
    start ??= { wall: now, t: p.t, step: p.step };
    if (now - last < (tty ? 100 : 2000)) return;
    last = now;
    const frac = Math.min(1, p.t / p.tEnd),
      elapsed = Math.max(now - start.wall, 1),
      rate = (p.t - start.t) / elapsed,
      stepsPerSecond = ((p.step - start.step) * 1000) / elapsed;
    const eta = rate > 0 ? formatDuration((p.tEnd - p.t) / rate) : '--:--';
    const info = `t=${p.t.toPrecision(4)} dt=${p.dt.toExponential(1)} max ρ=${p.maxRho.toPrecision(4)} ${stepsPerSecond.toPrecision(3)} steps/s ETA ${eta}`;
    if (tty) {
      // The line never wraps: bar and text cut to the terminal's width.
      const columns = Math.max(40, (process.stderr.columns ?? 80) - 1),
        width = Math.max(10, Math.min(30, columns - info.length - 8)),
        full = Math.round(frac * width);
      process.stderr.write(
        `\r[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(100 * frac).toFixed(0).padStart(3)}% ${info}`
          .padEnd(columns)
          .slice(0, columns),
      );
    } else process.stderr.write(`${(100 * frac).toFixed(1)}% ${info}\n`);
  };
}

/** m:ss or h:mm:ss for a duration in milliseconds. */
function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000),
    h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv);
  const [cmd, arg] = positionals;
  if (values.version) {
    console.log(VERSION);
    return 0;
  }
  if (values.help || !cmd || cmd === 'help') {
    console.log(HELP);
    return 0;
  }
  const backend = (values.backend ?? 'auto') as BackendChoice;
  if (!['auto', 'wasm', 'js'].includes(backend))
    throw new ValidationError('--backend', backend, "'auto', 'wasm' or 'js'");
  const threads =
    values.threads === undefined
      ? undefined
      : checkThreadCount('--threads', Number(values.threads), values.threads);
  if (cmd === 'list') {
    for (const [name, s] of Object.entries(builtinScenarios))
      console.log(`${name.padEnd(22)} ${s.description}`);
    return 0;
  }
  if (cmd === 'schema') {
    console.log(JSON.stringify(scenarioSchema, null, 2));
    return 0;
  }
  if (cmd === 'validate') {
    if (!arg) throw new ValidationError('validate', undefined, 'a scenario file or built-in name');
    const s = validateScenario(loadScenario(arg));
    buildModel(await createBackend('js'), s);
    console.log(`${arg}: valid (${s.model.type}, grid ${s.model.grid.n.join('×')}, tEnd ${s.run.tEnd})`);
    return 0;
  }
  if (cmd === 'blowup') return blowUp(arg, values, backend, threads);
  if (cmd === 'sweep') return sweepCommand(positionals.slice(1), values, backend);
  if (cmd === 'demo') {
    const port = values.port === undefined ? 8123 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new ValidationError('--port', values.port, 'a port number in [0, 65535]');
    const { url } = await startServer(port);
    console.log(`fractaxis demo: open ${url}  (Ctrl-C to stop)`);
    await new Promise(() => {}); // serves until interrupted
  }
  if (cmd !== 'run')
    throw new ValidationError(
      'command',
      cmd,
      "'run', 'sweep', 'blowup', 'demo', 'validate', 'list' or 'schema' (see --help)",
    );
  let every: number | undefined;
  if (values['checkpoint-every'] !== undefined) {
    every = Number(values['checkpoint-every']);
    if (!Number.isInteger(every) || every < 1)
      throw new ValidationError(
        '--checkpoint-every',
        values['checkpoint-every'],
        'a positive integer number of steps',
      );
  }
  const resume = values.resume;
  if (!resume && !arg)
    throw new ValidationError('run', undefined, 'a scenario file or built-in name (or --resume DIR)');
  const outDir = resume ?? values.out ?? 'out';
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write(
      '\ninterrupt: finishing the current step and writing a checkpoint (Ctrl-C again to quit at once)\n',
    );
    controller.abort('SIGINT');
  });
  const summary = await runScenario(resume ? null : loadScenario(arg), {
    outDir,
    backend,
    threads,
    resume: Boolean(resume),
    overwrite: Boolean(values.overwrite),
    checkpointEvery: every,
    hdf5: !values['no-hdf5'],
    colourScale: values['colour-scale'] as 'linear' | 'log' | 'symlog' | undefined,
    movie: Boolean(values.movie),
    signal: controller.signal,
    onProgress: progressReporter(Boolean(values.quiet)),
    onNotice: (m) => process.stderr.write(`${m}\n`),
  });
  if (process.stderr.isTTY && !values.quiet) process.stderr.write('\n');
  const lines = [
    `${summary.name}: ${summary.status} at t = ${summary.t.toPrecision(6)} after ${summary.steps} steps (${summary.wallTimeSeconds.toFixed(1)} s, ${summary.backend} backend)`,
  ];
  if (summary.reason) lines.push(`  reason: ${summary.reason}`);
  if (summary.limitStudy)
    for (const r of summary.limitStudy)
      lines.push(`  eps = ${r.eps}: ||rho_eps - rho||_L1 / ||rho||_L1 = ${r.relL1.toExponential(3)}`);
  const extra = [summary.hdf5, ...(summary.movie ?? [])].filter(Boolean).join(', ');
  lines.push(`  results in ${outDir}/ (${extra ? `${extra}, ` : ''}summary.json, *.npy, *.svg, *.png)`);
  if (summary.status === 'interrupted')
    lines.push(`  checkpoint written; continue with: fractaxis run --resume ${outDir}`);
  console.log(lines.join('\n'));
  if (summary.status === 'interrupted') return 130;
  return ['under-resolved', 'unstable', 'step-too-small'].includes(summary.status) ? 3 : 0;
}

/** A non-negative integer option, refused naming the option. */
function count(option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0) throw new ValidationError(option, text, 'an integer ≥ 0');
  return v;
}

/** fractaxis sweep run | plan | collect | validate. */
async function sweepCommand(
  args: string[],
  values: Record<string, string | boolean | undefined>,
  backend: BackendChoice,
): Promise<number> {
  const [sub, arg] = args;
  const readSweep = (path: string | undefined) => {
    if (!path) throw new ValidationError(`sweep ${sub}`, undefined, 'a sweep file (JSON)');
    return readJson(path, `sweep ${sub}`, 'an existing sweep file');
  };
  if (sub === 'validate') {
    const { points } = expandSweep(readSweep(arg));
    console.log(`${arg}: valid (${points.length} points)`);
    return 0;
  }
  if (sub === 'plan') {
    const out = values.out as string | undefined;
    if (!out)
      throw new ValidationError(
        '--out',
        undefined,
        'the sweep folder the cluster writes into (shared by the nodes)',
      );
    const { script, points } = planSweep(readSweep(arg), out, {
      maxConcurrent:
        values['max-concurrent'] === undefined
          ? undefined
          : count('--max-concurrent', values['max-concurrent'] as string, 32),
      time: values.time as string | undefined,
      partition: values.partition as string | undefined,
    });
    console.log(
      `${points} points; submit with: sbatch ${script}\nthen merge with: fractaxis sweep collect ${out}`,
    );
    return 0;
  }
  if (sub === 'collect') {
    if (!arg) throw new ValidationError('sweep collect', undefined, 'a sweep folder');
    const t = await collectSweep(arg);
    console.log(
      `${t.rows.length} points, ${t.missing.length} missing: ${arg}/results.csv, results.parquet${t.columns.length > 0 ? ', phase.svg/png' : ''}`,
    );
    if (t.missing.length)
      console.log(`  missing: ${t.missing.slice(0, 20).join(', ')}${t.missing.length > 20 ? ', …' : ''}`);
    return t.missing.length ? 3 : 0;
  }
  if (sub !== 'run') throw new ValidationError('sweep', sub, "'run', 'plan', 'collect' or 'validate'");
  const input = readSweep(arg);
  const out = (values.out as string | undefined) ?? 'out-sweep';
  const { points } = expandSweep(input);
  // One point (a Slurm array task, a Kubernetes Indexed Job) or a shard; else all, on a local pool.
  const envIndex = process.env.JOB_COMPLETION_INDEX;
  let indices: number[] | undefined;
  if (values.index !== undefined) indices = [count('--index', values.index as string, 0)];
  else if (values.shard !== undefined) indices = shardIndices(values.shard as string, points.length);
  else if (envIndex !== undefined) indices = [count('JOB_COMPLETION_INDEX', envIndex, 0)];
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort('SIGINT'));
  const t0 = performance.now();
  const quiet = Boolean(values.quiet);
  const r = await runSweep(input, {
    outDir: out,
    workers: count('--workers', values.workers as string | undefined, indices ? 0 : availableParallelism()),
    indices,
    backend,
    signal: controller.signal,
    onProgress: (p) => {
      if (!quiet && !indices)
        process.stderr.write(
          `\r${p.done}/${p.total} points (${p.ran} run, ${p.failed} failed) ETA ${Number.isFinite(p.etaSeconds) ? formatDuration(1000 * p.etaSeconds) : '--:--'}   `,
        );
    },
  });
  if (!quiet && !indices) process.stderr.write('\n');
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `${r.ran} points run, ${r.skipped} already done, ${r.failed} failed, in ${seconds.toFixed(1)} s`,
  );
  if (r.aborted) {
    console.log(`interrupted: run the same command again to finish the remaining points`);
    return 130;
  }
  if (!indices) {
    const t = await collectSweep(out);
    console.log(
      `results in ${out}/ (results.csv, results.parquet${t.columns.length ? ', phase.svg, phase.png' : ''})`,
    );
  }
  return 0;
}

/** A comma-separated list of numbers, refused naming the option. */
function numberList(option: string, text: string | undefined, what: string): number[] {
  const values = (text ?? '')
    .split(',')
    .filter((v) => v.trim() !== '')
    .map(Number);
  if (values.length === 0 || !values.every(Number.isFinite)) throw new ValidationError(option, text, what);
  return values;
}

async function blowUp(
  arg: string | undefined,
  values: { out?: string; grids?: string; levels?: string },
  backend: BackendChoice,
  threads: number | undefined,
): Promise<number> {
  if (!arg) throw new ValidationError('blowup', undefined, 'a scenario file or built-in name');
  const grids = numberList(
    '--grids',
    values.grids,
    'comma-separated grid sizes, each twice the previous (e.g. 32,64,128)',
  );
  const levels = numberList(
    '--levels',
    values.levels,
    'comma-separated increasing levels of max rho (e.g. 40,80,160)',
  );
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort('SIGINT'));
  const outDir = values.out ?? 'out-blowup';
  const { report } = await runBlowUpStudy(loadScenario(arg), {
    outDir,
    grids,
    levels,
    backend,
    threads,
    signal: controller.signal,
    onGrid: (l) => process.stderr.write(`${l}\n`),
  });
  console.log(report + `results in ${outDir}/ (blowup.md, blowup.json, blowup.svg, blowup.png)`);
  return controller.signal.aborted ? 130 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof ScenarioError)
      console.error(
        `invalid scenario:\n${e.message
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}`,
      );
    else if (e instanceof ValidationError || e instanceof OutputError || e instanceof MemoryLimitError)
      console.error(`error: ${e.message}`);
    else console.error(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(e instanceof ValidationError ? 2 : e instanceof OutputError ? 4 : 1);
  },
);
