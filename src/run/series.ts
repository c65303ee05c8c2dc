// diagnostics.csv: one row per accepted state, appended as the run produces it (flushed at every
// snapshot and checkpoint). A checkpoint records the valid length, so a resume drops a torn tail.
import { ValidationError } from '../errors.js';
import type { StepDiagnostics } from '../models/model.js';
import type { OutputFolder } from './outputs.js';
import type { RunObserver } from './observer.js';

export const SERIES = 'diagnostics.csv';
/** The diagnostics columns, in file order (diagnostics.csv and run.h5). */
export const COLUMNS = ['t', 'dt', 'mass', 'minRho', 'maxRho', 'energy'] as const;
const HEADER = `${COLUMNS.join(',')}\n`;

/** The diagnostics of every accepted state, column by column. */
export interface Series {
  t: number[];
  dt: number[];
  mass: number[];
  minRho: number[];
  maxRho: number[];
  energy: number[];
}

/** Where the series stood at a checkpoint: rows after the header, and bytes. */
export interface SeriesMark {
  rows: number;
  bytes: number;
}

export class SeriesOutput implements RunObserver {
  readonly series: Series = { t: [], dt: [], mass: [], minRho: [], maxRho: [], energy: [] };
  private pending = '';
  private bytes: number;

  /** A new series (writes the header), or the one a checkpoint marked (read back, torn tail dropped). */
  constructor(
    private readonly folder: OutputFolder,
    private readonly defaultDt: number,
    resumed: SeriesMark | null,
  ) {
    if (resumed) {
      this.restore(resumed);
      this.bytes = resumed.bytes;
    } else {
      folder.write(SERIES, HEADER);
      this.bytes = HEADER.length;
    }
  }

  step(d: StepDiagnostics): void {
    if (this.series.t.length > 0 && d.t === this.series.t.at(-1)) return; // a resumed solve repeats the last row first
    const row = [d.t, d.dt ?? this.defaultDt, d.mass, d.minRho, d.maxRho, d.energy ?? NaN];
    row.forEach((v, j) => this.series[COLUMNS[j]].push(v));
    this.pending += `${row.map(String).join(',')}\n`;
  }

  /** Appends the rows not yet on disk. */
  flush(): void {
    if (this.pending === '') return;
    this.folder.append(SERIES, this.pending);
    this.bytes += new TextEncoder().encode(this.pending).length;
    this.pending = '';
  }

  /** Flushes and returns the mark a checkpoint stores. */
  mark(): SeriesMark {
    this.flush();
    return { rows: this.series.t.length, bytes: this.bytes };
  }

  end(): void {
    this.flush();
  }

  private restore(mark: SeriesMark): void {
    const path = this.folder.path(SERIES),
      files = this.folder.files;
    const bytes = files.existsSync(path) ? files.readFileSync(path) : new Uint8Array(0);
    if (bytes.length < mark.bytes)
      throw new ValidationError(
        path,
        `${bytes.length} bytes`,
        `at least the ${mark.bytes} bytes the checkpoint recorded (the series was truncated)`,
      );
    const lines = new TextDecoder()
      .decode(bytes.subarray(0, mark.bytes))
      .split('\n')
      .filter((l) => l !== '');
    if (lines[0] !== HEADER.trim() || lines.length - 1 !== mark.rows)
      throw new ValidationError(
        path,
        `${lines.length - 1} rows`,
        `the ${mark.rows} rows the checkpoint recorded`,
      );
    if (bytes.length > mark.bytes) files.truncateSync(path, mark.bytes);
    this.folder.record(SERIES);
    for (const line of lines.slice(1))
      line.split(',').forEach((v, j) => this.series[COLUMNS[j]].push(Number(v)));
  }
}
