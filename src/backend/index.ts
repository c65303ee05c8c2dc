import { ValidationError } from '../errors.js';
import type { Backend, BackendChoice } from './backend.js';
import { createJsBackend } from './js.js';
import { createWasmBackend, kernelModule, wasmSimdSupported, type WasmOptions } from './wasm.js';

export {
  Backend,
  Field,
  type ScopedBackend,
  type VelocitySet,
  type VelocitySource,
  type BackendKind,
  type BackendChoice,
  type Shape3,
  type SpectralAxes,
} from './backend.js';
export { wasmSimdSupported, kernelModule, type WasmOptions };
export { checkThreadCount } from './threads.js';

/**
 * A backend: 'wasm' (SIMD kernels; refused with a clear error where SIMD is missing), 'js'
 * (pure TypeScript + fft.js), or 'auto' (wasm when the runtime supports WASM SIMD, else js).
 * `threads` applies to wasm (default: the machine's cores where shared memory is available); the
 * js backend always runs on one thread.
 */
export async function createBackend(
  choice: BackendChoice = 'auto',
  options: WasmOptions = {},
): Promise<Backend> {
  if (choice === 'js') return createJsBackend();
  if (choice === 'wasm') return createWasmBackend(options);
  if (choice === 'auto') return wasmSimdSupported() ? createWasmBackend(options) : createJsBackend();
  throw new ValidationError('backend', choice, "'auto', 'wasm' or 'js'");
}
