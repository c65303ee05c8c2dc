// A sweep's folder: sweep.json (the sweep as run, its base scenario inlined), points/NNNNN.json (one
// result per point, written atomically: complete or absent), and the merged results. A point counts
// as done only when its file holds the digest of the scenario it should have run.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendChoice } from '../backend/index.js';
import { ValidationError } from '../errors.js';
import { digest } from '../io/identity.js';
import { nodeFiles, writeAtomic } from '../run/outputs.js';
import type { PointResult } from './point.js';
import type { Quantity, SweepPoint, SweepSpec } from './spec.js';

/** What a worker is given for one point. */
export interface PointTask {
  dir: string;
  backend: BackendChoice;
  point: Omit<SweepPoint, 'scenario'> & { scenario: SweepPoint['scenario'] };
  record?: Quantity[];
}

export const SWEEP_FILE = 'sweep.json';
const pointFile = (dir: string, index: number) =>
  join(dir, 'points', `${String(index).padStart(5, '0')}.json`);

/**
 * Makes `dir` the folder of this sweep: writes sweep.json, or checks that the one there is the same
 * sweep (a folder never mixes the points of two sweeps).
 */
export function bindSweepFolder(dir: string, spec: SweepSpec): void {
  mkdirSync(join(dir, 'points'), { recursive: true });
  const path = join(dir, SWEEP_FILE);
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, 'utf8')) as SweepSpec;
    if (digest(old) !== digest(spec))
      throw new ValidationError(
        '--out',
        dir,
        'a folder without another sweep (it holds a different sweep.json: use another --out)',
      );
    return;
  }
  writeAtomic(nodeFiles, path, JSON.stringify(spec, null, 2));
}

export function writePointResult(dir: string, r: PointResult): void {
  writeAtomic(nodeFiles, pointFile(dir, r.index), JSON.stringify(r));
}

/** The result of a point if it is done for exactly this scenario (digest checked), else null. */
export function readPointResult(dir: string, point: SweepPoint): PointResult | null {
  const path = pointFile(dir, point.index);
  if (!existsSync(path)) return null;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as PointResult;
    return r.digest === point.digest && r.index === point.index ? r : null;
  } catch {
    return null; // unreadable: run it again
  }
}
