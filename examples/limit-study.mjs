// The measured ε → 0 limit: kinetic ρ_ε against the fractional Keller–Segel solution with the
// limit coefficients, in 1-D, 2-D and 3-D, for γ = 0.5 and 0.3. Prints a Markdown table with the
// fitted rate of the relative error against ε (theory: ε^{1−γ}) and the velocities used.
// Run: npm run example:limit [-- dims], e.g. `npm run example:limit -- 2` (default: 1,2,3).
import { createBackend, Kinetic, limitStudy, limitStudyScenario } from '../dist/index.js';

const backend = await createBackend('auto');
const epsilons = [1e-1, 1e-2, 1e-3];
const dims = (process.argv[2] ?? '1,2,3').split(',').map(Number);
/** Least-squares slope of log y against log x. */
const slope = (x, y) => {
  const lx = x.map(Math.log),
    ly = y.map(Math.log),
    mx = lx.reduce((a, b) => a + b) / lx.length,
    my = ly.reduce((a, b) => a + b) / ly.length;
  let num = 0,
    den = 0;
  lx.forEach((v, i) => ((num += (v - mx) * (ly[i] - my)), (den += (v - mx) ** 2)));
  return num / den;
};
console.log('| N | grid | γ | ε | velocities | ‖ρ_ε − ρ‖_L1 | relative | fitted rate (theory 1−γ) |');
console.log('|---|---|---|---|---:|---:|---:|---:|');
for (const dim of dims)
  for (const gamma of [0.5, 0.3]) {
    const scenario = limitStudyScenario(gamma, dim);
    const { rows } = await limitStudy(backend, { ...scenario, epsilons });
    const rate = slope(
      epsilons,
      rows.map((r) => r.relL1),
    );
    rows.forEach((r, i) => {
      const nv = Kinetic.memoryEstimate({ ...scenario.kinetic, eps: r.eps }).velocities;
      console.log(
        `| ${dim} | ${scenario.kinetic.grid.n.join('×')} | ${gamma} | ${r.eps} | ${nv} | ${r.l1.toExponential(3)} | ${r.relL1.toExponential(3)} | ${i === rows.length - 1 ? rate.toFixed(3) : ''} |`,
      );
    });
  }
