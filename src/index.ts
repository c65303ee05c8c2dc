// fractaxis public API.
export { createBackend, wasmSimdSupported, Backend, Field } from './backend/index.js';
export type { BackendKind, BackendChoice, Shape3, SpectralAxes } from './backend/index.js';
export { Grid, type GridOptions } from './grid.js';
export { ValidationError, NumericalError } from './errors.js';
