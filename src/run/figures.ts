// The folder's files of a snapshot (NPY arrays and a figure) and the figures of a finished run:
// SVG (vector, real text) and PNG rendered from it (run/render.ts), through io/figure.ts.
import { deflateSync } from 'node:zlib';
import type { Model } from '../models/model.js';
import { encodeNpy } from '../io/npy.js';
import { fieldFigure, lineFigure, type ColourScale } from '../io/figure.js';
import type { OutputFolder } from './outputs.js';
import type { RunnerStatus } from './observer.js';
import { svgToPng } from './render.js';
import type { Series } from './series.js';
import type { SnapshotSink } from './snapshots.js';

const deflate = (d: Uint8Array) => new Uint8Array(deflateSync(d, { level: 6 }));

/** numpy's order of a model's grid: (nz, ny, nx). */
export const npyShape = (model: Model) => [...model.grid.shape].slice(0, model.grid.dim).reverse();

/** A field of the model as a figure: line (1-D), heatmap (2-D), slices and projection (3-D). */
export function fieldSvg(
  model: Model,
  field: Float64Array,
  label: string,
  title: string,
  scale: ColourScale = 'linear',
  range?: readonly [number, number],
): string {
  const g = model.grid;
  return fieldFigure(field, [...g.shape].slice(0, g.dim), g.coordinates(0), {
    title,
    label,
    scale,
    lengths: g.lengths,
    deflate,
    range,
  });
}

/** Writes name.svg and name.png. */
export function writeFigure(folder: OutputFolder, name: string, svg: string): string[] {
  folder.write(`${name}.svg`, svg);
  folder.write(`${name}.png`, svgToPng(svg));
  return [`${name}.svg`, `${name}.png`];
}

/** rho_NNNN.npy, rho_NNNN.{svg,png} and S_NNNN.npy of every snapshot. */
export class FolderSnapshots implements SnapshotSink {
  constructor(
    private readonly folder: OutputFolder,
    private readonly scale: ColourScale = 'linear',
  ) {}

  snapshot(index: number, t: number, model: Model): string[] {
    const tag = String(index).padStart(4, '0'),
      shape = npyShape(model);
    const rho = model.density();
    this.folder.write(`rho_${tag}.npy`, encodeNpy(rho, shape));
    const files = [`rho_${tag}.npy`];
    files.push(
      ...writeFigure(
        this.folder,
        `rho_${tag}`,
        fieldSvg(model, rho, 'ρ', `ρ at t = ${t.toPrecision(4)}`, this.scale),
      ),
    );
    const S = model.signal();
    if (S) {
      files.push(`S_${tag}.npy`);
      this.folder.write(`S_${tag}.npy`, encodeNpy(S, shape));
    }
    return files;
  }
}

/** rho_final and S_final figures, rho_final.npy when the run ended early, and diagnostics figures. */
export function finalFigures(
  folder: OutputFolder,
  model: Model,
  series: Series,
  status: RunnerStatus,
  name: string,
  scale: ColourScale = 'linear',
): void {
  const rhoFinal = model.density(),
    t = model.time.toPrecision(4);
  if (status !== 'done' && status !== 'interrupted')
    folder.write('rho_final.npy', encodeNpy(rhoFinal, npyShape(model)));
  writeFigure(folder, 'rho_final', fieldSvg(model, rhoFinal, 'ρ', `ρ at t = ${t} (${status})`, scale));
  const S = model.signal();
  if (S) writeFigure(folder, 'S_final', fieldSvg(model, S, 'S', `S at t = ${t}`));
  writeFigure(
    folder,
    'diagnostics',
    lineFigure(
      [
        { x: series.t, y: series.mass.map((m) => m / series.mass[0]), label: 'mass / mass(0)' },
        { x: series.t, y: series.maxRho.map((m) => m / series.maxRho[0]), label: 'max ρ / max ρ(0)' },
      ],
      { title: `${name}: diagnostics`, xlabel: 't', ylabel: 'relative to t = 0', yscale: 'log' },
    ),
  );
}
