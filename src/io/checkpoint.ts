// Checkpoint files: "FXCK", version 2, header length, CRC-32 of everything after the 16-byte
// prefix, then a JSON header in which every Float64Array is replaced by {"$f64": index}, then the
// arrays as raw little-endian float64 (8-byte aligned). Lossless; a file that was truncated,
// corrupted or edited fails its checksum and is refused.
import { ValidationError } from '../errors.js';
import { crc32 } from './crc32.js';

const MAGIC = [0x46, 0x58, 0x43, 0x4b]; // FXCK
const VERSION = 2;
const PREFIX = 16;

/** A checkpoint as bytes (the FXCK format: a CRC-32, a JSON header, raw little-endian float64 arrays). */
export function encodeCheckpoint(value: unknown): Uint8Array {
  const arrays: Float64Array[] = [];
  const json = JSON.stringify(value, (_k, v) => {
    if (v instanceof Float64Array) {
      arrays.push(v);
      return { $f64: arrays.length - 1, length: v.length };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    return v;
  });
  const header = new TextEncoder().encode(json);
  const start = (PREFIX + header.length + 7) & ~7;
  const out = new Uint8Array(start + arrays.reduce((s, a) => s + 8 * a.length, 0));
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, header.length, true);
  out.set(header, PREFIX);
  let o = start;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) dv.setFloat64(o + 8 * i, a[i], true);
    o += 8 * a.length;
  }
  dv.setUint32(12, crc32(out.subarray(PREFIX)), true);
  return out;
}

/** Decodes a checkpoint; refuses a foreign, old, truncated or corrupted file with a ValidationError naming `name`. */
export function decodeCheckpoint<T = unknown>(bytes: Uint8Array, name = 'checkpoint'): T {
  if (bytes.length < PREFIX || !MAGIC.every((b, i) => bytes[i] === b))
    throw new ValidationError(name, 'not a checkpoint', 'a fractaxis checkpoint file (FXCK)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true),
    hlen = dv.getUint32(8, true);
  if (version !== VERSION)
    throw new ValidationError(
      `${name} version`,
      version,
      `${VERSION} (checkpoints of fractaxis 0.1 carry no checksum and cannot be verified: start the run again)`,
    );
  if (crc32(bytes.subarray(PREFIX)) !== dv.getUint32(12, true))
    throw new ValidationError(
      name,
      'a file whose checksum does not match',
      'an intact checkpoint (this one was truncated, corrupted or edited)',
    );
  const start = (PREFIX + hlen + 7) & ~7;
  const parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX, PREFIX + hlen)));
  // Offsets follow the order of first appearance, which JSON.parse revives in the same order.
  let o = start;
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
      const r = v as Record<string, unknown>;
      if (typeof r.$num === 'string') return Number(r.$num);
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

/**
 * A checkpoint as JSON text (for storage that takes text: a notebook, localStorage, a database):
 * every Float64Array as {"$f64": base64 of its little-endian bytes}, so it restores bit for bit;
 * non-finite numbers as {"$num": "NaN" | "Infinity" | "-Infinity"}.
 */
export function checkpointToJSON(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (v instanceof Float64Array) {
      const bytes = new Uint8Array(8 * v.length),
        dv = new DataView(bytes.buffer);
      v.forEach((x, i) => dv.setFloat64(8 * i, x, true));
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { $f64: btoa(bin) };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    return v;
  });
}

/** The inverse of checkpointToJSON. */
export function checkpointFromJSON<T = unknown>(text: string): T {
  return JSON.parse(text, (_k, v) => {
    if (v && typeof v === 'object' && typeof v.$f64 === 'string') {
      const bin = atob(v.$f64),
        dv = new DataView(new ArrayBuffer(bin.length));
      for (let i = 0; i < bin.length; i++) dv.setUint8(i, bin.charCodeAt(i));
      return Float64Array.from({ length: bin.length / 8 }, (_, i) => dv.getFloat64(8 * i, true));
    }
    if (v && typeof v === 'object' && typeof v.$num === 'string') return Number(v.$num);
    return v;
  }) as T;
}
