// fractaxis public API.
export { createBackend, wasmSimdSupported, Backend, Field } from './backend/index.js';
export type { BackendKind, BackendChoice, Shape3, SpectralAxes } from './backend/index.js';
export { Grid, type GridOptions } from './grid.js';
export { ValidationError, NumericalError } from './errors.js';
export { KellerSegel, resolveKellerSegel } from './models/keller-segel.js';
export type {
  KellerSegelOptions, KellerSegelCheckpoint, Chemical, Sensitivity, Growth, Flux,
  Diagnostics, Observer, SolveOptions, SolveResult,
} from './models/keller-segel.js';
export type { InitialData, Profile } from './models/initial.js';
export { EtdStepper, SCHEME_ORDER, type Scheme, type StiffProblem } from './integrate/etd.js';
export type { RunOptions, RunOutcome, RunStatus, AdaptiveOptions } from './integrate/run.js';
export { phis } from './integrate/phi.js';
