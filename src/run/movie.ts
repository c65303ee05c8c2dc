// A movie of the density over the run, from the snapshot files once the run ends (so a resumed
// run's movie holds every snapshot): an animated GIF (gifenc: a small, dependency-free encoder; 256
// colours per frame are plenty for viridis and text), and an MP4 as well when ffmpeg is on the
// PATH. Every frame is the same figure as the snapshot pictures, on one colour range for the run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GIFEncoder, applyPalette, quantize } from 'gifenc';
import type { ColourScale } from '../io/figure.js';
import { decodeNpy } from '../io/npy.js';
import type { Model } from '../models/model.js';
import { fieldSvg } from './figures.js';
import type { OutputFolder } from './outputs.js';
import { renderSvg } from './render.js';
import type { SnapshotRecord } from './snapshots.js';

/** Frames per second of the movies. */
const FPS = 4;

/** Writes movie.gif (and movie.mp4 with ffmpeg) from the snapshots' rho_NNNN.npy; returns the files written. */
export function writeMovie(
  folder: OutputFolder,
  model: Model,
  snapshots: readonly SnapshotRecord[],
  scale: ColourScale,
): string[] {
  const frames = snapshots.map((s) => ({
    t: s.t,
    rho: decodeNpy(folder.files.readFileSync(folder.path(s.files.find((f) => /^rho_\d+\.npy$/.test(f))!)))
      .data,
  }));
  if (frames.length === 0) return [];
  let lo = Infinity,
    hi = -Infinity;
  for (const f of frames)
    for (const v of f.rho)
      if (Number.isFinite(v) && (scale !== 'log' || v > 0)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
  const range: [number, number] | undefined = Number.isFinite(lo) ? [lo, hi] : undefined;
  const images = frames.map((f) =>
    renderSvg(fieldSvg(model, f.rho, 'ρ', `ρ at t = ${f.t.toPrecision(4)}`, scale, range), 1),
  );
  const gif = GIFEncoder();
  for (const im of images) {
    const palette = quantize(im.pixels, 256);
    gif.writeFrame(applyPalette(im.pixels, palette), im.width, im.height, { palette, delay: 1000 / FPS });
  }
  gif.finish();
  folder.write('movie.gif', gif.bytes());
  const written = ['movie.gif'];
  if (spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0) {
    const dir = mkdtempSync(join(tmpdir(), 'fractaxis-movie-'));
    try {
      images.forEach((im, k) => writeFileSync(join(dir, `f${String(k).padStart(5, '0')}.png`), im.png));
      const out = join(dir, 'movie.mp4');
      const r = spawnSync(
        'ffmpeg',
        // Even dimensions and yuv420p: what every player takes.
        ['-y', '-loglevel', 'error', '-framerate', String(FPS), '-i', join(dir, 'f%05d.png')].concat([
          '-vf',
          'pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white',
          '-pix_fmt',
          'yuv420p',
          out,
        ]),
        { stdio: 'ignore' },
      );
      if (r.status === 0) {
        folder.write('movie.mp4', new Uint8Array(readFileSync(out)));
        written.push('movie.mp4');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return written;
}
