// The measured ε → 0 limit: kinetic ρ_ε against the fractional Keller–Segel solution with the
// limit coefficients, for γ = 0.5 and 0.3. Prints a Markdown table (shown in the README).
// Run: npm run example:limit
import { createBackend, limitStudy, limitStudyScenario } from '../dist/index.js';

const backend = await createBackend('auto');
const epsilons = [1e-1, 1e-2, 1e-3];
console.log('| γ | ε | ‖ρ_ε − ρ‖_L1 | relative | ratio to previous ε |');
console.log('|---|---|---:|---:|---:|');
for (const gamma of [0.5, 0.3]) {
  const { rows } = await limitStudy(backend, { ...limitStudyScenario(gamma), epsilons });
  rows.forEach((r, i) => {
    const ratio = i ? (rows[i - 1].l1 / r.l1).toFixed(2) : '';
    console.log(
      `| ${gamma} | ${r.eps} | ${r.l1.toExponential(3)} | ${r.relL1.toExponential(3)} | ${ratio} |`,
    );
  });
}
