// fractaxis/node: what the command line does, as a library (Node only: it writes files). The CLI
// is a thin shell over runScenario; a notebook or script can run a scenario the same way, add its
// own outputs as observers, and save or load a model's checkpoint as a file.
import { readFileSync } from 'node:fs';
import { decodeCheckpoint, encodeCheckpoint } from './io/checkpoint.js';
import { nodeFiles, writeAtomic } from './run/outputs.js';
import type { Model, StateCheckpoint } from './models/model.js';

export { runScenario, type RunnerOptions, type RunSummary, type Progress } from './run/runner.js';
export { landingTimes, type RunObserver, type RunnerStatus } from './run/observer.js';
export type { Series } from './run/series.js';
export type { SnapshotRecord } from './run/snapshots.js';
export { OutputError } from './run/outputs.js';
export { runBlowUpStudy, type BlowUpCommandOptions } from './run/blow-up.js';
export {
  validateScenario,
  buildModel,
  ScenarioError,
  type Scenario,
  type Issue,
  type KellerSegelSpec,
  type KineticSpec,
  type RunSpec,
} from './scenario/validate.js';
export { builtinScenarios } from './scenario/builtin.js';
export {
  sweep,
  runSweep,
  planSweep,
  shardIndices,
  type SweepOptions,
  type SweepRun,
  type PlanOptions,
} from './sweep/sweep.js';
export { collectSweep, sweepTable, type SweepTable } from './sweep/collect.js';
export {
  expandSweep,
  axisValues,
  sweepSchema,
  QUANTITIES,
  DEFAULT_RECORD,
  type SweepSpec,
  type SweepAxis,
  type SweepValues,
  type SweepPoint,
  type Quantity,
} from './sweep/spec.js';
export { runPoint, type PointResult } from './sweep/point.js';
export { scenarioSchema } from './scenario/schema.js';

/** Writes a model's checkpoint to `path` (the FXCK format: CRC-checked, bitwise; written atomically). */
export function saveCheckpoint(path: string, model: Model): void {
  writeAtomic(nodeFiles, path, encodeCheckpoint(model.checkpoint()));
}

/** Reads a checkpoint written by saveCheckpoint; give it to `model.restore()` of a model built with the same options. */
export function loadCheckpoint<C extends StateCheckpoint = StateCheckpoint>(path: string): C {
  return decodeCheckpoint<C>(new Uint8Array(readFileSync(path)), path);
}
