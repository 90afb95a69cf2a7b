// The default role names: readable, hashed when too long. Apart from names.ts because of the hash:
// node:crypto is not part of the CLI's first load (help, usage errors).
import { createHash } from 'node:crypto';

export const ROLE_NAME_MAX_LENGTH = 64;
/** Length of the hash suffix defaultRoleName appends when the readable name does not fit. */
export const ROLE_NAME_HASH_LENGTH = 10;

/**
 * The role name iamsa uses when none is given. Scheme:
 * 1. readable = `iamsa-<cluster>-<namespace>-<sa>`, every character outside IAM's
 *    `[A-Za-z0-9+=,.@_-]` replaced by `-`;
 * 2. if readable is at most 64 characters, that is the name;
 * 3. otherwise the first 53 characters of readable + `-` + the first 10 hex digits of
 *    sha256(`<cluster>/<namespace>/<sa>`): exactly 64 characters. The hash is over the raw,
 *    `/`-separated inputs, so long names that share a prefix (or differ only where truncated)
 *    still differ; 40 bits make an accidental collision negligible.
 * Caveat: readable names are not injective (`a-b`/`c` vs `a`/`b-c`), and IAM names are unique
 * ignoring case; callers must check the ownership tags of an existing role before adopting it.
 */
export function defaultRoleName(
  cluster: string,
  namespace: string,
  serviceAccount: string,
): string {
  const readable = `iamsa-${cluster}-${namespace}-${serviceAccount}`.replace(
    /[^A-Za-z0-9+=,.@_-]/gu,
    '-',
  );
  if (readable.length <= ROLE_NAME_MAX_LENGTH) return readable;
  const hash = createHash('sha256')
    .update(`${cluster}/${namespace}/${serviceAccount}`)
    .digest('hex')
    .slice(0, ROLE_NAME_HASH_LENGTH);
  return `${readable.slice(0, ROLE_NAME_MAX_LENGTH - ROLE_NAME_HASH_LENGTH - 1)}-${hash}`;
}

/**
 * The default name of a role shared by several clusters: `iamsa-shared-<namespace>-<sa>` (the
 * same scheme as defaultRoleName), so adding or removing a cluster keeps the role.
 */
export const sharedRoleName = (namespace: string, serviceAccount: string) =>
  defaultRoleName('shared', namespace, serviceAccount);
