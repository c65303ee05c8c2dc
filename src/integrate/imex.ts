// IMEX schemes of the kinetic model as coefficient tables (Wang & Ruuth 2008; Dedalus SBDF):
//   a0 u^{n+1} + h L u^{n+1} = b1 u^n + b2 u^{n−1} + h (c1 N^n + c2 N^{n−1}),   ω = h_n / h_{n−1}.
// The implicit part L (relaxation, transport, the chemical's diffusion and decay) is solved per
// Fourier mode by the model; N collects the explicit terms (turning, growth).

export interface ImexTable {
  a0: number;
  b: readonly [number, number];
  c: readonly [number, number];
}

/** Backward/forward Euler (first order); also the first step of SBDF2. */
export const sbdf1 = (): ImexTable => ({ a0: 1, b: [1, 0], c: [1, 0] });

/** Variable-step SBDF2 (second order) for the step ratio ω = h_n / h_{n−1}. */
export const sbdf2 = (w: number): ImexTable => ({
  a0: (1 + 2 * w) / (1 + w),
  b: [1 + w, -(w * w) / (1 + w)],
  c: [1 + w, -w],
});

/** The kinetic schemes by name, with their orders. */
export const IMEX_SCHEMES = { euler: { order: 1 }, bdf2: { order: 2 } } as const;
