// Reads a file named on the command line; an unreadable file is bad input (exit 2), named with
// the flag it came from.
import { readFileSync } from 'node:fs';
import { ValidationError } from './errors.js';

/** Node's error codes in words (the ones a file named on a command line runs into). */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

export function readInputFile(file: string, flag: string, hint?: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = (code && REASONS[code]) ?? code ?? (error as Error).message;
    throw new ValidationError(`cannot read ${flag} file ${file}: ${reason}`, { hint });
  }
}
