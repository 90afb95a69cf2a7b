// Renders what actions report: a spinner on a terminal, plain lines in logs, timing with --verbose.
import type { ChalkInstance } from 'chalk';
import type { Reporter } from '../actions/reporter.js';
import type { Terminal } from './terminal.js';

export function createReporter(
  terminal: Terminal,
  style: ChalkInstance,
  verbose: boolean,
): Reporter {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  return {
    async progress(label, work) {
      const started = performance.now();
      const elapsed = () =>
        verbose ? style.dim(` (${Math.round(performance.now() - started)} ms)`) : '';
      if (!terminal.spinners) {
        const result = await work();
        if (verbose) write(`${style.green('✓')} ${label}${elapsed()}`);
        return result;
      }
      const { default: ora } = await import('ora');
      const spinner = ora({ text: label, stream: process.stderr, color: 'cyan' }).start();
      try {
        const result = await work();
        spinner.succeed(`${label}${elapsed()}`);
        return result;
      } catch (error) {
        spinner.fail(label);
        throw error;
      }
    },
    info: (message) => write(message),
    warn: (message) => write(`${style.yellow('warning:')} ${message}`),
  };
}
