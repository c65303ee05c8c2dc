// NPY (numpy's .npy, format 1.0): little-endian float64, C order. Readable by numpy.load.
import { ValidationError } from '../errors.js';

/** Encodes `data` with the given shape (C order, last axis fastest) as an .npy file. */
export function encodeNpy(data: ArrayLike<number>, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new ValidationError('shape', shape, `a shape with ${data.length} elements`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + 8 * count);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const dv = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < count; i++) dv.setFloat64(8 * i, data[i], true);
  return out;
}

/** Decodes a float64 .npy file written by encodeNpy (or numpy, C order, '<f8'). */
export function decodeNpy(bytes: Uint8Array): { shape: number[]; data: Float64Array } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (!magic.every((b, i) => bytes[i] === b)) throw new ValidationError('npy', 'bad magic', 'an .npy file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = String.fromCharCode(...bytes.subarray(start, start + hlen));
  if (!header.includes("'<f8'") || header.includes("'fortran_order': True"))
    throw new ValidationError('npy header', header.trim(), "descr '<f8' in C order");
  const shape = (header.match(/'shape': \(([^)]*)\)/)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(count);
  const body = new DataView(bytes.buffer, bytes.byteOffset + start + hlen, 8 * count);
  for (let i = 0; i < count; i++) data[i] = body.getFloat64(8 * i, true);
  return { shape, data };
}
