// Figures as SVG with real text (Unicode ρ, α, χ, sub- and superscripts), in Node and in the browser
// from one code path: line plots (linear or log axes), heatmaps with a labelled colour bar (linear,
// log or symlog colour scale), and 3-D fields as three labelled orthogonal slices plus a
// maximum-intensity projection. Ticks are 1, 2, 5 × 10^k; log axes are labelled 10^k; a legend goes
// in the corner of the axes with no data under it (or beside the axes when every corner has data).
// Node renders PNGs from these with resvg and a font shipped with the package (run/render.ts).
import { encodePng, type Deflate } from './png.js';

/** How values map to colours: linearly, logarithmically (values ≤ 0 take the lowest colour), or linear near 0 and logarithmic beyond. */
export type ColourScale = 'linear' | 'log' | 'symlog';

/** The font every figure names (DejaVu Sans ships with the package, so PNGs are the same everywhere). */
export const FONT = 'DejaVu Sans';
const INK = '#222',
  GRID = '#e3e3e3';
/** matplotlib's tab10 cycle. */
export const CYCLE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

// ---- numbers on axes -------------------------------------------------------------------------

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

/** Position of v in [lo, hi] as a fraction (NaN for non-finite v); safe when hi − lo overflows. */
export function unit(v: number, lo: number, hi: number): number {
  return (v / 2 - lo / 2) / (hi / 2 - lo / 2);
}

/**
 * Ticks at multiples of 1, 2 or 5 × 10^k inside [lo, hi], about n of them. Always terminates:
 * ticks are counted by integer index, never by repeated addition (which stalls when step < ulp(lo)).
 */
export function niceTicks(lo: number, hi: number, n = 6): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (!(hi > lo)) return [lo];
  const step0 = hi / n - lo / n,
    mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0 * 0.999) ?? 10 * mag;
  const i0 = Math.ceil(lo / step),
    i1 = Math.floor(hi / step);
  if (!Number.isFinite(step) || !(step > 0) || !(i1 - i0 >= 0 && i1 - i0 <= 4 * n)) return [lo, hi];
  const out: number[] = [];
  for (let k = 0; k <= i1 - i0; k++) out.push(i0 + k === 0 ? 0 : (i0 + k) * step);
  return out;
}

/** Decades 10^k in [lo, hi] (lo > 0), thinned to at most ~8; with fewer than two, 1-2-5 steps. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > lo) || !Number.isFinite(hi)) return niceTicks(lo, hi);
  const k0 = Math.ceil(Math.log10(lo) - 1e-12),
    k1 = Math.floor(Math.log10(hi) + 1e-12);
  if (k1 - k0 >= 2) {
    const every = Math.max(1, Math.ceil((k1 - k0 + 1) / 8));
    const out: number[] = [];
    for (let k = k0; k <= k1; k += every) out.push(Math.pow(10, k));
    return out;
  }
  const out: number[] = [];
  for (let k = k0 - 1; k <= k1; k++)
    for (const m of [1, 2, 5]) {
      const v = m * Math.pow(10, k);
      if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push(v);
    }
  return out.length >= 2 ? out : [lo, hi];
}

const SUPER: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};
const superscript = (s: string) => [...s].map((c) => SUPER[c] ?? c).join('');

/** "m × 10^k" with a typographic minus and superscripts ("10^k" alone when m = 1). */
function scientific(mantissa: string, exponent: number): string {
  const p = `10${superscript(String(exponent))}`;
  return mantissa === '1' ? p : `${mantissa.replace('-', '−')}×${p}`;
}

/** Labels with just enough digits that neighbouring ticks read differently; exponents outside [1e-3, 1e4). */
export function tickLabels(ticks: readonly number[]): string[] {
  const big = ticks.some((t) => t !== 0 && (Math.abs(t) >= 1e4 || Math.abs(t) < 1e-3));
  for (let d = 0; d <= 16; d++) {
    const labels = ticks.map((t) => {
      if (t === 0) return '0';
      if (!big)
        return t
          .toFixed(d)
          .replace(/\.?0+$/, (m) => (d > 0 ? '' : m))
          .replace('-', '−');
      const [m, e] = t.toExponential(d).split('e');
      return scientific(m, Number(e));
    });
    if (new Set(labels).size === labels.length) return labels;
  }
  return ticks.map((t) => String(t));
}

/** Labels of decade ticks as 10^k (other log ticks as plain labels). */
function logLabels(ticks: readonly number[]): string[] {
  const decades = ticks.every((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  return decades ? ticks.map((t) => scientific('1', Math.round(Math.log10(t)))) : tickLabels(ticks);
}

// ---- colours -----------------------------------------------------------------------------------

/** Viridis, 9 anchors, linearly interpolated; u outside [0, 1] is clamped, NaN is the lowest colour. */
const VIRIDIS = [
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
export function viridis(u: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x)),
    f = x - i,
    a = VIRIDIS[i],
    b = VIRIDIS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}

/** A colour scale over data: the position in [0, 1] of a value, its ticks and their labels. */
interface Norm {
  lo: number;
  hi: number;
  at(v: number): number;
  ticks: number[];
  labels: string[];
}

function norm(values: ArrayLike<number>, scale: ColourScale, range?: readonly [number, number]): Norm {
  let lo = Infinity,
    hi = -Infinity,
    posLo = Infinity,
    absHi = 0;
  // A fixed range (the frames of a movie share one) stands for the data's extremes.
  const data = range ?? values;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    if (v > 0) posLo = Math.min(posLo, v);
    absHi = Math.max(absHi, Math.abs(v));
  }
  if (scale === 'log' && Number.isFinite(posLo) && hi > posLo) {
    // Values ≤ 0 take the lowest colour; the scale spans at most 12 decades below the maximum.
    const l = Math.max(posLo, hi * 1e-12);
    const L0 = Math.log10(l),
      L1 = Math.log10(hi);
    const ticks = logTicks(l, hi);
    return {
      lo: l,
      hi,
      at: (v) => (v > 0 ? (Math.log10(v) - L0) / (L1 - L0) : 0),
      ticks,
      labels: logLabels(ticks),
    };
  }
  if (scale === 'symlog' && absHi > 0) {
    // Linear within ±c, logarithmic beyond: f(v) = sign(v) log10(1 + |v|/c), c = max|v|/1000.
    const c = Math.max(absHi * 1e-3, Number.MIN_VALUE),
      f = (v: number) => Math.sign(v) * Math.log10(1 + Math.abs(v) / c);
    const F0 = f(Math.min(lo, 0)),
      F1 = f(Math.max(hi, 0));
    const ticks = [0];
    const kTop = Math.floor(Math.log10(absHi));
    for (let k = Math.max(Math.ceil(Math.log10(c)), kTop - 4); k <= kTop; k++) {
      const p = Math.pow(10, k);
      if (p <= hi) ticks.push(p);
      if (-p >= lo) ticks.unshift(-p);
    }
    return {
      lo: Math.min(lo, 0),
      hi: Math.max(hi, 0),
      at: (v) => (f(v) - F0) / (F1 - F0 || 1),
      ticks,
      labels: tickLabels(ticks),
    };
  }
  [lo, hi] = displayRange(lo, hi);
  const ticks = niceTicks(lo, hi);
  return { lo, hi, at: (v) => unit(v, lo, hi), ticks, labels: tickLabels(ticks) };
}

// ---- SVG -----------------------------------------------------------------------------------------

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 100) / 100) : '0');

function text(
  x: number,
  y: number,
  s: string,
  o: { size?: number; anchor?: 'start' | 'middle' | 'end'; rotate?: boolean; weight?: string } = {},
): string {
  const rot = o.rotate ? ` transform="rotate(-90 ${num(x)} ${num(y)})"` : '';
  return `<text x="${num(x)}" y="${num(y)}" font-size="${o.size ?? 12}" text-anchor="${o.anchor ?? 'start'}"${o.weight ? ` font-weight="${o.weight}"` : ''}${rot}>${esc(s)}</text>`;
}

/** Width of a label in px, estimated from DejaVu Sans' average advance (about 0.6 em). */
const textWidth = (s: string, size = 12) => [...s].length * 0.6 * size;

function svg(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" fill="${INK}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** Axes frame with ticks and labels; x and y map data to pixels. */
function axesFrame(
  box: { x: number; y: number; w: number; h: number },
  xt: { at: number[]; labels: string[] },
  yt: { at: number[]; labels: string[] },
  grid: boolean,
): string[] {
  const out: string[] = [];
  const bottom = box.y + box.h;
  xt.at.forEach((px, i) => {
    if (grid)
      out.push(
        `<line x1="${num(px)}" y1="${num(box.y)}" x2="${num(px)}" y2="${num(bottom)}" stroke="${GRID}"/>`,
      );
    out.push(
      `<line x1="${num(px)}" y1="${num(bottom)}" x2="${num(px)}" y2="${num(bottom + 5)}" stroke="${INK}"/>`,
    );
    out.push(text(px, bottom + 19, xt.labels[i], { anchor: 'middle' }));
  });
  yt.at.forEach((py, i) => {
    if (grid)
      out.push(
        `<line x1="${num(box.x)}" y1="${num(py)}" x2="${num(box.x + box.w)}" y2="${num(py)}" stroke="${GRID}"/>`,
      );
    out.push(
      `<line x1="${num(box.x - 5)}" y1="${num(py)}" x2="${num(box.x)}" y2="${num(py)}" stroke="${INK}"/>`,
    );
    out.push(text(box.x - 8, py + 4, yt.labels[i], { anchor: 'end' }));
  });
  out.push(
    `<rect x="${num(box.x)}" y="${num(box.y)}" width="${num(box.w)}" height="${num(box.h)}" fill="none" stroke="${INK}"/>`,
  );
  return out;
}

/** One curve of a line figure. */
export interface LineSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  label: string;
  /** CSS colour (default: the tab10 cycle). */
  color?: string;
  dashed?: boolean;
}

/** Options of a line figure. */
export interface LineOptions {
  title?: string;
  xlabel: string;
  ylabel: string;
  yscale?: 'linear' | 'log';
  /** A fixed y range (default: the data's, padded by 5 %). */
  ylim?: readonly [number, number];
  width?: number;
  height?: number;
}

/** Line plot: several series, nice ticks, axis labels, a legend that covers no data. */
export function lineFigure(series: LineSeries[], o: LineOptions): string {
  const log = o.yscale === 'log';
  const ty = (v: number) => (log ? (v > 0 ? Math.log10(v) : NaN) : v);
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const s of series)
    for (let i = 0; i < s.x.length; i++) {
      const y = ty(s.y[i]);
      if (!Number.isFinite(y) || !Number.isFinite(s.x[i])) continue;
      x0 = Math.min(x0, s.x[i]);
      x1 = Math.max(x1, s.x[i]);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  if (o.ylim) [y0, y1] = o.ylim.map(ty);
  [x0, x1] = displayRange(x0, x1);
  [y0, y1] = displayRange(y0, y1);
  const pad = 0.05 * (y1 / 2 - y0 / 2);
  if (Number.isFinite(y0 - pad) && Number.isFinite(y1 + pad)) [y0, y1] = [y0 - pad, y1 + pad];
  const W = o.width ?? 640,
    H = o.height ?? 420;
  const legendW = Math.max(...series.map((s) => textWidth(s.label))) + 40,
    legendH = 8 + 18 * series.length;
  // Ticks and labels first: the left margin fits the widest y label.
  const yTicks = log ? logTicks(Math.pow(10, y0), Math.pow(10, y1)) : niceTicks(y0, y1);
  const yLabels = log ? logLabels(yTicks) : tickLabels(yTicks);
  const left = 30 + Math.max(30, ...yLabels.map((l) => textWidth(l))),
    top = o.title ? 44 : 16,
    bottom = 56;
  let right = 20;
  const box = () => ({ x: left, y: top, w: W - left - right, h: H - top - bottom });
  let b = box();
  const X = (x: number) => b.x + unit(x, x0, x1) * b.w,
    Y = (y: number) => b.y + b.h - unit(y, y0, y1) * b.h;
  // The legend: the corner of the axes with no data under it, else outside on the right.
  const corners = (['ne', 'nw', 'se', 'sw'] as const).map((c) => {
    const lx = c.endsWith('e') ? b.x + b.w - legendW - 8 : b.x + 8,
      ly = c.startsWith('n') ? b.y + 8 : b.y + b.h - legendH - 8;
    // Points along every drawn segment, a few pixels apart (a line crossing the box counts, not just its vertices).
    let hits = 0;
    const inside = (px: number, py: number) =>
      px >= lx - 4 && px <= lx + legendW + 4 && py >= ly - 4 && py <= ly + legendH + 4;
    for (const s of series) {
      const stride = Math.max(1, Math.floor(s.x.length / 2000));
      let prev: [number, number] | null = null;
      for (let i = 0; i < s.x.length && hits === 0; i += stride) {
        const p: [number, number] = [X(s.x[i]), Y(ty(s.y[i]))];
        if (!p.every(Number.isFinite)) {
          prev = null;
          continue;
        }
        const q = prev ?? p,
          n = Math.min(200, Math.ceil(Math.hypot(p[0] - q[0], p[1] - q[1]) / 3));
        for (let k = 0; k <= n; k++)
          if (inside(q[0] + ((p[0] - q[0]) * k) / (n || 1), q[1] + ((p[1] - q[1]) * k) / (n || 1))) hits++;
        prev = p;
      }
    }
    return { c, lx, ly, hits };
  });
  let legend = corners.find((c) => c.hits === 0);
  if (!legend) {
    right = legendW + 28;
    b = box();
    legend = { c: 'ne', lx: b.x + b.w + 12, ly: b.y, hits: 0 };
  }
  const body: string[] = [];
  if (o.title) body.push(text(W / 2, 28, o.title, { size: 16, anchor: 'middle' }));
  const xTicks = niceTicks(x0, x1);
  body.push(
    ...axesFrame(
      b,
      { at: xTicks.map(X), labels: tickLabels(xTicks) },
      { at: yTicks.map((t) => Y(ty(t))), labels: yLabels },
      true,
    ),
  );
  body.push(text(b.x + b.w / 2, H - 14, o.xlabel, { size: 14, anchor: 'middle' }));
  body.push(text(18, b.y + b.h / 2, o.ylabel, { size: 14, anchor: 'middle', rotate: true }));
  body.push(
    `<clipPath id="plot"><rect x="${num(b.x)}" y="${num(b.y)}" width="${num(b.w)}" height="${num(b.h)}"/></clipPath>`,
  );
  series.forEach((s, k) => {
    const colour = s.color ?? CYCLE[k % CYCLE.length];
    // Bounded output whatever the data: at most ~4 points per horizontal pixel.
    const stride = Math.max(1, Math.floor(s.x.length / (4 * b.w)));
    let d = '',
      pen = false;
    for (let i = 0; i < s.x.length; i += stride) {
      const y = ty(s.y[i]);
      if (!Number.isFinite(y) || !Number.isFinite(s.x[i])) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${num(X(s.x[i]))} ${num(Y(y))}`;
      pen = true;
    }
    body.push(
      `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="6 4"' : ''} clip-path="url(#plot)"/>`,
    );
  });
  if (series.length > 1 || legend.lx > b.x + b.w) {
    body.push(
      `<rect x="${num(legend.lx)}" y="${num(legend.ly)}" width="${num(legendW)}" height="${num(legendH)}" fill="#fff" fill-opacity="0.9" stroke="#ccc" rx="3"/>`,
    );
    series.forEach((s, k) => {
      const y = legend!.ly + 17 + 18 * k;
      body.push(
        `<line x1="${num(legend!.lx + 8)}" y1="${num(y - 4)}" x2="${num(legend!.lx + 30)}" y2="${num(y - 4)}" stroke="${s.color ?? CYCLE[k % CYCLE.length]}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
        text(legend!.lx + 36, y, s.label),
      );
    });
  }
  return svg(W, H, body);
}

/** Options of a field figure. */
export interface FieldOptions {
  title?: string;
  /** Colour-bar label, e.g. "ρ". */
  label: string;
  scale?: ColourScale;
  /** Box lengths (axis extents from 0). */
  lengths: readonly number[];
  xlabel?: string;
  ylabel?: string;
  /** PNG compression of the embedded image (Node: zlib's deflateSync); default stored. */
  deflate?: Deflate;
  /** A fixed colour range [lo, hi] (default: the field's own); movies keep one for every frame. */
  range?: readonly [number, number];
}

/** The pixels of a field (x fastest, y up) under a colour scale, as a PNG data URI. */
function image(field: ArrayLike<number>, nx: number, ny: number, n: Norm, deflate?: Deflate): string {
  const rgba = new Uint8Array(4 * nx * ny);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const c = viridis(n.at(field[j * nx + i])),
        o = 4 * ((ny - 1 - j) * nx + i);
      rgba.set([c[0], c[1], c[2], 255], o);
    }
  const png = encodePng(rgba, nx, ny, deflate);
  let bin = '';
  for (let i = 0; i < png.length; i += 0x8000) bin += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(bin)}`;
}

/** One heatmap panel with its ticks and axis labels; returns its SVG pieces. */
function panel(
  field: ArrayLike<number>,
  nx: number,
  ny: number,
  extent: readonly [number, number],
  box: { x: number; y: number; w: number; h: number },
  n: Norm,
  labels: { x: string; y: string; title: string },
  deflate?: Deflate,
): string[] {
  const xt = niceTicks(0, extent[0], 4),
    yt = niceTicks(0, extent[1], 4);
  return [
    `<image x="${num(box.x)}" y="${num(box.y)}" width="${num(box.w)}" height="${num(box.h)}" preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="${image(field, nx, ny, n, deflate)}"/>`,
    ...axesFrame(
      box,
      { at: xt.map((t) => box.x + (t / extent[0]) * box.w), labels: tickLabels(xt) },
      { at: yt.map((t) => box.y + box.h - (t / extent[1]) * box.h), labels: tickLabels(yt) },
      false,
    ),
    text(box.x + box.w / 2, box.y + box.h + 38, labels.x, { size: 13, anchor: 'middle' }),
    text(box.x - 40, box.y + box.h / 2, labels.y, { size: 13, anchor: 'middle', rotate: true }),
    ...(labels.title
      ? [text(box.x + box.w / 2, box.y - 8, labels.title, { size: 13, anchor: 'middle' })]
      : []),
  ];
}

/** A vertical colour bar with ticks and its label. */
function colourBar(box: { x: number; y: number; w: number; h: number }, n: Norm, label: string): string[] {
  const out: string[] = [];
  const steps = 64;
  for (let k = 0; k < steps; k++) {
    const [r, g, b] = viridis((k + 0.5) / steps);
    out.push(
      `<rect x="${num(box.x)}" y="${num(box.y + box.h - ((k + 1) * box.h) / steps)}" width="${num(box.w)}" height="${num(box.h / steps + 0.5)}" fill="rgb(${r},${g},${b})"/>`,
    );
  }
  out.push(
    `<rect x="${num(box.x)}" y="${num(box.y)}" width="${num(box.w)}" height="${num(box.h)}" fill="none" stroke="${INK}"/>`,
  );
  n.ticks.forEach((t, i) => {
    const u = n.at(t);
    if (!(u >= -1e-9 && u <= 1 + 1e-9)) return;
    const y = box.y + box.h - u * box.h;
    out.push(
      `<line x1="${num(box.x + box.w)}" y1="${num(y)}" x2="${num(box.x + box.w + 5)}" y2="${num(y)}" stroke="${INK}"/>`,
    );
    out.push(text(box.x + box.w + 8, y + 4, n.labels[i]));
  });
  const width = Math.max(...n.labels.map((l) => textWidth(l)), 10);
  out.push(
    text(box.x + box.w + 20 + width, box.y + box.h / 2, label, { size: 14, anchor: 'middle', rotate: true }),
  );
  return out;
}

/** A 2-D field (x fastest, y up) as a heatmap with axes and a labelled colour bar. */
export function heatmapFigure(field: ArrayLike<number>, nx: number, ny: number, o: FieldOptions): string {
  const n = norm(field, o.scale ?? 'linear', o.range);
  const [Lx, Ly] = [o.lengths[0] ?? nx, o.lengths[1] ?? ny];
  const side = 400,
    w = Lx >= Ly ? side : Math.max(80, (side * Lx) / Ly),
    h = Ly >= Lx ? side : Math.max(80, (side * Ly) / Lx);
  const box = { x: 80, y: o.title ? 50 : 20, w, h };
  const body: string[] = [];
  if (o.title) body.push(text(box.x + w / 2 + 40, 28, o.title, { size: 16, anchor: 'middle' }));
  body.push(
    ...panel(
      field,
      nx,
      ny,
      [Lx, Ly],
      box,
      n,
      { x: o.xlabel ?? 'x', y: o.ylabel ?? 'y', title: '' },
      o.deflate,
    ),
  );
  body.push(...colourBar({ x: box.x + w + 24, y: box.y, w: 18, h }, n, o.label));
  return svg(Math.round(box.x + w + 140), Math.round(box.y + h + 60), body);
}

/**
 * A 3-D field (x fastest, then y, then z) as the mid slices z = Lz/2 (x–y), y = Ly/2 (x–z),
 * x = Lx/2 (y–z) and the maximum-intensity projection along z, on one colour scale.
 */
export function volumeFigure(field: ArrayLike<number>, shape: readonly number[], o: FieldOptions): string {
  const [nx, ny, nz] = shape,
    [Lx, Ly, Lz] = o.lengths;
  const at = (i: number, j: number, k: number) => field[(k * ny + j) * nx + i];
  const xy = new Float64Array(nx * ny),
    xz = new Float64Array(nx * nz),
    yz = new Float64Array(ny * nz),
    mip = new Float64Array(nx * ny).fill(-Infinity);
  const [ix, iy, iz] = [nx >> 1, ny >> 1, nz >> 1];
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const v = at(i, j, k);
        if (k === iz) xy[j * nx + i] = v;
        if (j === iy) xz[k * nx + i] = v;
        if (i === ix) yz[k * ny + j] = v;
        if (v > mip[j * nx + i] || !Number.isFinite(mip[j * nx + i])) mip[j * nx + i] = v;
      }
  const n = norm(field, o.scale ?? 'linear', o.range);
  const size = 230,
    fit = (a: number, b: number) => (a >= b ? [size, (size * b) / a] : [(size * a) / b, size]);
  const cells: [Float64Array, number, number, [number, number], string, string, string][] = [
    [xy, nx, ny, [Lx, Ly], 'x', 'y', `slice z = ${(((iz + 0.5) * Lz) / nz).toPrecision(3)}`],
    [xz, nx, nz, [Lx, Lz], 'x', 'z', `slice y = ${(((iy + 0.5) * Ly) / ny).toPrecision(3)}`],
    [yz, ny, nz, [Ly, Lz], 'y', 'z', `slice x = ${(((ix + 0.5) * Lx) / nx).toPrecision(3)}`],
    [mip, nx, ny, [Lx, Ly], 'x', 'y', 'maximum over z'],
  ];
  const top = o.title ? 60 : 30,
    body: string[] = [];
  if (o.title) body.push(text(300, 28, o.title, { size: 16, anchor: 'middle' }));
  cells.forEach(([f, a, b, ext, xl, yl, title], c) => {
    const [w, h] = fit(ext[0], ext[1]);
    const box = { x: 80 + (c % 2) * (size + 90), y: top + Math.floor(c / 2) * (size + 80), w, h };
    body.push(...panel(f, a, b, ext, box, n, { x: xl, y: yl, title }, o.deflate));
  });
  const barX = 80 + 2 * size + 90 + 10;
  body.push(...colourBar({ x: barX, y: top, w: 18, h: 2 * size + 80 }, n, o.label));
  return svg(barX + 120, top + 2 * (size + 80) + 10, body);
}

/**
 * Fields side by side on one colour scale (2-D: the fields; 3-D: their mid slices z = Lz/2), each
 * panel titled: e.g. a kinetic density next to its macroscopic limit.
 */
export function comparisonFigure(
  panels: readonly { field: ArrayLike<number>; title: string }[],
  shape: readonly number[],
  o: FieldOptions,
): string {
  const [nx, ny, nz = 1] = shape;
  const slice = (f: ArrayLike<number>) => {
    if (shape.length < 3) return f;
    const k = nz >> 1;
    return Float64Array.from({ length: nx * ny }, (_, i) => f[k * nx * ny + i]);
  };
  const slices = panels.map((p) => slice(p.field));
  const all = new Float64Array(slices.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of slices) {
    all.set(Array.from(f), at);
    at += f.length;
  }
  const n = norm(all, o.scale ?? 'linear', o.range);
  const [Lx, Ly] = [o.lengths[0] ?? nx, o.lengths[1] ?? ny];
  const size = 300,
    w = Lx >= Ly ? size : Math.max(80, (size * Lx) / Ly),
    h = Ly >= Lx ? size : Math.max(80, (size * Ly) / Lx);
  const top = o.title ? 70 : 40,
    body: string[] = [];
  if (o.title)
    body.push(text(80 + (panels.length * (w + 90)) / 2, 28, o.title, { size: 16, anchor: 'middle' }));
  const where =
    shape.length === 3 ? ` (z = ${((((nz >> 1) + 0.5) * (o.lengths[2] ?? nz)) / nz).toPrecision(3)})` : '';
  slices.forEach((f, c) => {
    const box = { x: 80 + c * (w + 90), y: top, w, h };
    body.push(
      ...panel(
        f,
        nx,
        ny,
        [Lx, Ly],
        box,
        n,
        { x: o.xlabel ?? 'x', y: o.ylabel ?? 'y', title: panels[c].title + where },
        o.deflate,
      ),
    );
  });
  const barX = 80 + panels.length * (w + 90) - 60;
  body.push(...colourBar({ x: barX, y: top, w: 18, h }, n, o.label));
  return svg(barX + 120, top + h + 60, body);
}

/** A field of any dimension: a line plot (1-D), a heatmap (2-D) or slices and a projection (3-D). */
export function fieldFigure(
  field: ArrayLike<number>,
  shape: readonly number[],
  coordinates: ArrayLike<number>,
  o: FieldOptions,
): string {
  if (shape.length === 1)
    return lineFigure([{ x: coordinates, y: field, label: o.label }], {
      title: o.title,
      xlabel: o.xlabel ?? 'x',
      ylabel: o.label,
      yscale: o.scale === 'log' ? 'log' : 'linear',
      ylim: o.range,
    });
  if (shape.length === 2) return heatmapFigure(field, shape[0], shape[1], o);
  return volumeFigure(field, shape, o);
}

/** Colours of run statuses in phase diagrams (a fixed key, so figures of different sweeps compare). */
export const STATUS_COLOURS: Record<string, string> = {
  done: '#4c9be8',
  'blow-up': '#d62728',
  'under-resolved': '#ff7f0e',
  unstable: '#9467bd',
  'step-too-small': '#8c564b',
  error: '#7f7f7f',
  missing: '#ffffff',
};

export interface PhaseOptions {
  title?: string;
  xlabel: string;
  ylabel: string;
  /** Label of a numeric quantity's colour bar (ignored for categories). */
  label?: string;
}

/**
 * A phase diagram: one cell per (x, y) point of a two-axis sweep, coloured by a category (a run's
 * status, with a legend) or by a number (with a colour bar); axes labelled with the swept values.
 */
export function phaseFigure(
  xs: readonly (number | string | boolean)[],
  ys: readonly (number | string | boolean)[],
  cell: (i: number, j: number) => string | number | null,
  o: PhaseOptions,
): string {
  const nx = xs.length,
    ny = ys.length;
  const values: (string | number | null)[] = [];
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) values.push(cell(i, j));
  const numeric = values.every((v) => v === null || typeof v === 'number');
  const cw = Math.max(14, Math.min(60, 420 / nx)),
    ch = Math.max(14, Math.min(60, 360 / ny));
  const box = { x: 90, y: o.title ? 50 : 20, w: cw * nx, h: ch * ny };
  const body: string[] = [];
  if (o.title) body.push(text(box.x + box.w / 2, 28, o.title, { size: 16, anchor: 'middle' }));
  const n = numeric
    ? norm(
        values.map((v) => (v === null ? NaN : (v as number))),
        'linear',
      )
    : null;
  values.forEach((v, k) => {
    const i = k % nx,
      j = Math.floor(k / nx);
    let fill = STATUS_COLOURS.missing;
    if (n && typeof v === 'number') fill = `rgb(${viridis(n.at(v)).join(',')})`;
    else if (typeof v === 'string') fill = STATUS_COLOURS[v] ?? '#bcbd22';
    body.push(
      `<rect x="${num(box.x + i * cw)}" y="${num(box.y + box.h - (j + 1) * ch)}" width="${num(cw)}" height="${num(ch)}" fill="${fill}" stroke="#fff" stroke-width="0.5"/>`,
    );
  });
  const label = (v: number | string | boolean) =>
    typeof v === 'number' ? String(Number(v.toPrecision(3))) : String(v);
  const every = (m: number) => Math.max(1, Math.ceil(m / 10));
  body.push(
    ...axesFrame(
      box,
      {
        at: xs.map((_, i) => box.x + (i + 0.5) * cw).filter((_, i) => i % every(nx) === 0),
        labels: xs.map(label).filter((_, i) => i % every(nx) === 0),
      },
      {
        at: ys.map((_, j) => box.y + box.h - (j + 0.5) * ch).filter((_, j) => j % every(ny) === 0),
        labels: ys.map(label).filter((_, j) => j % every(ny) === 0),
      },
      false,
    ),
  );
  body.push(text(box.x + box.w / 2, box.y + box.h + 42, o.xlabel, { size: 14, anchor: 'middle' }));
  body.push(text(24, box.y + box.h / 2, o.ylabel, { size: 14, anchor: 'middle', rotate: true }));
  let width = box.x + box.w + 40;
  if (n) {
    body.push(...colourBar({ x: box.x + box.w + 24, y: box.y, w: 18, h: box.h }, n, o.label ?? ''));
    width += 120;
  } else {
    const cats = [...new Set(values.map((v) => (v === null ? 'missing' : String(v))))];
    cats.forEach((c, k) => {
      const y = box.y + 10 + 22 * k;
      body.push(
        `<rect x="${num(box.x + box.w + 20)}" y="${num(y)}" width="14" height="14" fill="${STATUS_COLOURS[c] ?? '#bcbd22'}" stroke="#999"/>`,
        text(box.x + box.w + 40, y + 12, c),
      );
    });
    width += 40 + Math.max(...cats.map((c) => textWidth(c)));
  }
  return svg(Math.round(width), Math.round(box.y + box.h + 60), body);
}
