// Tags that mark the IAM roles and OIDC providers iamsa created, and for whom. iamsa only updates
// or deletes what carries them, so it never takes over a role someone else made (or a role whose
// generated name happens to collide with another service account's).
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { oneOf } from '../suggest.js';
import { MANAGED_BY_VALUE } from './names.js';
import { MAX_TAGS } from './validate.js';

export const TAG_PREFIX = 'iamsa.io/';
export const TAG_MANAGED_BY = 'iamsa.io/managed-by';
export const TAG_MANAGED_BY_VALUE = MANAGED_BY_VALUE;
export const TAG_CLUSTER = 'iamsa.io/cluster';
export const TAG_NAMESPACE = 'iamsa.io/namespace';
export const TAG_SERVICE_ACCOUNT = 'iamsa.io/service-account';
/** The cluster's ARN: names repeat across regions ("prod" in each), ARNs do not. */
export const TAG_CLUSTER_ARN = 'iamsa.io/cluster-arn';
/** On a Pod Identity association whose role was given (--attach-role-arn): delete keeps the role. */
export const ATTACHED_ROLE_TAG = 'iamsa.io/attached-role';
/** How the role is bound: absent on IRSA roles (as before), `pod-identity` otherwise. */
export const TAG_MECHANISM = 'iamsa.io/mechanism';

/** How a service account gets its role: the IRSA annotation, or an EKS Pod Identity association. */
export type Mechanism = 'irsa' | 'pod-identity';
export const MECHANISMS: readonly Mechanism[] = ['irsa', 'pod-identity'];
/** On iamsa's customer-managed policies: the well-known key the policy is for. */
export const TAG_WELL_KNOWN = 'iamsa.io/well-known-policy';
/** On iamsa's roles: policiesFingerprint of the permissions iamsa last applied (doctor: drift). */
export const TAG_POLICIES = 'iamsa.io/policies';
/**
 * On a role made for a --role-only binding (`roleOnly: true`): its service account is someone
 * else's to create, so a missing one is expected, not an orphan. Removed when the binding names
 * its service account.
 */
export const TAG_ROLE_ONLY = 'iamsa.io/role-only';

/**
 * A role shared by several clusters (docs/decisions/0005-shared-roles.md): the cluster names, for
 * people (cut to fit a tag value), and one `iamsa.io/cluster-arn/<hash>` tag per cluster ARN.
 */
export const TAG_CLUSTERS = 'iamsa.io/clusters';
export const TAG_CLUSTER_ARN_PREFIX = 'iamsa.io/cluster-arn/';

export interface RoleOwner {
  managed: boolean;
  cluster?: string;
  clusterArn?: string;
  /** A shared role: the ARNs of the clusters it was made for. */
  clusterArns?: string[];
  namespace?: string;
  serviceAccount?: string;
}

/** IAM's `{Key, Value}` tag list shape, structurally (no SDK types in src/policy). */
export interface TagEntry {
  Key?: string | undefined;
  Value?: string | undefined;
}

export function roleOwnershipTags(
  cluster: string,
  namespace: string,
  serviceAccount: string,
  clusterArn: string,
): Record<string, string> {
  return {
    [TAG_MANAGED_BY]: TAG_MANAGED_BY_VALUE,
    [TAG_CLUSTER]: cluster,
    [TAG_CLUSTER_ARN]: clusterArn,
    [TAG_NAMESPACE]: namespace,
    [TAG_SERVICE_ACCOUNT]: serviceAccount,
  };
}

/** A binding's ownership tags: the role's (and for Pod Identity, the mechanism's). */
export function bindingOwnershipTags(
  mechanism: Mechanism,
  cluster: string,
  namespace: string,
  serviceAccount: string,
  clusterArn: string,
): Record<string, string> {
  return {
    ...roleOwnershipTags(cluster, namespace, serviceAccount, clusterArn),
    ...(mechanism === 'pod-identity' ? { [TAG_MECHANISM]: mechanism } : {}),
  };
}

/** The tag that records one cluster of a shared role: a short hash of its ARN keys it. */
export const sharedClusterTagKey = (clusterArn: string) =>
  `${TAG_CLUSTER_ARN_PREFIX}${createHash('sha256').update(clusterArn).digest('hex').slice(0, 12)}`;

/** The ownership tags of a role shared by several clusters. */
export function sharedRoleOwnershipTags(
  namespace: string,
  serviceAccount: string,
  clusters: Array<{ name: string; arn: string }>,
): Record<string, string> {
  const names = clusters.map((c) => c.name).join(',');
  return {
    [TAG_MANAGED_BY]: TAG_MANAGED_BY_VALUE,
    [TAG_NAMESPACE]: namespace,
    [TAG_SERVICE_ACCOUNT]: serviceAccount,
    [TAG_CLUSTERS]: names.length <= 256 ? names : `${names.slice(0, 255)}…`,
    ...Object.fromEntries(clusters.map((c) => [sharedClusterTagKey(c.arn), c.arn])),
  };
}

/**
 * iamsa's shared role for this service account, made for at least one of these clusters: a role
 * of the same name made for other clusters only (another team's file) is not taken over.
 */
export function isOwnedSharedRoleFor(
  tags: Record<string, string>,
  clusterArns: string[],
  namespace: string,
  serviceAccount: string,
): boolean {
  const owner = roleOwner(tags);
  return (
    owner.managed &&
    owner.clusterArn === undefined &&
    owner.namespace === namespace &&
    owner.serviceAccount === serviceAccount &&
    (owner.clusterArns ?? []).some((arn) => clusterArns.includes(arn))
  );
}

/**
 * Every tag iamsa puts on a binding's role: its ownership tags and the fingerprint of the
 * permissions it applies (policiesFingerprint). The tag count is checked before the cluster is
 * known with stand-in values: the count does not depend on them.
 */
export function bindingRoleTags(
  mechanism: Mechanism,
  cluster: string,
  namespace: string,
  serviceAccount: string,
  clusterArn: string,
  policiesFingerprint: string,
): Record<string, string> {
  return {
    ...bindingOwnershipTags(mechanism, cluster, namespace, serviceAccount, clusterArn),
    [TAG_POLICIES]: policiesFingerprint,
  };
}

export function providerOwnershipTags(cluster: string): Record<string, string> {
  return { [TAG_MANAGED_BY]: TAG_MANAGED_BY_VALUE, [TAG_CLUSTER]: cluster };
}

/** Whether a role or OIDC provider carries iamsa's managed-by tag, i.e. iamsa made it. */
export const isManagedByIamsa = (tags: Record<string, string>): boolean =>
  tags[TAG_MANAGED_BY] === TAG_MANAGED_BY_VALUE;

/** What of a role's tags is a consistent iamsa record (iamsaRecord). */
export interface IamsaRecord {
  /** The tags are a combination iamsa writes: never the single-cluster and shared forms together. */
  consistent: boolean;
  /** A shared role's clusters, from the `iamsa.io/cluster-arn/<hash>` tags iamsa wrote. */
  clusterArns: string[];
  /** The `iamsa.io/cluster-arn/<hash>` keys that are not iamsa's record (ignored, with a warning). */
  ignored: string[];
}

/**
 * The one rule for reading tags as ownership: iamsa writes either the single-cluster form
 * (iamsa.io/cluster-arn) or the shared form (iamsa.io/clusters and one iamsa.io/cluster-arn/<hash>
 * per cluster), never both, so both together are not iamsa's tags (`consistent` false: the role is
 * foreign). A shared form's cluster-arn/<hash> tag is iamsa's record only when its key is the hash
 * of its value and its cluster's name is in iamsa.io/clusters (any name, when that tag was cut to
 * fit); the others are `ignored`.
 */
export function iamsaRecord(tags: Record<string, string>): IamsaRecord {
  const hashed = Object.entries(tags).filter(([k]) => k.startsWith(TAG_CLUSTER_ARN_PREFIX));
  const listed = tags[TAG_CLUSTERS];
  if (tags[TAG_CLUSTER_ARN] !== undefined || listed === undefined) {
    const consistent = !hashed.length && (tags[TAG_CLUSTER_ARN] === undefined || !listed);
    return { consistent, clusterArns: [], ignored: hashed.map(([k]) => k) };
  }
  const names = listed.split(',');
  const cut = listed.endsWith('…');
  const recorded = ([key, arn]: [string, string]) => {
    const name = /:cluster\/([^/]+)$/.exec(arn)?.[1];
    return key === sharedClusterTagKey(arn) && !!name && (cut || names.includes(name));
  };
  return {
    consistent: true,
    clusterArns: hashed.filter(recorded).map(([, v]) => v),
    ignored: hashed.filter((e) => !recorded(e)).map(([k]) => k),
  };
}

export function roleOwner(tags: Record<string, string>): RoleOwner {
  const owner: RoleOwner = { managed: isManagedByIamsa(tags) };
  if (tags[TAG_CLUSTER] !== undefined) owner.cluster = tags[TAG_CLUSTER];
  if (tags[TAG_CLUSTER_ARN] !== undefined) owner.clusterArn = tags[TAG_CLUSTER_ARN];
  if (tags[TAG_NAMESPACE] !== undefined) owner.namespace = tags[TAG_NAMESPACE];
  if (tags[TAG_SERVICE_ACCOUNT] !== undefined) owner.serviceAccount = tags[TAG_SERVICE_ACCOUNT];
  const shared = iamsaRecord(tags).clusterArns;
  if (shared.length) owner.clusterArns = shared;
  return owner;
}

/** iamsa's role for exactly this service account of exactly this cluster (by ARN, not name). */
export function isOwnedRoleFor(
  tags: Record<string, string>,
  clusterArn: string,
  namespace: string,
  serviceAccount: string,
): boolean {
  const owner = roleOwner(tags);
  return (
    owner.managed &&
    iamsaRecord(tags).consistent &&
    owner.clusterArn === clusterArn &&
    owner.namespace === namespace &&
    owner.serviceAccount === serviceAccount
  );
}

/**
 * The binding (`namespace/name`) an iamsa role's tags name when it is not the given service account:
 * a role handed to another service account (by an association or annotation) is not that one's.
 */
export function iamsaBindingElsewhere(
  tags: Record<string, string>,
  namespace: string,
  serviceAccount: string,
): string | undefined {
  const owner = roleOwner(tags);
  if (!owner.managed || owner.namespace === undefined || owner.serviceAccount === undefined) {
    return undefined;
  }
  const same = owner.namespace === namespace && owner.serviceAccount === serviceAccount;
  return same ? undefined : `${owner.namespace}/${owner.serviceAccount}`;
}

/** The `iamsa.io/` tag keys are reserved for iamsa's ownership tags: a user's is refused. */
export function checkNoReservedTags(userTags: Record<string, string>): void {
  for (const key of Object.keys(userTags)) {
    if (key.toLowerCase().startsWith(TAG_PREFIX)) {
      throw new ValidationError(
        `invalid tag key "${key}": keys starting with "${TAG_PREFIX}" are reserved for iamsa's ownership tags; choose another prefix`,
      );
    }
  }
}

/** User tags plus ownership tags (which win); the `iamsa.io/` keys are reserved for iamsa. */
export function mergeTags(
  userTags: Record<string, string>,
  ownershipTags: Record<string, string>,
): Record<string, string> {
  checkNoReservedTags(userTags);
  const merged = { ...userTags, ...ownershipTags };
  const count = Object.keys(merged).length;
  if (count > MAX_TAGS) {
    throw new ValidationError(
      `too many tags: ${Object.keys(userTags).length} given plus ${Object.keys(ownershipTags).length} added by iamsa make ${count}, and IAM allows at most ${MAX_TAGS}; remove ${count - MAX_TAGS}`,
    );
  }
  return merged;
}

/** From IAM's tag list to a record (entries without a key are dropped). */
export function tagsFromList(list: readonly TagEntry[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const { Key, Value } of list ?? []) if (Key !== undefined) tags[Key] = Value ?? '';
  return tags;
}

/** From a record to IAM's tag list, in key order for stable requests and plans. */
export function tagsToList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key] ?? '' }));
}

/**
 * Whose a role is, by its tags, for a message refusing to touch it: names the tags found, so the
 * user can tell iamsa's role of another binding from someone else's role.
 */
export function describeRoleOwner(tags: Record<string, string>): string {
  const owner = roleOwner(tags);
  const shown = Object.entries(tags).slice(0, 6);
  const list = shown.map(([k, v]) => `${k}=${v}`).join(', ');
  const more = Object.keys(tags).length > shown.length ? ', ...' : '';
  const found = list ? `tags ${list}${more}` : 'no tags';
  if (!owner.managed) return `it is not managed by iamsa: no ${TAG_MANAGED_BY} tag, ${found}`;
  // A shared role names its clusters in one tag each; a damaged role may name none.
  const clusters = owner.clusterArns?.length
    ? `clusters ${owner.clusterArns.join(', ')}`
    : (owner.clusterArn ?? owner.cluster ?? 'an unnamed cluster');
  const account = `${owner.namespace ?? '?'}/${owner.serviceAccount ?? '?'}`;
  return `it is iamsa's role for ${account} of ${clusters}; ${found}`;
}

/** irsa or pod-identity (any case); a near miss (podidentity, pod_identity) is named in the hint. */
export const validateMechanism = (value: string, what = 'mechanism'): Mechanism =>
  oneOf(value, MECHANISMS, what);
