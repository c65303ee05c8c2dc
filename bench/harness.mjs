// Side-by-side timing with benchmark.js: each row runs its wasm and js cases in the same suite,
// interleaved, so the ratio is meaningful on a shared, noisy machine.
import Benchmark from 'benchmark';
import os from 'node:os';

export const rows = [];

/**
 * Times fns.wasm and fns.js (each a () => void) and records one table row; with `bytes` (the
 * memory traffic of one op) the row also reports the wasm kernel's effective bandwidth.
 */
export function compare(group, label, fns, maxTime = 1, bytes = 0) {
  const suite = new Benchmark.Suite();
  for (const [name, fn] of Object.entries(fns)) suite.add(name, fn, { maxTime, minSamples: 5 });
  const res = {};
  suite
    .on('cycle', (e) => {
      res[e.target.name] = e.target.stats.mean;
    })
    .run({ async: false });
  const ratio = res.js / res.wasm;
  const note = bytes ? `${(bytes / res.wasm / 1e9).toFixed(1)} GB/s` : '';
  rows.push({ group, label, wasm: res.wasm, js: res.js, ratio, note });
  process.stderr.write(`${group} ${label}: js/wasm = ${ratio.toFixed(2)}${note ? ` (${note})` : ''}\n`);
}

function fmt(seconds) {
  const us = seconds * 1e6;
  return us >= 1e4
    ? `${(us / 1e3).toFixed(1)} ms`
    : us >= 100
      ? `${us.toFixed(0)} µs`
      : `${us.toFixed(2)} µs`;
}

export function table() {
  const lines = [
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| group | case | wasm / op | js / op | js ÷ wasm | wasm bandwidth |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.group} | ${r.label} | ${fmt(r.wasm)} | ${fmt(r.js)} | **${r.ratio.toFixed(2)}×** | ${r.note ?? ''} |`,
    );
  return lines.join('\n');
}

/**
 * For cases that take seconds per op: runs wasm and js alternately `repeats` times (after one
 * warm-up each) and records the best time of each, so both see the same machine state.
 */
export async function compareSlow(group, label, makers, repeats = 2) {
  const best = { wasm: Infinity, js: Infinity };
  const fns = {};
  for (const k of ['wasm', 'js']) fns[k] = await makers[k]();
  for (const k of ['wasm', 'js']) await fns[k](); // warm-up
  for (let r = 0; r < repeats; r++) {
    for (const k of ['wasm', 'js']) {
      const t0 = performance.now();
      await fns[k]();
      best[k] = Math.min(best[k], (performance.now() - t0) / 1e3);
    }
  }
  const ratio = best.js / best.wasm;
  rows.push({ group, label, wasm: best.wasm, js: best.js, ratio });
  process.stderr.write(`${group} ${label}: js/wasm = ${ratio.toFixed(2)}\n`);
}

/** The best of `reps` calls of op, in seconds. */
export function bestOf(op, reps) {
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    op();
    b = Math.min(b, (performance.now() - t0) / 1e3);
  }
  return b;
}

/** The median over rounds of f(round) (the middle one of an odd count). */
export function medianOf(rounds, f) {
  return rounds.map(f).sort((p, q) => p - q)[rounds.length >> 1];
}
