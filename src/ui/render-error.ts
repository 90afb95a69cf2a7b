// One line for an error (plus a hint line), the stack only with --verbose.
import type { ChalkInstance } from 'chalk';
import { IamsaError } from '../errors.js';

export function renderError(error: unknown, style: ChalkInstance, verbose: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`${style.red('error:')} ${message.split('\n')[0]}`];
  if (error instanceof IamsaError && error.hint) lines.push(`${style.cyan('hint:')} ${error.hint}`);
  if (verbose && error instanceof Error && error.stack) {
    lines.push(style.dim(error.stack));
    if (error.cause instanceof Error && error.cause.stack)
      lines.push(style.dim(`cause: ${error.cause.stack}`));
  }
  return lines.join('\n');
}
