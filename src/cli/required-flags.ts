// Flags a command cannot run without, checked before anything else (commander's own required
// options would fire before a mistyped flag is reported, so iamsa checks them itself).
import { ValidationError } from '../errors.js';

/** The error naming every required flag left out, or undefined when all are there. */
export function missingFlags(
  command: string,
  usage: string,
  given: Record<string, unknown>,
): ValidationError | undefined {
  const missing = Object.entries(given)
    .filter(([, value]) => value === undefined || value === '')
    .map(([flag]) => flag);
  if (!missing.length) return undefined;
  return new ValidationError(
    `missing required flag${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
    { hint: `${usage}; see 'iamsa ${command} --help'` },
  );
}
