// The blow-up study: one Keller–Segel scenario on a sequence of grids. Per grid it records when
// max ρ first crosses each of a set of levels; per level it extrapolates the crossing time to
// h → 0 (Richardson, with the observed order); the blow-up time is estimated from the highest
// level that every grid reached. A crossing time that does not converge is reported as such.
import type { Backend } from '../backend/index.js';
import { ValidationError, checkNumber } from '../errors.js';
import { KellerSegel, type KellerSegelOptions } from '../models/keller-segel/model.js';
import type { RunStatus } from '../integrate/run.js';

/** What blowUpStudy takes. */
export interface BlowUpStudyOptions {
  /** The model; grid.n is replaced by each refinement (every axis gets n points), grid.L is kept. */
  model: KellerSegelOptions;
  /** Points per axis, increasing powers of two, each twice the previous (e.g. [64, 128, 256]). */
  grids: readonly number[];
  /** Increasing levels of max ρ whose crossing times are recorded. */
  levels: readonly number[];
  tEnd: number;
  /** Time step on the coarsest grid; finer grids use dt · n0/n (dt ∝ h, so space and time refine together). */
  dt: number;
  signal?: AbortSignal;
  /** Called after each grid's run (progress). */
  onGrid?: (row: BlowUpGridRow) => void;
}

/** One grid of a blow-up study: how its run ended and when max ρ crossed each level. */
export interface BlowUpGridRow {
  n: number;
  status: RunStatus;
  /** Time reached, and max ρ there. */
  t: number;
  maxRho: number;
  /** First time max ρ crossed each level (interpolated in log max ρ between steps), null if never. */
  crossings: (number | null)[];
  /** Accepted steps and wall time of the run. */
  steps: number;
  seconds: number;
  /** max ρ against t, for figures. */
  history: { t: number[]; maxRho: number[] };
}

/** One level of max ρ: its crossing time on every grid, the observed order and the extrapolation. */
export interface BlowUpLevel {
  level: number;
  /** Crossing times on the grids that reached the level (the finest three are used). */
  times: (number | null)[];
  /** Observed order p from three grids (null with fewer, or when the differences do not shrink). */
  order: number | null;
  /** Richardson extrapolation to h → 0 and its error estimate |t∞ − t_finest|; null if not converging. */
  extrapolated: number | null;
  error: number | null;
}

/** What blowUpStudy returns. */
export interface BlowUpStudyResult {
  rows: BlowUpGridRow[];
  levels: BlowUpLevel[];
  /** From the highest level with an extrapolated crossing time: error adds the Richardson error and the gap to the level below. */
  blowUpTime: { estimate: number; error: number; level: number } | null;
}

/** Runs the study; every grid runs the same model, discretisation and scheme. */
export async function blowUpStudy(backend: Backend, o: BlowUpStudyOptions): Promise<BlowUpStudyResult> {
  if (!Array.isArray(o.grids) || o.grids.length < 2)
    throw new ValidationError('grids', o.grids, 'at least two grid sizes, each twice the previous');
  o.grids.forEach((n, i) => {
    if (i > 0 && n !== 2 * o.grids[i - 1])
      throw new ValidationError(`grids[${i}]`, n, `${2 * o.grids[i - 1]} (twice the previous grid)`);
  });
  if (!Array.isArray(o.levels) || o.levels.length < 1)
    throw new ValidationError('levels', o.levels, 'at least one level of max ρ');
  o.levels.forEach((l, i) =>
    checkNumber(`levels[${i}]`, l, i > 0 ? o.levels[i - 1] : 0, Infinity, { loOpen: true, hiOpen: true }),
  );
  checkNumber('tEnd', o.tEnd, 0, Infinity, { loOpen: true, hiOpen: true });
  checkNumber('dt', o.dt, 0, Infinity, { loOpen: true, hiOpen: true });
  const dim = o.model?.grid?.n?.length ?? 0;
  const rows: BlowUpGridRow[] = [];
  for (const n of o.grids) {
    const row = await runGrid(backend, o, n, dim);
    rows.push(row);
    o.onGrid?.(row);
    if (row.status === 'aborted') break;
  }
  const levels = o.levels.map((level, j) =>
    extrapolate(
      level,
      rows.map((r) => r.crossings[j]),
    ),
  );
  return { rows, levels, blowUpTime: blowUpTime(levels) };
}

async function runGrid(
  backend: Backend,
  o: BlowUpStudyOptions,
  n: number,
  dim: number,
): Promise<BlowUpGridRow> {
  const model = new KellerSegel(backend, { ...o.model, grid: { ...o.model.grid, n: Array(dim).fill(n) } });
  const top = o.levels[o.levels.length - 1];
  const history = { t: [] as number[], maxRho: [] as number[] };
  const started = performance.now();
  try {
    const r = await model.solve({
      tEnd: o.tEnd,
      dt: (o.dt * o.grids[0]) / n,
      maxDensity: top,
      signal: o.signal,
      observers: [
        (d) => {
          history.t.push(d.t);
          history.maxRho.push(d.maxRho);
        },
      ],
    });
    if (r.status === 'blow-up') {
      history.t.push(r.t);
      history.maxRho.push(r.max);
    } // the crossing step itself
    return {
      n,
      status: r.status,
      t: r.t,
      maxRho: r.max,
      crossings: o.levels.map((l) => crossing(history, l)),
      steps: r.steps,
      seconds: (performance.now() - started) / 1000,
      history,
    };
  } finally {
    model.dispose();
  }
}

/** First time the series crosses `level`, interpolated linearly in log max ρ; null if it never does. */
export function crossing(h: { t: number[]; maxRho: number[] }, level: number): number | null {
  for (let i = 1; i < h.t.length; i++) {
    const a = h.maxRho[i - 1],
      b = h.maxRho[i];
    if (a < level && b >= level)
      return h.t[i - 1] + ((h.t[i] - h.t[i - 1]) * Math.log(level / a)) / Math.log(b / a);
  }
  return h.maxRho[0] >= level ? h.t[0] : null;
}

/**
 * Richardson extrapolation of t(h) = t∞ + C h^p from the three finest grids that crossed the level
 * (ratio 2): p = log2((t1 − t2)/(t2 − t3)), t∞ = t3 + (t3 − t2)/(2^p − 1), error |t∞ − t3|. With two
 * grids the design order 2 is assumed (error |t3 − t2|).
 */
export function extrapolate(level: number, times: (number | null)[]): BlowUpLevel {
  const known: number[] = [];
  for (let i = times.length - 1; i >= 0 && times[i] !== null; i--) known.unshift(times[i]!);
  const none = { level, times, order: null, extrapolated: null, error: null };
  if (known.length < 2) return none;
  const [t1, t2, t3] = known.length >= 3 ? known.slice(-3) : [NaN, ...known.slice(-2)];
  if (Number.isNaN(t1)) return { ...none, extrapolated: t3 + (t3 - t2) / 3, error: Math.abs(t3 - t2) };
  const ratio = (t1 - t2) / (t2 - t3);
  if (!(ratio > 1) || !Number.isFinite(ratio)) return { ...none, error: Math.abs(t3 - t2) }; // differences not shrinking
  const extrapolated = t3 + (t3 - t2) / (ratio - 1);
  return { level, times, order: Math.log2(ratio), extrapolated, error: Math.abs(extrapolated - t3) };
}

function blowUpTime(levels: BlowUpLevel[]): BlowUpStudyResult['blowUpTime'] {
  const done = levels.filter((l) => l.extrapolated !== null);
  if (done.length === 0) return null;
  const top = done[done.length - 1],
    below = done.length > 1 ? done[done.length - 2] : null;
  const gap = below ? Math.abs(top.extrapolated! - below.extrapolated!) : 0;
  return { estimate: top.extrapolated!, error: top.error! + gap, level: top.level };
}
