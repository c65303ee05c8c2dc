// The folder's files of a snapshot (NPY arrays and a picture) and the pictures of a finished run.
import type { Model } from '../models/model.js';
import { encodeNpy } from '../io/npy.js';
import { encodePng } from '../io/png.js';
import { heatmap, linePlot, type Raster } from '../io/plot.js';
import { deflateSync } from 'node:zlib';
import type { OutputFolder } from './outputs.js';
import type { RunnerStatus } from './observer.js';
import type { Series } from './series.js';
import type { SnapshotSink } from './snapshots.js';

export const png = (r: Raster) =>
  encodePng(r.rgba, r.width, r.height, (d) => new Uint8Array(deflateSync(d, { level: 6 })));

/** numpy's order of a model's grid: (nz, ny, nx). */
export const npyShape = (model: Model) => [...model.grid.shape].slice(0, model.grid.dim).reverse();

/** A line plot (1-D) or a heatmap (2-D; 3-D: the middle z slice) of a field. */
export function picture(model: Model, field: Float64Array, title: string): Raster {
  const g = model.grid;
  if (g.dim === 1)
    return linePlot([{ x: g.coordinates(0), y: field, label: title.split(' ')[0], color: [31, 119, 180] }], {
      title,
      xlabel: 'x',
      ylabel: title.split(' ')[0],
    });
  const [nx, ny, nz] = g.shape,
    slice = g.dim === 3 ? field.subarray((nz >> 1) * nx * ny, ((nz >> 1) + 1) * nx * ny) : field;
  return heatmap(slice, nx, ny, title, g.lengths);
}

/** rho_NNNN.npy, rho_NNNN.png and S_NNNN.npy of every snapshot. */
export class FolderSnapshots implements SnapshotSink {
  constructor(private readonly folder: OutputFolder) {}

  snapshot(index: number, t: number, model: Model): string[] {
    const tag = String(index).padStart(4, '0'),
      shape = npyShape(model),
      files = [`rho_${tag}.npy`, `rho_${tag}.png`];
    const rho = model.density();
    this.folder.write(files[0], encodeNpy(rho, shape));
    this.folder.write(files[1], png(picture(model, rho, `rho  t = ${t.toPrecision(4)}`)));
    const S = model.signal();
    if (S) {
      files.push(`S_${tag}.npy`);
      this.folder.write(`S_${tag}.npy`, encodeNpy(S, shape));
    }
    return files;
  }
}

/** rho_final (and S_final) pictures, rho_final.npy when the run ended early, and diagnostics.png. */
export function finalPictures(
  folder: OutputFolder,
  model: Model,
  series: Series,
  status: RunnerStatus,
  name: string,
): void {
  const rhoFinal = model.density();
  if (status !== 'done' && status !== 'interrupted')
    folder.write('rho_final.npy', encodeNpy(rhoFinal, npyShape(model)));
  folder.write(
    'rho_final.png',
    png(picture(model, rhoFinal, `rho  t = ${model.time.toPrecision(4)}  (${status})`)),
  );
  const S = model.signal();
  if (S) folder.write('S_final.png', png(picture(model, S, `S  t = ${model.time.toPrecision(4)}`)));
  folder.write(
    'diagnostics.png',
    png(
      linePlot(
        [
          {
            x: series.t,
            y: series.mass.map((m) => m / series.mass[0]),
            label: 'mass/mass(0)',
            color: [31, 119, 180],
          },
          {
            x: series.t,
            y: series.maxRho.map((m) => m / series.maxRho[0]),
            label: 'max rho/max rho(0)',
            color: [214, 39, 40],
          },
        ],
        { title: `${name}: diagnostics`, xlabel: 't', ylabel: 'relative to t = 0', logY: true },
      ),
    ),
  );
}
