// run.h5: one HDF5 file per run (h5wasm: the HDF5 library compiled to WebAssembly), written as the
// run goes and flushed after every snapshot, so a killed run leaves a readable file:
//   /t (frames)                    snapshot times, a dimension scale of rho and S
//   /x, /y, /z                     cell-centre coordinates, dimension scales
//   /rho, /S (frames, [nz,] [ny,] nx)   the density and the chemical at the snapshot times
//   /diagnostics/{t,dt,mass,minRho,maxRho,energy}   every accepted step
//   attributes: scenario (JSON), fractaxis version, status and reason (when the run ends), box lengths
// A resume truncates every dataset to what the checkpoint recorded, then appends.
import type { Dataset, File as H5File } from 'h5wasm';
import type { Model } from '../models/model.js';
import { VERSION } from '../version.js';
import { OutputError, type OutputFolder } from './outputs.js';
import type { RunnerStatus } from './observer.js';
import { COLUMNS, type Series } from './series.js';
import type { SnapshotSink } from './snapshots.js';

export const HDF5 = 'run.h5';

/** How much of run.h5 a checkpoint vouches for. */
export interface Hdf5Mark {
  frames: number;
  rows: number;
}

export class Hdf5Output implements SnapshotSink {
  private frames: number;
  private rows: number;

  private constructor(
    private readonly folder: OutputFolder,
    private readonly file: H5File,
    private readonly fields: { rho: Dataset; S: Dataset | null; t: Dataset },
    private readonly diagnostics: Record<(typeof COLUMNS)[number], Dataset>,
    private readonly frameShape: number[],
    private readonly series: Series,
    resumed: Hdf5Mark | null,
  ) {
    this.frames = resumed?.frames ?? 0;
    this.rows = resumed?.rows ?? 0;
    if (resumed) this.guard(() => this.truncate());
  }

  /** Creates run.h5 for `model` (or reopens it on resume, cut back to the checkpoint's mark). */
  static async open(
    folder: OutputFolder,
    model: Model,
    scenario: unknown,
    series: Series,
    resumed: Hdf5Mark | null,
  ): Promise<Hdf5Output> {
    const path = folder.path(HDF5);
    const h5 = (await import('h5wasm/node')).default;
    await h5.ready;
    try {
      const g = model.grid,
        shape = [...g.shape].slice(0, g.dim).reverse(); // (nz, ny, nx): numpy's order
      if (resumed) {
        const file = new h5.File(path, 'a');
        const ds = (name: string) => file.get(name) as Dataset;
        const S = model.signal() ? ds('S') : null;
        const diag = Object.fromEntries(COLUMNS.map((c) => [c, ds(`diagnostics/${c}`)])) as Record<
          (typeof COLUMNS)[number],
          Dataset
        >;
        return new Hdf5Output(folder, file, { rho: ds('rho'), S, t: ds('t') }, diag, shape, series, resumed);
      }
      const file = new h5.File(path, 'w');
      const grow = (name: string, frame: number[], units?: string) => {
        const d = file.create_dataset({
          name,
          data: new Float64Array(0),
          shape: [0, ...frame],
          dtype: '<d',
          maxshape: [null, ...frame],
          chunks: [frame.length === 0 ? 1024 : 1, ...frame],
        });
        if (units) d.create_attribute('units', units);
        return d;
      };
      const t = grow('t', []);
      t.make_scale('t');
      const axes = ['x', 'y', 'z'].slice(0, g.dim);
      axes.forEach((a, i) => {
        const c = file.create_dataset({ name: a, data: Float64Array.from(g.coordinates(i)) });
        c.make_scale(a);
      });
      const field = (name: string, description: string) => {
        const d = grow(name, shape);
        d.create_attribute('description', description);
        d.attach_scale(0, '/t');
        d.set_dimension_label(0, 't');
        [...axes].reverse().forEach((a, i) => {
          d.attach_scale(i + 1, `/${a}`);
          d.set_dimension_label(i + 1, a);
        });
        return d;
      };
      const rho = field('rho', 'cell density ρ at the snapshot times');
      const S = model.signal() ? field('S', 'chemical S at the snapshot times') : null;
      file.create_group('diagnostics');
      const diag = Object.fromEntries(COLUMNS.map((c) => [c, grow(`diagnostics/${c}`, [])])) as Record<
        (typeof COLUMNS)[number],
        Dataset
      >;
      file.create_attribute('scenario', JSON.stringify(scenario));
      file.create_attribute('fractaxis', VERSION);
      file.create_attribute('lengths', Float64Array.from(g.lengths));
      file.create_attribute('status', 'running');
      file.flush();
      return new Hdf5Output(folder, file, { rho, S, t }, diag, shape, series, null);
    } catch (e) {
      throw new OutputError(path, 'HDF5', `cannot create the HDF5 file: ${(e as Error).message}`);
    }
  }

  /** Appends the state as the next frame, with the diagnostics so far, and flushes. */
  snapshot(_index: number, t: number, model: Model): string[] {
    this.guard(() => {
      const k = this.frames,
        rest = this.frameShape.map((): [] => []);
      this.fields.t.resize([k + 1]);
      this.fields.t.write_slice([[k, k + 1]], Float64Array.of(t));
      this.fields.rho.resize([k + 1, ...this.frameShape]);
      this.fields.rho.write_slice([[k, k + 1], ...rest], model.density());
      const S = model.signal();
      if (this.fields.S && S) {
        this.fields.S.resize([k + 1, ...this.frameShape]);
        this.fields.S.write_slice([[k, k + 1], ...rest], S);
      }
      this.frames = k + 1;
      this.sync();
    });
    return [];
  }

  /** Writes the diagnostics rows not yet in the file and flushes; returns the checkpoint's mark. */
  mark(): Hdf5Mark {
    this.guard(() => this.sync());
    return { frames: this.frames, rows: this.rows };
  }

  /** Records how the run ended and closes the file (listed in the manifest from then on). */
  end(status: RunnerStatus, reason: string | undefined): void {
    this.guard(() => {
      this.sync();
      this.file.delete_attribute('status');
      this.file.create_attribute('status', status);
      if (reason !== undefined) {
        if (this.file.attrs['reason']) this.file.delete_attribute('reason');
        this.file.create_attribute('reason', reason);
      }
      this.file.close();
    });
    this.folder.record(HDF5);
  }

  private sync(): void {
    const n = this.series.t.length;
    if (n > this.rows) {
      for (const c of COLUMNS) {
        this.diagnostics[c].resize([n]);
        this.diagnostics[c].write_slice([[this.rows, n]], Float64Array.from(this.series[c].slice(this.rows)));
      }
      this.rows = n;
    }
    this.file.flush();
  }

  private truncate(): void {
    this.fields.t.resize([this.frames]);
    this.fields.rho.resize([this.frames, ...this.frameShape]);
    this.fields.S?.resize([this.frames, ...this.frameShape]);
    for (const c of COLUMNS) this.diagnostics[c].resize([this.rows]);
    this.file.flush();
  }

  private guard(what: () => void): void {
    try {
      what();
    } catch (e) {
      if (e instanceof OutputError) throw e;
      throw new OutputError(this.folder.path(HDF5), 'HDF5', (e as Error).message);
    }
  }
}
