// What a checkpoint belongs to: a canonical, JSON-safe form of a model's options (or a scenario),
// stored in the checkpoint and compared on restore, so a checkpoint of another run is refused
// with the fields that differ named. Functions are compared by their source text (a closure over
// different values is not told apart); large data (initial arrays) by a CRC-32 digest.
import { ValidationError } from '../errors.js';
import { crc32 } from './crc32.js';

/** Keys sorted, functions as "function:<source>", typed arrays as plain arrays, NaN/±Infinity as strings. */
export function canonical(v: unknown): unknown {
  if (typeof v === 'function') return `function:${v.toString()}`;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => canonical(x));
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort()
        .map((k) => [k, canonical(o[k])]),
    );
  }
  return v;
}

/** CRC-32 (hex) of the canonical JSON of v. */
export function digest(v: unknown): string {
  return crc32(new TextEncoder().encode(JSON.stringify(canonical(v))))
    .toString(16)
    .padStart(8, '0');
}

/** Dotted paths where two canonical values differ (at most `limit`), e.g. ["chi", "grid.n[0]"]. */
export function differences(a: unknown, b: unknown, path = '', limit = 8): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, p: string) => {
    if (out.length >= limit) return;
    if (x && y && typeof x === 'object' && typeof y === 'object' && Array.isArray(x) === Array.isArray(y)) {
      const keys = Array.isArray(x)
        ? Array.from({ length: Math.max(x.length, (y as unknown[]).length) }, (_, i) => String(i))
        : [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      for (const k of keys)
        walk(
          (x as Record<string, unknown>)[k],
          (y as Record<string, unknown>)[k],
          Array.isArray(x) ? `${p}[${k}]` : p ? `${p}.${k}` : k,
        );
    } else if (JSON.stringify(x) !== JSON.stringify(y)) out.push(p || '(value)');
  };
  walk(canonical(a), canonical(b), path);
  return out;
}

/** What a model's checkpoints belong to: its options in canonical form, with the initial data by digest. */
export function modelIdentity(
  options: { initial?: unknown },
  resolved: Record<string, unknown> = {},
): unknown {
  return canonical({ ...options, ...resolved, initial: digest(options.initial) });
}

/** Refuses a checkpoint whose recorded identity is not the model's, naming the options that differ. */
export function checkIdentity(recorded: unknown, own: unknown): void {
  const differ = recorded === undefined ? ['(no identity recorded)'] : differences(recorded, own);
  if (differ.length > 0)
    throw new ValidationError(
      'checkpoint',
      `a checkpoint of another model (differs in ${differ.join(', ')})`,
      'a checkpoint written by a model built with the same options',
    );
}
