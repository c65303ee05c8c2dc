// Guards a model's lifecycle: one solve at a time, no restore or dispose during a solve, nothing
// after dispose. Without it two overlapping solves would interleave steps on one state.
import { ValidationError } from '../errors.js';

export class ModelGuard {
  private running = false;
  private disposed = false;

  /** Throws unless the model is idle and not disposed; `what` names the refused call. */
  check(what: string): void {
    if (this.disposed)
      throw new ValidationError(
        what,
        'a disposed model',
        'a live model (its memory was given back by dispose())',
      );
    if (this.running)
      throw new ValidationError(
        what,
        'a model with a solve() in progress',
        'an idle model: await the running solve() (or abort it) first',
      );
  }

  /** Runs `body` as the model's only solve. */
  async solving<T>(body: () => Promise<T>): Promise<T> {
    this.check('solve()');
    this.running = true;
    try {
      return await body();
    } finally {
      this.running = false;
    }
  }

  /** Marks the model disposed; returns false if it already was. */
  dispose(): boolean {
    if (this.disposed) return false;
    this.check('dispose()');
    this.disposed = true;
    return true;
  }
}
