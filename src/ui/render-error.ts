// One line for an error, its detail block and a hint line; the stack only with --verbose.
import type { ChalkInstance } from 'chalk';
import { CancelledError, IamsaError } from '../errors.js';
import { printable, printableLines } from './printable.js';

export function renderError(error: unknown, style: ChalkInstance, verbose: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  // Declining is the user's choice, not a failure: no "error:".
  // The message may carry an endpoint's text: its control characters are shown, not obeyed.
  if (error instanceof CancelledError)
    return `${style.yellow('Cancelled:')} ${printable(message)}.`;
  const lines = [`${style.red('error:')} ${printable(message.split('\n')[0] ?? '')}`];
  if (error instanceof IamsaError && error.detail) {
    lines.push(...printableLines(error.detail).map((line) => `  ${line}`));
  }
  if (error instanceof IamsaError && error.hint)
    lines.push(`${style.cyan('hint:')} ${printable(error.hint)}`);
  if (verbose && error instanceof Error) {
    lines.push(style.dim(trace(error)));
    if (error.cause instanceof Error) lines.push(style.dim(`cause: ${trace(error.cause)}`));
  }
  return lines.join('\n');
}

/** The class name (error.name, not the one the stack header captured) and the frames. */
function trace(error: Error): string {
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return printableLines([`${error.name}: ${error.message}`, ...frames].join('\n')).join('\n');
}
