// The rule for what a command only reads to be thorough (the other mechanism, add-ons, the
// account-wide scan, a simulation): when the endpoint lacks the API or the credentials may not
// call it, the command goes on without it and says, in one coded warning, which call was not
// made, why, and what was therefore not checked. What a command needs for its job is read with
// the plain gateways and fails it.
import { type Unavailability, unavailability } from '../../aws/errors.js';
import { coded, type Warning, type WarningCode } from './warning-kinds.js';

/** The warning's code, one per reason: scripts can match it. */
export const UNCHECKED_CODES: Record<Unavailability, WarningCode> = {
  'not found': 'UNCHECKED_API_NOT_FOUND',
  'access denied': 'UNCHECKED_ACCESS_DENIED',
  'not implemented': 'UNCHECKED_NOT_IMPLEMENTED',
};

export interface OptionalRead {
  /** The IAM action of the call, e.g. eks:ListPodIdentityAssociations. */
  call: string;
  /** What is not checked without it, e.g. "Pod Identity associations of cluster demo". */
  unchecked: string;
}

export interface Unchecked {
  code: WarningCode;
  call: string;
  reason: Unavailability;
  warning: Warning;
}

/** The unavailability of a failed optional read, or undefined when the failure is a real one. */
export function uncheckedBy(read: OptionalRead, error: unknown): Unchecked | undefined {
  const reason = unavailability(error);
  if (!reason) return undefined;
  const code = UNCHECKED_CODES[reason];
  const what =
    reason === 'access denied'
      ? `access denied (grant ${read.call})`
      : reason === 'not found'
        ? 'not found at this endpoint'
        : 'not implemented by this endpoint';
  return {
    code,
    call: read.call,
    reason,
    warning: coded(code, `${read.call} ${what}: not checked: ${read.unchecked}`),
  };
}

/**
 * Runs an optional read: its result, or undefined with the warning pushed to `warnings` when the
 * API is unavailable. Any other failure is thrown as it is.
 */
export async function optionalRead<T>(
  warnings: Warning[],
  read: OptionalRead,
  run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    const unchecked = uncheckedBy(read, error);
    if (!unchecked) throw error;
    if (!warnings.includes(unchecked.warning)) warnings.push(unchecked.warning);
    return undefined;
  }
}
