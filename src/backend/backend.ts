// The Backend: the only place with hot loops. One class (argument checks, plan caches, multi-D
// transform orchestration, scopes) composed from an arena and a kernel set (kernels.ts): `wasm`
// (AssemblyScript + SIMD, wasm.ts) or `js` (fft.js + TypeScript loops, js.ts).
import { ValidationError, checkFftSize, checkFinite, checkNumber } from '../errors.js';
import type { Arena, KernelPlans, KernelSet } from './kernels.js';
import { realTwiddleTable, stockhamStages, twiddleTable } from './plans.js';

/** The two kernel sets: AssemblyScript compiled to SIMD WebAssembly, or the pure-JS twins. */
export type BackendKind = 'wasm' | 'js';
/** What createBackend takes: 'auto' picks wasm where WASM SIMD is supported, else js. */
export type BackendChoice = 'auto' | BackendKind;

/** Real-field shape [nx, ny, nz], x fastest; unused axes are 1. */
export type Shape3 = readonly [number, number, number];

/**
 * A float64 field living in backend memory. Always read `.data` afresh: memory growth replaces
 * views. Every field records the arena it was cut from (`owner`), so a backend can refuse fields
 * of another backend, and whether it has been released (a released field is refused too).
 */
export class Field {
  private view: Float64Array;
  /** The allocation this field is part of (itself, or the field it was sliced from). */
  private readonly base: Field;
  private released = false;
  constructor(
    readonly owner: object,
    private readonly memory: { readonly buffer: ArrayBufferLike } | null,
    readonly ptr: number,
    readonly length: number,
    view?: Float64Array,
    base?: Field,
  ) {
    this.view = view ?? (memory ? new Float64Array(memory.buffer, ptr, length) : new Float64Array(length));
    this.base = base ?? this;
  }
  /** A field sharing this one's memory: entries [offset, offset + length). */
  slice(offset: number, length: number): Field {
    if (offset < 0 || length < 0 || offset + length > this.length)
      throw new ValidationError('slice', [offset, length], `a range inside [0, ${this.length})`);
    return new Field(
      this.owner,
      this.memory,
      this.ptr + 8 * offset,
      length,
      this.memory ? undefined : this.view.subarray(offset, offset + length),
      this.base,
    );
  }
  /** The values, as a view of backend memory (read it afresh after any allocation: memory growth replaces views). */
  get data(): Float64Array {
    const m = this.memory;
    if (m !== null && this.view.buffer !== m.buffer)
      this.view = new Float64Array(m.buffer, this.ptr, this.length);
    return this.view;
  }
  /** False once the field (or the field it was sliced from) has been released to its arena. */
  get alive(): boolean {
    return !this.base.released;
  }
  /** Marks the allocation released (only a whole allocation can be released, not a slice of one). */
  markReleased(): void {
    if (this.base !== this)
      throw new ValidationError(
        'field',
        'a slice',
        'a whole allocation (release the field it was sliced from)',
      );
    this.released = true;
  }
}

/** A backend whose allocations are recorded, so that `dispose()` gives all of them back at once. */
export type ScopedBackend = Backend & {
  /** Releases every field allocated through this scope. */
  dispose(): void;
};

/** What spectral kernels need to know about a grid (implemented by Grid). */
export interface SpectralAxes {
  readonly shape: Shape3;
  /** Complex modes along x in the half spectrum: nx/2 + 1. */
  readonly nc: number;
  readonly nModes: number;
  readonly nReal: number;
  /** Wavenumbers per axis (kx has nc entries). */
  readonly kx: Field;
  readonly ky: Field;
  readonly kz: Field;
  /** Wavenumbers for odd (derivative) symbols: Nyquist entries zeroed. */
  readonly gx: Field;
  readonly gy: Field;
  readonly gz: Field;
  /** 2/3-rule masks per axis (0 or 1). */
  readonly mx: Field;
  readonly my: Field;
  readonly mz: Field;
}

/** A discrete velocity set in backend memory (see VelocityGrid): components, weights, ν, F. */
export interface VelocitySet {
  readonly size: number;
  readonly vx: Field;
  readonly vy: Field;
  readonly vz: Field;
  readonly w: Field;
  readonly nu: Field;
  readonly F: Field;
}

/** An explicit source s_j · P(k) added to every velocity j: coefficients s (size Nv) and a half spectrum P. */
export type VelocitySource = readonly [coefficients: Field, spectrum: Field];

/**
 * The one Backend: argument checks, plan caches and multi-D transform orchestration around a kernel
 * set (kernels.ts). `createBackend` composes it from the wasm or the js arena and kernels.
 */
export class Backend {
  private readonly plans = new Map<string, Field>();
  /** The unchecked kernels; every public method checks its arguments before calling one. */
  protected readonly k: KernelSet;

  /** @internal Backends are made by createBackend, from an arena and a kernel set. */
  constructor(
    readonly kind: BackendKind,
    /** The memory; every Field records it as its owner. */
    protected readonly arena: Arena,
    kernels: (plans: KernelPlans) => KernelSet,
    /** Threads the kernels run on (wasm: this thread and threads − 1 workers; js: always 1). */
    readonly threads = 1,
  ) {
    this.k = kernels({
      twiddles: (n) => this.twiddles(n),
      realTwiddles: (m) => this.realTwiddles(m),
      scratch: (tag, length) => this.scratch(tag, length),
    });
  }

  /** A zeroed field of `length` doubles; refused with MemoryLimitError, before any memory moves, if it cannot fit. */
  alloc(length: number): Field {
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0)
      throw new ValidationError('length', length, 'a non-negative integer number of doubles');
    return this.arena.allocate(length);
  }
  /** Returns a field's memory to the arena for reuse; the field (and its slices) must not be used again. */
  release(field: Field): void {
    this.checkOwned('field', field); // refuses a second release too
    field.markReleased();
    this.arena.free(field);
  }
  /** Bytes of memory held by this backend. */
  memoryBytes(): number {
    return this.arena.bytes();
  }
  /** Bytes the arena can still hand out (wasm32: up to the 4 GiB address space). */
  memoryAvailable(): number {
    return this.arena.available();
  }

  /**
   * A view of this backend that records every field it allocates; `dispose()` releases them all.
   * A model allocates through its own scope, so disposing the model frees its memory while other
   * models on the same backend keep theirs. Kernels, plans and the arena are shared with the root.
   */
  scope(): ScopedBackend {
    const root = this,
      owned = new Set<Field>();
    const scoped = Object.create(root) as ScopedBackend;
    Object.assign(scoped, {
      alloc(length: number): Field {
        const f = root.alloc(length);
        owned.add(f);
        return f;
      },
      release(field: Field): void {
        root.release(field);
        owned.delete(field);
      },
      dispose(): void {
        for (const f of owned) root.release(f);
        owned.clear();
      },
    });
    return scoped;
  }

  /** A field holding `values`, refused (naming `name`) if any entry is NaN or infinite. */
  fromArray(name: string, values: ArrayLike<number>): Field {
    checkFinite(name, values);
    const f = this.alloc(values.length);
    f.data.set(values);
    return f;
  }

  // ---- FFT -------------------------------------------------------------------------------

  /** 1-D complex FFT of length n on interleaved (re, im) data; the inverse is scaled by 1/n. dst may be src. */
  fft(src: Field, dst: Field, n: number, inverse = false): void {
    checkFftSize('n', n, 1, 2 ** 24);
    this.checkLength('src', src, 2 * n);
    this.checkLength('dst', dst, 2 * n);
    this.k.fftBatch(src, 0, dst, 0, this.scratch('c', 2 * n), n, 1, inverse, 1);
    if (inverse && n > 1) this.scale(dst, 1 / n);
  }

  /** Real-to-complex FFT of a 1/2/3-D field (unnormalised) into its half spectrum (nx/2+1)*ny*nz. */
  rfft(shape: Shape3, real: Field, spec: Field): void {
    const [nx, ny, nz] = this.checkShape(shape);
    const m = nx >> 1,
      nc = m + 1;
    this.checkLength('real', real, nx * ny * nz);
    this.checkLength('spec', spec, 2 * nc * ny * nz);
    const work = this.scratch('w', 2 * nc * ny * nz);
    // An in-place column pass with an odd number of Stockham stages would first copy the spectrum
    // to its work. Then the passes before the last write into the work instead, and the last reads
    // it (a pass may use its source as its work when its stage count is odd) and ends in spec.
    const last = nz > 1 ? nz : ny;
    const viaWork = last > 1 && stockhamStages(last) % 2 === 1;
    const into = viaWork ? work : spec;
    this.k.rfftRows(real, into, ny * nz, m);
    if (nz > 1 && ny > 1) this.k.fftBatch(into, 0, into, 0, viaWork ? spec : work, ny, nc, false, nz);
    if (nz > 1) this.k.fftBatch(into, 0, spec, 0, work, nz, ny * nc, false, 1);
    else if (ny > 1) this.k.fftBatch(into, 0, spec, 0, work, ny, nc, false, 1);
  }

  /**
   * Complex-to-real inverse of rfft, scaled by 1/(nx ny nz). Like FFTW's c2r it destroys `spec`,
   * unless `via` (a field of the spectrum's size) is given: then the first pass reads `spec` and
   * writes `via`, the rest works in `via`, and `spec` is kept (no copy pass before the transform).
   */
  irfft(shape: Shape3, spec: Field, real: Field, via?: Field): void {
    const [nx, ny, nz] = this.checkShape(shape);
    const m = nx >> 1,
      nc = m + 1;
    this.checkLength('real', real, nx * ny * nz);
    this.checkLength('spec', spec, 2 * nc * ny * nz);
    if (via) this.checkLength('via', via, 2 * nc * ny * nz);
    const work = this.scratch('w', 2 * nc * ny * nz);
    // The first column pass (z in 3-D, else y) reads spec. Where spec may be destroyed and that
    // pass has an odd stage count, it ends in the work, using spec as its own (no copy first).
    let cur = spec;
    const first = nz > 1 ? nz : ny;
    if (first > 1) {
      const batch = nz > 1 ? ny * nc : nc;
      cur = via ?? (stockhamStages(first) % 2 === 1 ? work : spec);
      this.k.fftBatch(spec, 0, cur, 0, cur === work ? spec : work, first, batch, true, 1);
    }
    if (nz > 1 && ny > 1) this.k.fftBatch(cur, 0, cur, 0, cur === work ? spec : work, ny, nc, true, nz);
    if (cur === spec && via) {
      this.copy(via, spec); // 1-D: the row pre-processing works in place
      cur = via;
    }
    // The 1/N is applied as the rows are pre-processed: no separate pass over the real field.
    this.k.irfftRows(cur, real, ny * nz, m, 1 / (nx * ny * nz));
  }

  // ---- Fourier multipliers on the half spectrum -------------------------------------------

  /** spec *= 1/(|k|^2 + mu), mu >= 0; with mu = 0 the mean (k = 0) is set to zero. */
  resolvent(spec: Field, g: SpectralAxes, mu: number): void {
    checkNumber('mu', mu, 0, Infinity);
    this.checkSpec(spec, g);
    this.k.resolvent(spec, g, mu);
  }
  /** dst = i k_axis src (axis 0 = x, 1 = y, 2 = z). */
  gradient(src: Field, dst: Field, g: SpectralAxes, axis: 0 | 1 | 2): void {
    this.checkGradient(src, dst, g, axis);
    this.k.gradient(src, dst, g, axis, null, 0);
  }
  /** dst = i k_axis c[m] src: the derivative of a multiplier's output in one pass (c: one real per mode). */
  scaledGradient(src: Field, dst: Field, c: Field, g: SpectralAxes, axis: 0 | 1 | 2): void {
    this.checkGradient(src, dst, g, axis);
    this.checkLength('c', c, g.nModes);
    this.k.gradient(src, dst, g, axis, c, 0);
  }
  /**
   * out = −i k_axis src (first = true) or out −= i k_axis src: −∇·F accumulated axis by axis
   * without zeroing out first or a separate subtraction pass.
   */
  subtractGradient(out: Field, src: Field, g: SpectralAxes, axis: 0 | 1 | 2, first: boolean): void {
    this.checkGradient(src, out, g, axis);
    this.k.gradient(src, out, g, axis, null, first ? 2 : 1);
  }
  /**
   * Σ_x f(x) h(x) · N for h^ = c f^ (c real per mode), from the half spectrum of f by Parseval:
   * Σ over modes of c|f^|², counting each mode as often as it stands for in the full spectrum.
   */
  modeQuadratic(spec: Field, c: Field, g: SpectralAxes): number {
    this.checkSpec(spec, g);
    this.checkLength('c', c, g.nModes);
    return this.k.modeQuadratic(spec, c, g);
  }
  private checkGradient(src: Field, dst: Field, g: SpectralAxes, axis: number): void {
    this.checkSpec(src, g);
    this.checkSpec(dst, g);
    if (axis !== 0 && axis !== 1 && axis !== 2) throw new ValidationError('axis', axis, '0, 1 or 2');
  }
  /** Zero the modes outside the 2/3-rule box. */
  dealias(spec: Field, g: SpectralAxes): void {
    this.checkSpec(spec, g);
    this.k.dealias(spec, g);
  }
  /** out[m] = |k_m|^power for every mode (0 at k = 0). */
  modeNorm(out: Field, g: SpectralAxes, power: number): void {
    this.checkLength('out', out, g.nModes);
    this.k.modeNorm(out, g, power);
  }
  /** spec[m] *= c[m]. */
  modeScale(spec: Field, c: Field): void {
    this.checkLength('spec', spec, 2 * c.length);
    this.k.modeScale(spec, c);
  }
  /** out[m] = c[m] x[m]. */
  modeMul(out: Field, c: Field, x: Field): void {
    this.modeMulSum(out, [[c, x]]);
  }
  /** out[m] += c[m] x[m]. */
  modeMulAdd(out: Field, c: Field, x: Field): void {
    this.modeMulSum(out, [[c, x]], true);
  }
  /**
   * out[m] = (accumulate ? out[m] : 0) + Σ_i c_i[m] x_i[m] over 1–3 terms (c real per mode),
   * summed left to right in one pass: the same numbers as modeMul followed by modeMulAdds.
   */
  modeMulSum(out: Field, terms: readonly (readonly [c: Field, x: Field])[], accumulate = false): void {
    if (terms.length < 1 || terms.length > 3)
      throw new ValidationError('terms', terms.length, '1 to 3 terms');
    const n = terms[0][0].length;
    this.checkLength('out', out, 2 * n);
    terms.forEach(([c, x], i) => {
      this.checkLength(`terms[${i}].c`, c, n);
      this.checkLength(`terms[${i}].x`, x, 2 * n);
    });
    this.k.modeMul(out, terms, accumulate);
  }

  // ---- pointwise --------------------------------------------------------------------------

  /** dst = src (same length, same backend). */
  copy(dst: Field, src: Field): void {
    this.checkOwned('src', src);
    this.checkLength('dst', dst, src.length);
    dst.data.set(src.data);
  }
  /** x *= a. */
  scale(x: Field, a: number): void {
    this.checkOwned('x', x);
    this.k.scale(x, a);
  }
  /** y += a x. */
  axpy(y: Field, a: number, x: Field): void {
    this.checkLength('x', x, y.length);
    this.k.axpy(y, a, x);
  }
  /** out = a b, entry by entry (out may be a or b). */
  mul(out: Field, a: Field, b: Field): void {
    this.checkLength('a', a, out.length);
    this.checkLength('b', b, out.length);
    this.k.mul(out, a, b);
  }
  /** Σ x_i^2. */
  sumSquares(x: Field): number {
    this.checkOwned('x', x);
    return this.k.sumSquares(x);
  }
  /** Σ a_i b_i. */
  dot(a: Field, b: Field): number {
    this.checkLength('b', b, a.length);
    return this.k.dot(a, b);
  }
  /** Σ x_i log x_i over the positive entries. */
  entropySum(x: Field): number {
    this.checkOwned('x', x);
    return this.k.entropySum(x);
  }
  /** Writes [sum, min, max, count of non-finite entries] into out (finite entries only in the first three). */
  stats(x: Field, out: Float64Array): void {
    this.checkOwned('x', x);
    this.k.stats(x, out);
  }

  /**
   * Chemotactic flux F = rho c(x) chi Q(∇S): `grad` holds dim gradient components of n points
   * each, `flux` receives dim components; chi is a dim×dim row-major matrix; chiField an optional
   * per-point factor (e.g. a receptor law); `limited` applies the flux limiter with threshold ystar.
   */
  driftFlux(
    rho: Field,
    grad: Field,
    flux: Field,
    dim: number,
    chi: Field,
    chiField: Field | null,
    limited: boolean,
    ystar: number,
  ): void {
    const n = rho.length;
    this.checkLength('grad', grad, dim * n);
    this.checkLength('flux', flux, dim * n);
    this.checkLength('chi', chi, dim * dim);
    if (chiField) this.checkLength('chiField', chiField, n);
    this.k.driftFlux(rho, grad, flux, n, dim, chi, chiField, limited, ystar);
  }
  /** out = rho (a0 + a1 rho - c). */
  growth(rho: Field, out: Field, a0: number, a1: number, c: number): void {
    this.checkLength('out', out, rho.length);
    this.k.growth(rho, out, a0, a1, c);
  }
  /** out = chi0 / (1 + S/K)^2. */
  receptorChi(s: Field, out: Field, chi0: number, k: number): void {
    this.checkLength('out', out, s.length);
    this.k.receptorChi(s, out, chi0, k);
  }

  // ---- finite volumes (assembly/volume.ts) -----------------------------------------------

  /**
   * Drift velocity on the faces along `axis` (face i+1/2 stored at cell i): u = c χ[axis]·Q(∇S)
   * with ∇S at the face by second-order differences of S, c the face mean of chiField (or 1).
   */
  faceVelocity(
    S: Field,
    chiField: Field | null,
    u: Field,
    g: SpectralAxes & { readonly dim: number; readonly spacing: readonly number[] },
    axis: number,
    chi: Field,
    limited: boolean,
    ystar: number,
  ): void {
    this.checkLength('S', S, g.nReal);
    this.checkLength('u', u, g.nReal);
    if (chiField) this.checkLength('chiField', chiField, g.nReal);
    this.checkLength('chi', chi, g.dim * g.dim);
    if (!Number.isInteger(axis) || axis < 0 || axis >= g.dim)
      throw new ValidationError('axis', axis, `an axis in [0, ${g.dim - 1}]`);
    this.k.faceVelocity(S, chiField, u, g.shape, g.dim, axis, g.spacing, chi, limited, ystar);
  }
  /** out_i += (F_{i−1/2} − F_{i+1/2}) invh: −∂_axis F, F the upwind flux of the minmod reconstruction of rho with face velocity u; invh = 1/h_axis. */
  upwindDivergence(rho: Field, u: Field, out: Field, shape: Shape3, axis: number, invh: number): void {
    const n = shape[0] * shape[1] * shape[2];
    for (const [name, f] of [
      ['rho', rho],
      ['u', u],
      ['out', out],
    ] as const)
      this.checkLength(name, f, n);
    if (axis !== 0 && axis !== 1 && axis !== 2) throw new ValidationError('axis', axis, '0, 1 or 2');
    this.k.upwindDivergence(rho, u, out, shape, axis, invh);
  }
  /** In place: ρ ← ρ e / (1 − qφ ρ), the exact flow of ρ′ = pρ + qρ² with e = exp(ph), φ = expm1(ph)/p. */
  growthFlow(rho: Field, e: number, qphi: number): void {
    this.checkOwned('rho', rho);
    this.k.growthFlow(rho, e, qphi);
  }

  // ---- kinetic velocity quadrature --------------------------------------------------------

  /**
   * One asymptotic-preserving implicit step for every Fourier mode k (assembly/quadrature.ts):
   * a0 f + λν(f − Fρ̃) + iλε(k·v) f = f^n + Σ s_j P, ρ̃ = ∫νf/∫νF, with dinv(k) the precomputed
   * 1/(Σ_j w_j ν_j F_j (a0 + iλεk·v_j)/A_j). f (velocity-major, Nv half spectra) is updated in
   * place; rho receives Σ_j w_j f_j; num is scratch (it ends holding ρ̃).
   */
  kineticRelax(
    f: Field,
    v: VelocitySet,
    g: SpectralAxes,
    sources: readonly VelocitySource[],
    lam: number,
    lamEps: number,
    a0: number,
    dinv: Field,
    num: Field,
    rho: Field,
  ): void {
    const M2 = 2 * g.nModes;
    this.checkLength('f', f, v.size * M2);
    for (const [name, x] of [
      ['dinv', dinv],
      ['num', num],
      ['rho', rho],
    ] as const)
      this.checkLength(name, x, M2);
    if (sources.length > 64)
      throw new ValidationError(
        'sources',
        sources.length,
        'at most 64 explicit sources (turning terms × axes)',
      );
    sources.forEach(([c, p], i) => {
      this.checkLength(`sources[${i}].coefficients`, c, v.size);
      this.checkLength(`sources[${i}].spectrum`, p, M2);
    });
    this.k.kineticRelax(f, v, g, sources, lam, lamEps, a0, dinv, num, rho);
  }

  /**
   * dinv(k) = 1 / Σ_j w_j ν_j F_j (a0 + iλε k·v_j)/(a0 + λν_j + iλε k·v_j) for every mode of the
   * half spectrum (the normalisation kineticRelax takes), with k the derivative wavenumbers g.gx, g.gy, g.gz.
   */
  kineticDinv(dinv: Field, v: VelocitySet, g: SpectralAxes, lam: number, lamEps: number, a0: number): void {
    this.checkLength('dinv', dinv, 2 * g.nModes);
    this.k.kineticDinv(dinv, v, g, lam, lamEps, a0);
  }

  /** out(k) = Σ_j c_j f_j(k) over the Nv velocity spectra of f. */
  velocityMoment(f: Field, nv: number, c: Field, out: Field): void {
    this.checkLength('c', c, nv);
    this.checkLength('f', f, nv * out.length);
    this.k.velocityMoment(f, nv, c, out);
  }

  // ---- plans: computed once per size, kept in backend memory --------------------------------

  /** Complex twiddles for length n (see plans.ts). */
  private twiddles(n: number): Field {
    return this.plan(`tw${n}`, () => twiddleTable(n));
  }
  /** Real-FFT post-processing twiddles for N = 2m. */
  private realTwiddles(m: number): Field {
    return this.plan(`rtw${m}`, () => realTwiddleTable(m));
  }
  /** Reusable scratch of at least `length` doubles, one per tag; grown on demand. */
  private scratch(tag: string, length: number): Field {
    const key = `s:${tag}`;
    const f = this.plans.get(key);
    if (f && f.length >= length) return f;
    if (f) {
      f.markReleased();
      this.arena.free(f);
    }
    const g = this.arena.allocate(length);
    this.plans.set(key, g);
    return g;
  }
  private plan(key: string, make: () => Float64Array): Field {
    let f = this.plans.get(key);
    if (!f) {
      const t = make();
      f = this.arena.allocate(t.length);
      f.data.set(t);
      this.plans.set(key, f);
    }
    return f;
  }

  private checkShape(shape: Shape3): Shape3 {
    if (!Array.isArray(shape) || shape.length !== 3)
      throw new ValidationError('shape', shape, '[nx, ny, nz] (unused axes 1)');
    checkFftSize('shape[0] (nx)', shape[0], 2, 2 ** 24, true);
    checkFftSize('shape[1] (ny)', shape[1], 1);
    checkFftSize('shape[2] (nz)', shape[2], 1);
    return shape;
  }
  private checkSpec(spec: Field, g: SpectralAxes): void {
    this.checkLength('spec', spec, 2 * g.nModes);
  }
  protected checkLength(name: string, f: Field, expected: number): void {
    this.checkOwned(name, f);
    if (f.length !== expected) throw new ValidationError(`${name}.length`, f.length, `exactly ${expected}`);
  }
  /** Refuses anything but a live Field of this backend's arena (a foreign field would corrupt or be ignored). */
  protected checkOwned(name: string, f: Field): void {
    if (!(f instanceof Field)) throw new ValidationError(name, f, 'a Field allocated by this backend');
    if (f.owner !== this.arena)
      throw new ValidationError(
        name,
        'a Field of another backend',
        `a Field allocated by this ${this.kind} backend`,
      );
    if (!f.alive)
      throw new ValidationError(
        name,
        'a released Field',
        'a live Field (its memory was released or its model disposed)',
      );
  }
}
