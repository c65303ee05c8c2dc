// Checkpoint files: "FXCK", version, a JSON header in which every Float64Array is replaced by
// {"$f64": index}, then the arrays as raw little-endian float64 (8-byte aligned). Lossless.
import { ValidationError } from '../errors.js';

const MAGIC = [0x46, 0x58, 0x43, 0x4b]; // FXCK

export function encodeCheckpoint(value: unknown): Uint8Array {
  const arrays: Float64Array[] = [];
  const json = JSON.stringify(value, (_k, v) => {
    if (v instanceof Float64Array) { arrays.push(v); return { $f64: arrays.length - 1, length: v.length }; }
    return v;
  });
  const header = new TextEncoder().encode(json);
  const start = (12 + header.length + 7) & ~7;
  const out = new Uint8Array(start + arrays.reduce((s, a) => s + 8 * a.length, 0));
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, 1, true);
  dv.setUint32(8, header.length, true);
  out.set(header, 12);
  let o = start;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) dv.setFloat64(o + 8 * i, a[i], true);
    o += 8 * a.length;
  }
  return out;
}

export function decodeCheckpoint<T = unknown>(bytes: Uint8Array): T {
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new ValidationError('checkpoint', 'bad magic', 'a fractaxis checkpoint file (FXCK)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true), hlen = dv.getUint32(8, true);
  if (version !== 1) throw new ValidationError('checkpoint.version', version, '1');
  const start = (12 + hlen + 7) & ~7;
  const parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen)));
  // Offsets follow the order of first appearance, which JSON.parse revives in the same order.
  let o = start;
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
      const r = v as Record<string, unknown>;
      if (typeof r.$f64 === 'number') {
        const a = new Float64Array(r.length as number);
        for (let i = 0; i < a.length; i++) a[i] = dv.getFloat64(o + 8 * i, true);
        o += 8 * a.length;
        return a;
      }
      return Object.fromEntries(Object.entries(r).map(([k, x]) => [k, revive(x)]));
    }
    return v;
  };
  return revive(parsed) as T;
}
