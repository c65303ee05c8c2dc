/** Errors raised by fractaxis. Every message names the offending field and what is accepted. */

/** Invalid input: names the field path, the value received and the accepted range. */
export class ValidationError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly accepted: string,
  ) {
    super(`${field}: got ${describe(value)}; expected ${accepted}`);
    this.name = 'ValidationError';
  }
}

/** A numerical failure that is not a physical outcome (e.g. NaN from a user function). */
export class NumericalError extends Error {
  constructor(
    message: string,
    readonly time?: number,
  ) {
    super(message);
    this.name = 'NumericalError';
  }
}

/** A request for more memory than the backend can hold; raised before any memory is touched. */
export class MemoryLimitError extends Error {
  constructor(
    readonly requestedBytes: number,
    readonly availableBytes: number,
    what: string,
  ) {
    super(
      `${what}: needs ${formatBytes(requestedBytes)} but only ${formatBytes(availableBytes)} can be allocated; use a smaller grid or the 'js' backend`,
    );
    this.name = 'MemoryLimitError';
  }
}

export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${Number(b.toPrecision(4))} ${units[i]}`;
}

/** The candidate nearest to `word` by edit distance, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null,
    bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= Math.max(2, Math.ceil(word.length / 2)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Refuses keys of `obj` outside `allowed`, naming `field.key` and the nearest allowed key (a typo such as `difusion`). */
export function checkKeys(obj: object, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key) || (obj as Record<string, unknown>)[key] === undefined) continue;
    const guess = closest(key, allowed);
    throw new ValidationError(
      field ? `${field}.${key}` : key,
      (obj as Record<string, unknown>)[key],
      `no such option${guess ? ` (did you mean '${guess}'?)` : ''}; allowed: ${allowed.join(', ')}`,
    );
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value))
    return value.length > 6 ? `array of length ${value.length}` : JSON.stringify(value);
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name} of length ${(value as Float64Array).length}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value);
  } catch {
    return typeof value;
  }
}

/** Whether n = 2^a 3^b 5^c (the sizes the FFTs take). */
export function isFftSize(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  for (const p of [2, 3, 5]) while (n % p === 0) n /= p;
  return n === 1;
}

/** An FFT size: 2^a·3^b·5^c in [min, max], and even when `even` (the x axis of a real transform). */
export function checkFftSize(field: string, n: unknown, min = 1, max = 2 ** 24, even = false): number {
  if (typeof n !== 'number' || !isFftSize(n) || n < min || n > max || (even && n % 2 !== 0)) {
    throw new ValidationError(
      field,
      n,
      `${even ? 'an even' : 'a'} size 2^a·3^b·5^c between ${min} and ${max} (the FFT sizes; e.g. 96, 100, 384, 1000)`,
    );
  }
  return n;
}

export function checkNumber(
  field: string,
  v: unknown,
  lo: number,
  hi: number,
  opts: { loOpen?: boolean; hiOpen?: boolean } = {},
): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (opts.loOpen ? v > lo : v >= lo) &&
    (opts.hiOpen ? v < hi : v <= hi);
  if (!ok) {
    const range = `${opts.loOpen ? '(' : '['}${lo}, ${hi}${opts.hiOpen ? ')' : ']'}`;
    throw new ValidationError(field, v, `a finite number in ${range}`);
  }
  return v as number;
}

export function checkFinite(field: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new ValidationError(`${field}[${i}]`, data[i], 'a finite number (NaN and Infinity are refused)');
    }
  }
}
