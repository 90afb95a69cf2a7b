// One line for an error, its detail block and a hint line; the stack only with --verbose.
import type { ChalkInstance } from 'chalk';
import { CancelledError, IamsaError } from '../errors.js';

export function renderError(error: unknown, style: ChalkInstance, verbose: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  // Declining is the user's choice, not a failure: no "error:".
  if (error instanceof CancelledError) return `${style.yellow('Cancelled:')} ${message}.`;
  const lines = [`${style.red('error:')} ${message.split('\n')[0]}`];
  if (error instanceof IamsaError && error.detail) {
    lines.push(...error.detail.split('\n').map((line) => `  ${line}`));
  }
  if (error instanceof IamsaError && error.hint) lines.push(`${style.cyan('hint:')} ${error.hint}`);
  if (verbose && error instanceof Error) {
    lines.push(style.dim(trace(error)));
    if (error.cause instanceof Error) lines.push(style.dim(`cause: ${trace(error.cause)}`));
  }
  return lines.join('\n');
}

/** The class name (error.name, not the one the stack header captured) and the frames. */
function trace(error: Error): string {
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return [`${error.name}: ${error.message}`, ...frames].join('\n');
}
