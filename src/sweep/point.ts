// One point of a sweep: its scenario run in memory (no files), reduced to the recorded quantities.
// Deterministic: the same point gives bitwise the same numbers on any worker, node or machine of
// the same build (the wall time is kept apart and never compared).
import type { Backend } from '../backend/index.js';
import type { StepDiagnostics } from '../models/model.js';
import { buildModel, solveOptions, type Scenario } from '../scenario/validate.js';
import { KellerSegel } from '../models/keller-segel/model.js';
import { Kinetic } from '../models/kinetic/model.js';
import { DEFAULT_RECORD, type Quantity } from './spec.js';

/** A point's record: its index, the digest of its scenario, the axis values and the quantities. */
export interface PointResult {
  index: number;
  digest: string;
  values: Record<string, number | string | boolean>;
  quantities: Partial<Record<Quantity, number | string | null>>;
  /** Why the run stopped early, if it did (from the model's outcome). */
  reason?: string;
  /** Seconds of computation (not part of the results' comparison). */
  seconds: number;
}

/** A point whose run threw (a user function returning NaN, a refused option): recorded, not fatal. */
export function failedPoint(
  point: { index: number; digest: string; values: PointResult['values'] },
  e: unknown,
): PointResult {
  return {
    index: point.index,
    digest: point.digest,
    values: point.values,
    quantities: { status: 'error' },
    reason: e instanceof Error ? e.message : String(e),
    seconds: 0,
  };
}

/** Runs a point's scenario to its tEnd and returns the quantities asked for (all by default). */
export async function runPoint(
  backend: Backend,
  point: { index: number; digest: string; values: PointResult['values']; scenario: Scenario },
  record: readonly Quantity[] = DEFAULT_RECORD,
  signal?: AbortSignal,
): Promise<PointResult> {
  const t0 = performance.now();
  const s = point.scenario,
    model = buildModel(backend, s);
  try {
    let first: StepDiagnostics | null = null,
      last: StepDiagnostics | null = null,
      peak = -Infinity;
    // maxDensity unset: the model's own default (1e3 × the initial max ρ).
    const r = await model.solve({
      ...solveOptions(s),
      tEnd: s.run.tEnd,
      maxDensity: s.run.maxDensity,
      signal,
      observers: [
        (d: StepDiagnostics) => {
          first ??= d;
          last = d;
          peak = Math.max(peak, d.maxRho);
        },
      ],
    });
    const f = first as StepDiagnostics | null,
      l = last as StepDiagnostics | null;
    const all: Record<Quantity, number | string | null> = {
      status: r.status,
      t: r.t,
      steps: r.steps,
      blowUpTime: r.status === 'blow-up' ? r.t : null,
      finalMaxRho: l?.maxRho ?? null,
      peakMaxRho: Number.isFinite(peak) ? peak : null,
      finalMinRho: l?.minRho ?? null,
      massDrift: f && l && f.mass !== 0 ? Math.abs(l.mass - f.mass) / Math.abs(f.mass) : null,
      energy: l?.energy ?? null,
      limitRelL1:
        record.includes('limitRelL1') && model instanceof Kinetic && r.status === 'done'
          ? await limitDistance(backend, model, s.run.tEnd, s.run.dt, signal)
          : null,
    };
    const quantities: PointResult['quantities'] = {};
    for (const q of record) quantities[q] = all[q];
    return {
      index: point.index,
      digest: point.digest,
      values: point.values,
      quantities,
      reason: r.reason,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    model.dispose();
  }
}

/**
 * ‖ρ_ε − ρ‖_L1 / ‖ρ‖_L1 at tEnd, ρ the macroscopic limit (Kinetic.limit()) run with dt/4 as in
 * limitStudy; null when that reference does not reach tEnd (no error can be measured against it).
 */
async function limitDistance(
  backend: Backend,
  kinetic: Kinetic,
  tEnd: number,
  dt: number,
  signal?: AbortSignal,
): Promise<number | null> {
  const macro = new KellerSegel(backend, kinetic.limit());
  try {
    const r = await macro.solve({ tEnd, dt: dt / 4, maxDensity: Infinity, signal });
    if (r.status !== 'done') return null;
    // The same arithmetic as limitStudy, so both report the same numbers.
    const ref = macro.density(),
      rho = kinetic.density(),
      h = kinetic.grid.cellVolume;
    const norm = ref.reduce((s, v) => s + Math.abs(v), 0) * h;
    let l1 = 0;
    for (let i = 0; i < rho.length; i++) l1 += Math.abs(rho[i] - ref[i]);
    return (l1 * h) / norm;
  } finally {
    macro.dispose();
  }
}
