// Renders what actions report: one spinner on a terminal (however many tasks run at once), plain
// lines in logs, timings with --verbose.
import type { ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import type { Reporter } from '../actions/engine/reporter.js';
import { printable } from './printable.js';
import type { Terminal } from './terminal.js';

export function createReporter(
  terminal: Terminal,
  style: ChalkInstance,
  verbose: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
): Reporter {
  // A line written while the spinner spins would be overdrawn: pause it around the line.
  const write = (line: string) => {
    const spinning = spinner?.isSpinning;
    if (spinning) spinner?.stop();
    stderr.write(`${line}\n`);
    if (spinning) spinner?.start(spinnerText());
  };
  const active: string[] = [];
  const warned = new Set<string>();
  let spinner: Ora | undefined;

  const spinnerText = () =>
    active.length > 1 ? `${active[0]} (+${active.length - 1} more)` : (active[0] ?? '');

  const begin = async (label: string) => {
    active.push(label);
    if (!spinner) {
      const { default: ora } = await import('ora');
      spinner ??= ora({ stream: stderr as NodeJS.WriteStream, color: 'cyan', discardStdin: false });
    }
    spinner.text = spinnerText();
    if (!spinner.isSpinning) spinner.start();
  };

  // Persists one finished task as a line above the spinner, which keeps going for the others.
  const end = (label: string, symbol: string, text = label) => {
    active.splice(active.indexOf(label), 1);
    if (!spinner) return;
    spinner.stopAndPersist({ symbol, text });
    if (active.length) spinner.start(spinnerText());
  };

  return {
    async progress(raw, work) {
      const label = printable(raw);
      const started = performance.now();
      const timed = () =>
        `${label}${verbose ? style.dim(` (${Math.round(performance.now() - started)} ms)`) : ''}`;
      if (!terminal.spinners) {
        const result = await work();
        if (verbose) write(`${style.green('✓')} ${timed()}`);
        return result;
      }
      await begin(label);
      try {
        const result = await work();
        end(label, style.green('✔'), timed());
        return result;
      } catch (error) {
        end(label, style.red('✖'));
        throw error;
      }
    },
    // A warning is said once, however many parts of a run (the connection, the result) carry it.
    warn: (message) => {
      if (warned.has(message)) return;
      warned.add(message);
      // A warning quotes names and errors from outside: one line, no control character obeyed.
      write(`${style.yellow('warning:')} ${printable(message)}`);
    },
  };
}
