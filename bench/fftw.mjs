// Ours against FFTW (the peer issue 11 measures us by), side by side in one run: the same
// transforms in double precision on one thread, FFTW with FFTW_MEASURE plans (bench/fftw.c,
// compiled here when gcc and libfftw3-dev are present; skipped with a note otherwise). Ours is
// timed with benchmark.js through the wasm backend, FFTW by its own loop. Where
// scripts/fftw-sse2.sh has built FFTW with SSE2 codelets only (build/fftw-sse2: 128-bit vectors,
// the width of WASM SIMD), the same harness linked against it adds a third peer.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Benchmark from 'benchmark';
import { Grid } from '../dist/index.js';

export const fftwRows = [];

function oursSeconds(fn) {
  let mean = NaN;
  new Benchmark.Suite()
    .add('ours', fn, { maxTime: 1, minSamples: 5 })
    .on('cycle', (e) => (mean = e.target.stats.mean))
    .run({ async: false });
  return mean;
}

export async function benchFftw(wasm) {
  if (!existsSync('/usr/include/fftw3.h') || spawnSync('gcc', ['--version']).status !== 0) {
    process.stderr.write('fftw: skipped (needs gcc and libfftw3-dev)\n');
    return;
  }
  const exe = compileHarness(join(mkdtempSync(join(tmpdir(), 'fractaxis-fftw-')), 'fftw'), []);
  const run = (bin, kind, dims) =>
    Number(execFileSync(bin, [kind, ...dims.map(String)], { encoding: 'utf8' }));
  const fftw = (kind, dims) => run(exe, kind, dims);
  const sse2Exe = buildSse2Harness(exe);
  const sse2 = (kind, dims) => (sse2Exe ? run(sse2Exe, kind, dims) : NaN);
  const random = (n) => Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 13) - 6);
  for (const n of [1024, 65536, 1000, 3840]) {
    const x = wasm.fromArray('x', random(2 * n));
    fftwRows.push({
      label: `1-D complex ${n}`,
      ours: oursSeconds(() => wasm.fft(x, x, n)),
      fftw: fftw('c', [n]),
      scalar: fftw('cs', [n]),
      sse2: sse2('c', [n]),
    });
    wasm.release(x);
  }
  for (const shape of [[65536], [512, 512], [384, 384], [64, 64, 64]]) {
    const g = new Grid(wasm, { n: shape }),
      r = wasm.fromArray('x', random(g.nReal)),
      s = g.spectralField();
    const ours = oursSeconds(() => {
      wasm.rfft(g.shape, r, s);
      wasm.irfft(g.shape, s, r);
    });
    fftwRows.push({
      label: `real fwd+inv ${shape.join('×')}`,
      ours,
      fftw: fftw('r', shape),
      scalar: fftw('rs', shape),
      sse2: sse2('r', shape),
    });
  }
  for (const r of fftwRows)
    process.stderr.write(
      `fftw ${r.label}: ours/FFTW = ${(r.ours / r.fftw).toFixed(2)}` +
        (Number.isFinite(r.sse2) ? `, ours/FFTW-SSE2 = ${(r.ours / r.sse2).toFixed(2)}` : '') +
        '\n',
    );
}

/** Compiles bench/fftw.c into `out` against libfftw3, with gcc flags `flags` choosing which one. */
function compileHarness(out, flags) {
  execFileSync('gcc', [
    '-O2',
    ...flags,
    '-o',
    out,
    new URL('./fftw.c', import.meta.url).pathname,
    '-lfftw3',
    '-lm',
  ]);
  return out;
}

/** The harness linked against build/fftw-sse2 (scripts/fftw-sse2.sh), or null where it is not built. */
function buildSse2Harness(exe) {
  const prefix = new URL('../build/fftw-sse2/', import.meta.url).pathname;
  if (!existsSync(join(prefix, 'lib/libfftw3.so'))) {
    process.stderr.write('fftw: no SSE2-only column (run scripts/fftw-sse2.sh to build that FFTW)\n');
    return null;
  }
  const lib = join(prefix, 'lib');
  return compileHarness(`${exe}-sse2`, ['-I', join(prefix, 'include'), '-L', lib, `-Wl,-rpath,${lib}`]);
}

export function fftwTable() {
  if (fftwRows.length === 0) return '';
  const f = (s) => (s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(1)} µs`);
  const withSse2 = fftwRows.some((r) => Number.isFinite(r.sse2));
  const sse2 = (cells) => (withSse2 ? cells : '');
  return [
    '',
    `| transform (f64, one thread) | fractaxis wasm | FFTW 3 (MEASURE) | FFTW 3, no SIMD | ${sse2('FFTW 3, SSE2 only | ')}ours ÷ FFTW | ours ÷ FFTW no SIMD |${sse2(' ours ÷ FFTW SSE2 |')}`,
    `|---|---:|---:|---:|${sse2('---:|')}---:|---:|${sse2('---:|')}`,
    ...fftwRows.map(
      (r) =>
        `| ${r.label} | ${f(r.ours)} | ${f(r.fftw)} | ${f(r.scalar)} | ${sse2(`${f(r.sse2)} | `)}**${(r.ours / r.fftw).toFixed(2)}×** | ${(r.ours / r.scalar).toFixed(2)}× |${sse2(` ${(r.ours / r.sse2).toFixed(2)}× |`)}`,
    ),
  ].join('\n');
}
