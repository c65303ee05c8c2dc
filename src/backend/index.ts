import { ValidationError } from '../errors.js';
import type { Backend, BackendChoice } from './backend.js';
import { createJsBackend } from './js.js';
import { createWasmBackend, kernelModule, wasmSimdSupported } from './wasm.js';

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
export { wasmSimdSupported, kernelModule };

/**
 * A backend: 'wasm' (SIMD kernels; refused with a clear error where SIMD is missing), 'js'
 * (pure TypeScript + fft.js), or 'auto' (wasm when the runtime supports WASM SIMD, else js).
 */
export async function createBackend(choice: BackendChoice = 'auto'): Promise<Backend> {
  if (choice === 'js') return createJsBackend();
  if (choice === 'wasm') return createWasmBackend();
  if (choice === 'auto') return wasmSimdSupported() ? createWasmBackend() : createJsBackend();
  throw new ValidationError('backend', choice, "'auto', 'wasm' or 'js'");
}
