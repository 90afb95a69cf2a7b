// An interrupted apply (Ctrl-C, SIGTERM from CI): steps already started finish, no new step starts,
// and every binding says what was done and what was not, as after a failure. The CLI requests the
// stop; the plan runner marks when it writes and reads the stop between steps.
import { CancelledError } from '../../errors.js';

let controller = new AbortController();
let applying = 0;

export const interruption = {
  /** Whether a plan is being applied now (an interrupt then stops between steps). */
  get applying(): boolean {
    return applying > 0;
  },
  /** Whether a stop was requested: no step starts from then on. */
  get requested(): boolean {
    return controller.signal.aborted;
  },
  request(reason = 'interrupted'): void {
    if (!controller.signal.aborted) controller.abort(reason);
  },
  /** A fresh run (tests run several in one process). */
  reset(): void {
    controller = new AbortController();
  },
  /** The error of a chain of steps the stop cut short (or kept from starting). */
  error(started: boolean): CancelledError {
    const reason = String(controller.signal.reason ?? 'interrupted');
    return new CancelledError(`${reason}: ${started ? 'not finished' : 'not started'}`, {
      hint: 're-run the same command: it keeps what exists and finishes the job',
    });
  },
  /** Runs the writes of an apply. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    applying++;
    try {
      return await work();
    } finally {
      applying--;
    }
  },
};
