// Strang splitting for ∂t u = A u + B(t, u) with A linear and its flow exact:
//   u(t + h) ≈ e^{hA/2} Φ_B(h) e^{hA/2} u(t)        (second order; Strang 1968)
// Φ_B is the problem's own second-order flow of the explicit part. When e^{hA} is positive and
// Φ_B preserves positivity (finite volumes under their CFL bound), so does the whole step.
// The stepper knows nothing of chemotaxis.
import type { Backend, Field } from '../backend/index.js';
import type { Pause, Stepper } from './run.js';

/** A problem split into an exactly integrable linear part and an explicit part. */
export interface SplitProblem {
  readonly backend: Backend;
  /** out = e^{hA} u exactly; out is distinct from u. Awaits `pause` between its transforms. */
  linearFlow(h: number, u: readonly Field[], out: readonly Field[], pause?: Pause): Promise<void>;
  /** out ≈ Φ_B(h) u from time t, at least second order; out is distinct from u. Awaits `pause` between substeps. */
  explicitFlow(
    t: number,
    h: number,
    u: readonly Field[],
    out: readonly Field[],
    pause?: Pause,
  ): Promise<void>;
}

export class StrangStepper implements Stepper {
  readonly order = 2;
  private readonly a: Field[];
  private readonly b: Field[];

  constructor(
    private readonly problem: SplitProblem,
    shape: readonly Field[],
  ) {
    this.a = shape.map((f) => problem.backend.alloc(f.length));
    this.b = shape.map((f) => problem.backend.alloc(f.length));
  }

  /** One Strang step: half the linear flow, the explicit flow, half the linear flow. */
  async step(t: number, h: number, u: readonly Field[], out: readonly Field[], pause?: Pause): Promise<void> {
    await this.problem.linearFlow(h / 2, u, this.a, pause);
    await this.problem.explicitFlow(t, h, this.a, this.b, pause);
    await this.problem.linearFlow(h / 2, this.b, out, pause);
  }
}
