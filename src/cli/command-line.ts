import { shellQuote } from '../policy/shell-quote.js';

// Rebuilds a runnable command line, e.g. the one to apply a plan.
export function applyCommandLine(argv: string[]): string {
  const args = argv.filter((a) => a !== '--approve');
  return ['iamsa', ...args, '--approve'].map(shellQuote).join(' ');
}
