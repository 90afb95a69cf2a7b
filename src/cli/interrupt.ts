// Ctrl-C and SIGTERM. Before anything is written, the run just ends (exit 130, nothing changed).
// While a plan is applied, the first signal stops new steps and lets the ones in flight finish
// (for at most GRACE_MS), so the result can say what was done and what was not; a second signal,
// or the grace running out, ends the run at once.
import { interruption } from '../actions/engine/interruption.js';

/** How long calls in flight get to finish after an interrupt. */
export const GRACE_MS = 15_000;

/** Installs the handlers; `idle` ends a run that has not started writing. */
export function handleInterrupts(idle: () => unknown): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interruption.applying) return void idle();
    const name = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    if (interruption.requested) {
      process.stderr.write(
        `\n${name} again: stopping now; steps that were in flight may or may not be done; re-run the same command: it reads the current state and finishes the job\n`,
      );
      process.exit(130);
    }
    interruption.request(`interrupted by ${name}`);
    process.stderr.write(
      `\n${name}: starting no new step; waiting for the ones in flight (${name === 'Ctrl-C' ? 'Ctrl-C' : 'the signal'} again stops at once)\n`,
    );
    setTimeout(() => {
      process.stderr.write(
        `steps in flight did not finish within ${GRACE_MS / 1000} s; stopping; re-run the same command: it reads the current state and finishes the job\n`,
      );
      process.exit(130);
    }, GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
