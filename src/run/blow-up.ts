// The blow-up study as a command: runs blowUpStudy on a scenario's model and leaves a table
// (blowup.json), a figure of max ρ against t per grid (blowup.svg, blowup.png) and a text report.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend, type BackendChoice } from '../backend/index.js';
import { ValidationError } from '../errors.js';
import { lineFigure } from '../io/figure.js';
import { blowUpStudy, type BlowUpStudyResult } from '../studies/blow-up.js';
import type { KellerSegelOptions } from '../models/keller-segel/model.js';
import { validateScenario, type Scenario } from '../scenario/validate.js';
import { nodeFiles, writeAtomic } from './outputs.js';
import { initRenderer, svgToPng } from './render.js';

/** Where and how runBlowUpStudy runs. */
export interface BlowUpCommandOptions {
  outDir: string;
  grids: number[];
  levels: number[];
  backend?: BackendChoice;
  /** Threads of the wasm backend (default: the machine's cores). */
  threads?: number;
  signal?: AbortSignal;
  /** Called with one line per finished grid. */
  onGrid?: (line: string) => void;
}

/** Runs the study on a Keller–Segel scenario (run.dt is the coarsest grid's step) and writes its outputs. */
export async function runBlowUpStudy(
  input: Scenario,
  o: BlowUpCommandOptions,
): Promise<{ result: BlowUpStudyResult; report: string }> {
  const scenario = validateScenario(input);
  if (scenario.model.type !== 'keller-segel')
    throw new ValidationError(
      'model.type',
      scenario.model.type,
      "'keller-segel' (a blow-up study refines a Keller–Segel grid)",
    );
  const { type: _t, ...model } = scenario.model;
  mkdirSync(o.outDir, { recursive: true });
  const backend = await createBackend(o.backend ?? 'auto', { threads: o.threads });
  const result = await blowUpStudy(backend, {
    model: model as KellerSegelOptions,
    grids: o.grids,
    levels: o.levels,
    tEnd: scenario.run.tEnd,
    dt: scenario.run.dt,
    signal: o.signal,
    onGrid: (r) =>
      o.onGrid?.(
        `n = ${r.n}: ${r.status} at t = ${r.t.toPrecision(6)}, max ρ ${r.maxRho.toPrecision(5)}, ${r.steps} steps, ${r.seconds.toFixed(1)} s`,
      ),
  });
  const report = formatReport(result);
  writeAtomic(
    nodeFiles,
    join(o.outDir, 'blowup.json'),
    JSON.stringify(
      { scenario, grids: o.grids, ...result, rows: result.rows.map(({ history: _h, ...r }) => r) },
      null,
      2,
    ),
  );
  const figure = lineFigure(
    result.rows.map((r) => ({ x: r.history.t, y: r.history.maxRho, label: `n = ${r.n}` })),
    { title: `${scenario.name ?? 'scenario'}: max ρ per grid`, xlabel: 't', ylabel: 'max ρ', yscale: 'log' },
  );
  await initRenderer();
  writeAtomic(nodeFiles, join(o.outDir, 'blowup.svg'), figure);
  writeAtomic(nodeFiles, join(o.outDir, 'blowup.png'), svgToPng(figure));
  writeAtomic(nodeFiles, join(o.outDir, 'blowup.md'), report);
  return { result, report };
}

/** The study as a Markdown table: crossing time per grid and level, observed order, extrapolation. */
export function formatReport(r: BlowUpStudyResult): string {
  const head = ['level of max ρ', ...r.rows.map((row) => `n = ${row.n}`), 'order p', 't(h → 0)', 'error'];
  const cell = (v: number | null, digits = 5) => (v === null ? '–' : v.toFixed(digits));
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`];
  for (const l of r.levels)
    lines.push(
      `| ${l.level} | ${l.times.map((t) => cell(t)).join(' | ')} | ${cell(l.order, 2)} | ${cell(l.extrapolated)} | ${l.error === null ? '–' : l.error.toExponential(1)} |`,
    );
  lines.push(
    `| status | ${r.rows.map((row) => `${row.status} at ${row.t.toPrecision(4)}`).join(' | ')} | | | |`,
  );
  const b = r.blowUpTime;
  lines.push(
    '',
    b
      ? `Estimated blow-up time: ${b.estimate.toFixed(4)} ± ${b.error.toExponential(1)} (from level ${b.level}).`
      : 'No blow-up time can be estimated: no level was crossed on enough grids with converging times.',
  );
  return lines.join('\n') + '\n';
}
