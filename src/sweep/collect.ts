// Merging a sweep: every point's result, in index order, into one table (results.csv, and
// results.parquet for pandas/polars), and a phase diagram over the first two axes through the same
// figure code as a run's pictures. A point without a result is listed as 'missing'.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { phaseFigure } from '../io/figure.js';
import { OutputFolder, nodeFiles } from '../run/outputs.js';
import { initRenderer } from '../run/render.js';
import { writeFigure } from '../run/figures.js';
import type { PointResult } from './point.js';
import { DEFAULT_RECORD, axisValues, expandSweep, type SweepSpec } from './spec.js';
import { SWEEP_FILE, readPointResult } from './store.js';

/** A sweep’s results: one row per point (index, axis values, quantities, reason), and the points without a result. */
export interface SweepTable {
  columns: string[];
  rows: (number | string | boolean | null)[][];
  missing: number[];
}

/** The results of a sweep folder as one table: index, the axis values, the recorded quantities, the reason. */
export function sweepTable(dir: string): SweepTable {
  const input = JSON.parse(readFileSync(join(dir, SWEEP_FILE), 'utf8')) as SweepSpec;
  const { spec, points } = expandSweep(input);
  const record = spec.record ?? DEFAULT_RECORD;
  const columns = ['index', ...spec.axes.map((a) => a.field), ...record, 'reason'];
  const missing: number[] = [];
  const rows = points.map((p) => {
    const r: PointResult | null = readPointResult(dir, p);
    if (!r) missing.push(p.index);
    return [
      p.index,
      ...spec.axes.map((a) => p.values[a.field]),
      ...record.map((q) => (r ? (r.quantities[q] ?? null) : q === 'status' ? 'missing' : null)),
      r?.reason ?? null,
    ];
  });
  return { columns, rows, missing };
}

const csvCell = (v: number | string | boolean | null) =>
  v === null ? '' : typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v);

/** Writes results.csv, results.parquet and (with two or more axes) phase.svg/png; returns the table. */
export async function collectSweep(dir: string): Promise<SweepTable> {
  const table = sweepTable(dir);
  const folder = new OutputFolder(dir, nodeFiles, {
    format: 'fractaxis-output',
    scenario: 'sweep',
    digest: '',
    status: table.missing.length ? 'incomplete' : 'done',
    files: {},
  });
  folder.write(
    'results.csv',
    [table.columns.join(','), ...table.rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n',
  );
  // Parquet: a column per field, typed by its values (numbers as DOUBLE, the rest as strings).
  const columnData = table.columns.map((name, c) => {
    const col = table.rows.map((r) => r[c]);
    const numeric = col.every((v) => v === null || typeof v === 'number');
    return numeric
      ? { name, data: col as (number | null)[], type: 'DOUBLE' as const }
      : { name, data: col.map((v) => (v === null ? null : String(v))), type: 'STRING' as const };
  });
  folder.write('results.parquet', new Uint8Array(parquetWriteBuffer({ columnData })));
  const input = JSON.parse(readFileSync(join(dir, SWEEP_FILE), 'utf8')) as SweepSpec;
  if (input.axes.length >= 2) {
    const [ax, ay] = input.axes,
      xs = axisValues(ax),
      ys = axisValues(ay);
    const col = table.columns.indexOf(
      table.columns.includes('status') ? 'status' : (table.columns[input.axes.length + 1] ?? ''),
    );
    const at = new Map<string, string | number | null>();
    for (const r of table.rows)
      if (!at.has(`${r[1]}|${r[2]}`)) at.set(`${r[1]}|${r[2]}`, r[col] as string | number | null);
    await initRenderer();
    writeFigure(
      folder,
      'phase',
      phaseFigure(xs, ys, (i, j) => at.get(`${xs[i]}|${ys[j]}`) ?? null, {
        title: `${input.name ?? 'sweep'}: ${table.columns[col]}${input.axes.length > 2 ? ' (first of each further axis)' : ''}`,
        xlabel: ax.field.replace(/^model\./, ''),
        ylabel: ay.field.replace(/^model\./, ''),
        label: table.columns[col],
      }),
    );
  }
  folder.commit(table.missing.length ? 'incomplete' : 'done');
  return table;
}
