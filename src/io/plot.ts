// Raster pictures without dependencies: heatmaps with a colour bar, line plots with axes,
// tick labels and a legend. Returns RGBA pixels for encodePng.
import { glyph } from './font.js';

export type RGB = readonly [number, number, number];

/** Viridis, 9 anchors, linearly interpolated. */
const VIRIDIS: RGB[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];
export function viridis(u: number): RGB {
  const x = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x)),
    f = x - i,
    a = VIRIDIS[i],
    b = VIRIDIS[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

export class Raster {
  readonly rgba: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: RGB = [255, 255, 255],
  ) {
    this.rgba = new Uint8Array(4 * width * height);
    this.rect(0, 0, width, height, background);
  }
  pixel(x: number, y: number, c: RGB): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = 4 * (y * this.width + x);
    this.rgba[o] = c[0];
    this.rgba[o + 1] = c[1];
    this.rgba[o + 2] = c[2];
    this.rgba[o + 3] = 255;
  }
  rect(x: number, y: number, w: number, h: number, c: RGB): void {
    for (let j = Math.max(0, Math.floor(y)); j < Math.min(this.height, Math.ceil(y + h)); j++)
      for (let i = Math.max(0, Math.floor(x)); i < Math.min(this.width, Math.ceil(x + w)); i++)
        this.pixel(i, j, c);
  }
  line(x0: number, y0: number, x1: number, y1: number, c: RGB, thick = 1): void {
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    // Bounded work whatever the coordinates: at most one dot per pixel of the picture's diagonal.
    const n = Math.max(
      1,
      Math.min(this.width + this.height, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)))),
    );
    for (let s = 0; s <= n; s++) {
      const x = x0 + ((x1 - x0) * s) / n,
        y = y0 + ((y1 - y0) * s) / n;
      if (thick === 1) this.pixel(x, y, c);
      else this.rect(x - thick / 2, y - thick / 2, thick, thick, c);
    }
  }
  /** Text with its top-left corner at (x, y); returns the width drawn. */
  text(x: number, y: number, s: string, c: RGB = [0, 0, 0], scale = 1): number {
    let cx = x;
    for (const ch of s) {
      const g = glyph(ch);
      if (g)
        g.forEach((row, r) =>
          [...row].forEach((p, q) => {
            if (p === '#') this.rect(cx + q * scale, y + r * scale, scale, scale, c);
          }),
        );
      else this.rect(cx, y, 5 * scale, 7 * scale, [200, 0, 0]);
      cx += 6 * scale;
    }
    return cx - x;
  }
  static textWidth(s: string, scale = 1): number {
    return [...s].length * 6 * scale;
  }
}

/** Short tick label: 3 significant digits, exponent form outside [1e-3, 1e4). */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/** Labels for a set of ticks with just enough digits that neighbouring ticks read differently. */
export function tickLabels(ticks: readonly number[]): string[] {
  const big = ticks.some((t) => t !== 0 && (Math.abs(t) >= 1e4 || Math.abs(t) < 1e-3));
  for (let d = big ? 1 : 0; d <= 16; d++) {
    const labels = ticks.map((t) =>
      t === 0 ? '0' : big ? t.toExponential(d).replace('e+', 'e') : t.toFixed(d),
    );
    if (new Set(labels).size === labels.length) return labels;
  }
  return ticks.map(tickLabel);
}

/**
 * The range a colour bar or an axis shows for data in [lo, hi]. A range that is empty or below
 * ~1e-9 relative to the values (a uniform field up to rounding) is widened around its centre, so
 * the picture shows one colour and readable ticks instead of amplified rounding noise.
 */
export function displayRange(lo: number, hi: number): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo > 1e-9 * scale) return [lo, hi]; // an overflowing hi − lo is fine too: see unit()
  if (scale === 0) return [-1, 1];
  const c = lo / 2 + hi / 2;
  return [c - 5e-3 * scale, c + 5e-3 * scale];
}

/** Position of v in [lo, hi] as a fraction in [0, 1] (NaN for non-finite v); safe when hi − lo overflows. */
export function unit(v: number, lo: number, hi: number): number {
  return (v / 2 - lo / 2) / (hi / 2 - lo / 2);
}

/**
 * At most ~2n ticks at multiples of 1, 2, 2.5 or 5 × 10^k inside [lo, hi]. Always terminates: ticks
 * are counted by integer index, never by repeated addition (which stalls when step < ulp(lo)).
 */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (!(hi > lo)) return [lo];
  const step0 = hi / n - lo / n,
    mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const i0 = Math.ceil(lo / step),
    i1 = Math.floor(hi / step);
  if (!Number.isFinite(step) || !(step > 0) || !(i1 - i0 >= 0 && i1 - i0 <= 4 * n)) return [lo, hi];
  const out: number[] = [];
  for (let k = 0; k <= i1 - i0; k++) out.push(i0 + k === 0 ? 0 : (i0 + k) * step);
  return out;
}

/** A 2-D field (x fastest, y up) as a heatmap with a colour bar and title. */
export function heatmap(
  field: ArrayLike<number>,
  nx: number,
  ny: number,
  title: string,
  lengths: readonly number[] = [nx, ny],
): Raster {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < field.length; i++)
    if (Number.isFinite(field[i])) {
      lo = Math.min(lo, field[i]);
      hi = Math.max(hi, field[i]);
    }
  [lo, hi] = displayRange(lo, hi);
  const target = 480,
    px = Math.max(1, Math.round(target / Math.max(nx, ny)));
  const w = nx * px,
    h = ny * px,
    left = 50,
    top = 30,
    barW = 18;
  const R = new Raster(left + w + 30 + barW + 70, top + h + 40);
  R.text(left, 8, title, [0, 0, 0], 2);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const c = viridis(unit(field[j * nx + i], lo, hi));
      R.rect(left + i * px, top + (ny - 1 - j) * px, px, px, c);
    }
  // Axes labels: box lengths.
  R.text(left, top + h + 6, '0');
  const lx = tickLabel(lengths[0]);
  R.text(left + w - Raster.textWidth(lx), top + h + 6, lx);
  R.text(left + w / 2 - 3, top + h + 18, 'x');
  R.text(left - 10 - Raster.textWidth(tickLabel(lengths[1])), top, tickLabel(lengths[1]));
  R.text(left - 16, top + h / 2, 'y');
  // Colour bar with ticks.
  const bx = left + w + 30;
  for (let j = 0; j < h; j++) R.rect(bx, top + h - 1 - j, barW, 1, viridis(j / (h - 1)));
  const ticks = niceTicks(lo, hi),
    labels = tickLabels(ticks);
  ticks.forEach((t, i) => {
    const y = top + h - 1 - unit(t, lo, hi) * (h - 1);
    R.line(bx + barW, y, bx + barW + 4, y, [0, 0, 0]);
    R.text(bx + barW + 7, y - 3, labels[i]);
  });
  return R;
}

export interface Series {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  label: string;
  color: RGB;
}

/** Line plot with axes, ticks, labels and a legend; logY plots log10 of positive values. */
export function linePlot(
  series: Series[],
  opts: { title: string; xlabel: string; ylabel: string; logY?: boolean; width?: number; height?: number },
): Raster {
  const W = opts.width ?? 640,
    H = opts.height ?? 400,
    left = 80,
    right = 20,
    top = 34,
    bottom = 46;
  const R = new Raster(W, H);
  R.text(left, 8, opts.title, [0, 0, 0], 2);
  const tf = (v: number) => (opts.logY ? Math.log10(v) : v);
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const s of series)
    for (let i = 0; i < s.x.length; i++) {
      const y = tf(s.y[i]);
      if (!Number.isFinite(y) || !Number.isFinite(s.x[i])) continue;
      x0 = Math.min(x0, s.x[i]);
      x1 = Math.max(x1, s.x[i]);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  [x0, x1] = displayRange(x0, x1);
  [y0, y1] = displayRange(y0, y1);
  const pad = 0.05 * (y1 / 2 - y0 / 2);
  if (Number.isFinite(y0 - pad) && Number.isFinite(y1 + pad)) {
    y0 -= pad;
    y1 += pad;
  }
  const pw = W - left - right,
    ph = H - top - bottom;
  const X = (x: number) => left + unit(x, x0, x1) * pw,
    Y = (y: number) => top + ph - unit(y, y0, y1) * ph;
  const grey: RGB = [220, 220, 220],
    black: RGB = [0, 0, 0];
  const xt = niceTicks(x0, x1),
    xl = tickLabels(xt),
    yt = niceTicks(y0, y1),
    yl = tickLabels(yt);
  xt.forEach((t, i) => {
    R.line(X(t), top, X(t), top + ph, grey);
    R.text(X(t) - Raster.textWidth(xl[i]) / 2, top + ph + 6, xl[i]);
  });
  yt.forEach((t, i) => {
    R.line(left, Y(t), left + pw, Y(t), grey);
    const l = opts.logY ? `1e${yl[i]}` : yl[i];
    R.text(left - 6 - Raster.textWidth(l), Y(t) - 3, l);
  });
  R.line(left, top, left, top + ph, black);
  R.line(left, top + ph, left + pw, top + ph, black);
  R.text(left + pw / 2 - Raster.textWidth(opts.xlabel) / 2, H - 16, opts.xlabel);
  R.text(4, top - 14, opts.ylabel + (opts.logY ? ' (log)' : ''));
  series.forEach((s, k) => {
    let prev: [number, number] | null = null;
    for (let i = 0; i < s.x.length; i++) {
      const y = tf(s.y[i]);
      if (!Number.isFinite(y)) {
        prev = null;
        continue;
      }
      const p: [number, number] = [X(s.x[i]), Y(y)];
      if (prev) R.line(prev[0], prev[1], p[0], p[1], s.color, 2);
      else R.rect(p[0] - 1, p[1] - 1, 2, 2, s.color);
      prev = p;
    }
    const ly = top + 6 + 12 * k;
    R.rect(left + pw - 150, ly + 2, 14, 3, s.color);
    R.text(left + pw - 130, ly, s.label);
  });
  return R;
}
