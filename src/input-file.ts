// Reads a file named on the command line; an unreadable file is bad input (exit 2), named with
// the flag it came from.
import { readFileSync } from 'node:fs';
import { ValidationError } from './errors.js';

export function readInputFile(file: string, flag: string, hint?: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ValidationError(`cannot read ${flag} file ${file}: ${reason}`, { hint });
  }
}
