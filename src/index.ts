// fractaxis public API: models, laws, grids, backends, steppers, studies, errors. Internals
// (φ-functions, Γ, option resolution) stay off it.
export {
  createBackend,
  wasmSimdSupported,
  Backend,
  Field,
  type ScopedBackend,
  type WasmOptions,
} from './backend/index.js';
export type {
  BackendKind,
  BackendChoice,
  Shape3,
  SpectralAxes,
  VelocitySet,
  VelocitySource,
} from './backend/index.js';
export { Grid, type GridOptions } from './grid.js';
export type {
  Model,
  ModelObserver,
  ModelResult,
  ModelSolveOptions,
  StateCheckpoint,
  StepDiagnostics,
} from './models/model.js';
export { ValidationError, NumericalError, MemoryLimitError } from './errors.js';
export { encodeCheckpoint, decodeCheckpoint, checkpointToJSON, checkpointFromJSON } from './io/checkpoint.js';
export { encodeNpy, decodeNpy } from './io/npy.js';
export {
  lineFigure,
  heatmapFigure,
  volumeFigure,
  fieldFigure,
  type LineSeries,
  type LineOptions,
  type FieldOptions,
  type ColourScale,
} from './io/figure.js';
export { KellerSegel, DISCRETISATIONS } from './models/keller-segel/model.js';
export { turningKernel, type Growth, type Flux } from './laws.js';
export type {
  ResolvedKellerSegel,
  KellerSegelOptions,
  KellerSegelCheckpoint,
  Chemical,
  Sensitivity,
  Discretisation,
  Diagnostics,
  Observer,
  SolveOptions,
  SolveResult,
} from './models/keller-segel/model.js';
export type { InitialData, Profile } from './models/initial.js';
export { EtdStepper, SCHEME_ORDER, type Scheme, type StiffProblem } from './integrate/etd.js';
export type {
  ClockState,
  Pause,
  RunOptions,
  RunOutcome,
  RunStatus,
  AdaptiveOptions,
  ResolutionOptions,
  Stepper,
} from './integrate/run.js';
export { StrangStepper, type SplitProblem } from './integrate/strang.js';
export {
  VelocityGrid,
  smoothEquilibriumConstant,
  type VelocityGridOptions,
  type Equilibrium,
} from './velocity.js';
export {
  fractionalIntegral,
  fractionalDiffusion,
  generalisedOrder,
  generalisedDiffusion,
  sensitivityFromKernel,
  sensitivityFromSeparable,
  growthFromKernel,
  equilibriumSquare,
  type TurningKernel,
  type SeparableKernel,
} from './coefficients.js';
export { Kinetic, kineticScale } from './models/kinetic/model.js';
export type {
  ResolvedKinetic,
  KineticOptions,
  KineticDiagnostics,
  KineticCheckpoint,
  KineticSolveOptions,
  KineticResult,
  Collision,
} from './models/kinetic/model.js';
export {
  limitStudy,
  limitStudyScenario,
  type LimitStudyOptions,
  type LimitStudyRow,
} from './studies/limit.js';
export {
  blowUpStudy,
  type BlowUpStudyOptions,
  type BlowUpStudyResult,
  type BlowUpGridRow,
  type BlowUpLevel,
} from './studies/blow-up.js';
