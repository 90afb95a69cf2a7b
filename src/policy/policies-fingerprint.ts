// What iamsa records on its roles about their permissions, so `iamsa doctor` can tell a role whose
// policies were changed outside iamsa. A hash, not a list: twenty ARNs and an inline document do
// not fit in a tag's 256 characters. It covers the role's state once iamsa's apply is done (every
// attached managed policy, iamsa's own well-known ones included, and iamsa's inline policy), so a
// converged re-run computes the same value and writes nothing.
import { createHash } from 'node:crypto';
import { decodePolicyText } from './json-text.js';
import { canonicalJson } from './same-json.js';

/** The inline policy iamsa writes from --attach-policy (the only one it writes). */
export const INLINE_POLICY_NAME = 'iamsa-inline';
/** Hex digits kept of the sha256: enough to tell a change, short enough to read in a plan. */
export const POLICIES_FINGERPRINT_LENGTH = 12;

export interface RolePermissions {
  /** ARNs of the attached managed policies, in any order. */
  managedArns: readonly string[];
  /** iamsa's inline policy as IAM holds it (URL-encoded or not), or as iamsa writes it. */
  inlinePolicy?: string;
}

export function policiesFingerprint(p: RolePermissions): string {
  const managed = [...new Set(p.managedArns)].sort();
  const inline = p.inlinePolicy === undefined ? null : canonicalPolicyText(p.inlinePolicy);
  return createHash('sha256')
    .update(JSON.stringify({ managed, inline }))
    .digest('hex')
    .slice(0, POLICIES_FINGERPRINT_LENGTH);
}

/** Up to this many attached policies, the subset a fingerprint records is searched for. */
export const RECORDED_SEARCH_MAX = 10;

/**
 * Which of the attached policies a recorded fingerprint covers (with the inline policy as given):
 * the fingerprint is a hash, so the subsets of the attached ones are tried, largest first. What is
 * attached beyond that subset was attached outside iamsa. Undefined when none matches (a policy
 * iamsa applied was detached, the inline policy was edited, or too many are attached to search).
 */
export function recordedSubset(
  recorded: string,
  managedArns: readonly string[],
  inlinePolicy: string | undefined,
): string[] | undefined {
  const attached = [...new Set(managedArns)];
  if (attached.length > RECORDED_SEARCH_MAX) return undefined;
  for (let mask = (1 << attached.length) - 1; mask >= 0; mask--) {
    const declared = attached.filter((_, i) => mask & (1 << i));
    if (policiesFingerprint({ managedArns: declared, inlinePolicy }) === recorded) return declared;
  }
  return undefined;
}

/** Key order and spacing do not change a policy (IAM may return it re-encoded). */
function canonicalPolicyText(text: string): string {
  let decoded = text;
  try {
    decoded = decodePolicyText(text, 'the inline policy');
    return canonicalJson(JSON.parse(decoded));
  } catch {
    // Not JSON (IAM would not hold that): the text itself still tells a change.
    return decoded;
  }
}
