// The role a binding should have, derived (pure) from the checked binding, its cluster and the role
// as it is: the whole trust, the tags, the permissions after and the fingerprint that records them.
// plan-role.ts diffs it against the role into create/update steps.
import { closest } from '../../suggest.js';
import type { ClusterInfo } from '../../aws/eks.js';
import type { Role } from '../../aws/iam.js';
import {
  bindingRoleTags,
  INLINE_POLICY_NAME,
  mergeTags,
  type PolicyDocument,
  policiesFingerprint,
  recordedSubset,
  roleArn,
  sharedRoleOwnershipTags,
  iamsaRecord,
  TAG_CLUSTER_ARN_PREFIX,
  TAG_CLUSTERS,
  TAG_IRSA_TRUST_PREFIX,
  TAG_ROLE_ONLY,
  TAG_MECHANISM,
  TAG_MIGRATION,
  TAG_POLICIES,
} from '../../policy/index.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import { labelOf } from './spec.js';
import type { CheckedBinding } from './check.js';
import { type RoleTrust, wholeTrust } from './role-trust.js';

/** The role as IAM has it now (no role: it is to be made). */
export interface RoleState {
  /**
   * The name it was read under: the checked binding's, or for an update where the service account
   * or association points (found while planning; the checked binding is not rewritten).
   */
  name: string;
  role?: Role;
  attached: string[];
  inline?: string;
  /** Inline policies under names other than iamsa's (made outside iamsa). */
  otherInline?: string[];
}

/** What the well-known policies add to the role's attachments. */
export interface AlsoAttached {
  /** AWS-managed ARNs attached like --attach-policy-arn. */
  managedArns: string[];
  /** iamsa's own policies (attached by their own steps). */
  ownArns: string[];
  /** iamsa's own policies being detached and deleted (by their own steps). */
  prunedArns: string[];
  /** AWS-managed ARNs of well-known keys an update removes: detached unless still wanted. */
  removedArns?: string[];
}

export const NOTHING_ELSE: AlsoAttached = { managedArns: [], ownArns: [], prunedArns: [] };

/** A role shared by several clusters (docs/decisions/0005-shared-roles.md). */
export interface SharedRole {
  clusters: ClusterInfo[];
  /** Drop the statements and tags of clusters no longer listed (--prune). */
  prune: boolean;
  /** The providers of the clusters the role records and the file no longer lists (kept). */
  recorded?: ReadonlySet<string>;
}

export interface DesiredRole {
  name: string;
  arn: string;
  trust: PolicyDocument;
  /** The trust change as the plan says it. */
  trustSummary: string;
  migrating: boolean;
  tags: Record<string, string>;
  /** Cluster tags to remove (a pruned shared role forgets the clusters it no longer trusts). */
  untag: string[];
  /** Managed policies the binding asks for, in order. */
  attach: string[];
  /** Managed policies to detach: asked for (update), or not declared (apply -f). */
  detach: string[];
  /** The inline policy goes: asked for (update), or not declared (apply -f). */
  deleteInline: boolean;
  /** Inline policies iamsa did not write, deleted as drift (apply -f). */
  deleteOtherInline: string[];
  /** What the role holds once applied. */
  managedAfter: string[];
  inlineAfter?: string;
  /** managedAfter less drift, and inlineAfter when it is iamsa's (asked for, or recorded). */
  fingerprint: string;
  warnings: Warning[];
}

export interface RoleContext {
  trust: RoleTrust;
  also?: AlsoAttached;
  shared?: SharedRole;
}

export function desiredRole(
  input: CheckedBinding,
  cluster: ClusterInfo,
  current: RoleState,
  how: RoleContext,
): DesiredRole {
  const { role } = current;
  const { shared, trust: roleTrust } = how;
  const also = how.also ?? NOTHING_ELSE;
  const whole = wholeTrust(input, cluster, role, roleTrust, shared);
  const { name } = current;
  const arn = role?.arn ?? roleArn(cluster.partition, cluster.accountId, input.rolePath, name);

  // Permissions: a file (declared) is the whole state; flags add, and an update removes on request.
  const attach = [...new Set([...input.policyArns, ...also.managedArns])];
  const wanted = new Set([...attach, ...also.ownArns]);
  const asked = [...(input.update?.detachPolicyArns ?? []), ...(also.removedArns ?? [])];
  const detach = current.attached.filter(
    (a) => !also.prunedArns.includes(a) && !wanted.has(a) && (input.declared || asked.includes(a)),
  );
  const kept = current.attached.filter((a) => !also.prunedArns.includes(a) && !detach.includes(a));
  const managedAfter = [...new Set([...kept, ...attach, ...also.ownArns])];
  const deleteInline =
    current.inline !== undefined &&
    !input.inlinePolicy &&
    (!!input.update?.removeInlinePolicy || !!input.declared);
  const otherInline = current.otherInline ?? [];
  const deleteOtherInline = input.declared ? otherInline : [];
  const inlineAfter = input.inlinePolicy
    ? JSON.stringify(input.inlinePolicy.document)
    : deleteInline
      ? undefined
      : current.inline;
  // Flags add to what iamsa applied before (its fingerprint's subset); a policy attached outside
  // iamsa is left on the role but never recorded, so doctor still tells it. Without a readable
  // record nothing attached is taken for iamsa's: only what is asked for now is recorded.
  const applied = input.declared || !role ? undefined : appliedBefore(role, current, inlineAfter);
  const before = applied?.managedArns;
  const unrecorded = !input.declared && !!role && before === undefined;
  const drift =
    before || unrecorded ? kept.filter((a) => !(before ?? []).includes(a) && !wanted.has(a)) : [];
  const recordedArns = managedAfter.filter((a) => !drift.includes(a));
  // The inline policy is recorded only as iamsa wrote it: asked for now, or the one its record
  // holds. One edited outside iamsa (or never recorded) is left as it is, said, and not recorded.
  const inlineDrift =
    !input.inlinePolicy && inlineAfter !== undefined && applied?.inline !== inlineAfter;
  const inlineRecorded = inlineDrift ? undefined : inlineAfter;
  const fingerprint = policiesFingerprint({
    managedArns: recordedArns,
    inlinePolicy: inlineRecorded,
  });

  const tags = mergeTags(
    input.tags,
    shared
      ? {
          ...sharedRoleOwnershipTags(input.namespace, input.name, shared.clusters),
          [TAG_POLICIES]: fingerprint,
        }
      : bindingRoleTags(
          roleTrust.mechanism,
          input.cluster,
          input.namespace,
          input.name,
          cluster.arn,
          fingerprint,
        ),
  );
  if (input.roleOnly) tags[TAG_ROLE_ONLY] = 'true';
  if (shared && role && !shared.prune && role.tags[TAG_CLUSTERS]) {
    // Clusters no longer listed stay trusted until --prune, and so stay named.
    const names = new Set([
      ...role.tags[TAG_CLUSTERS].split(','),
      ...shared.clusters.map((c) => c.name),
    ]);
    const joined = [...names].join(',');
    tags[TAG_CLUSTERS] = joined.length <= 256 ? joined : `${joined.slice(0, 255)}…`;
  }
  // Tags that are not iamsa's record of a cluster go (IRSA-W058), as do, with --prune, those of
  // the clusters the file no longer lists.
  const ignored = shared && role ? iamsaRecord(role.tags).ignored.filter((k) => !(k in tags)) : [];
  const untag =
    shared?.prune && role
      ? Object.keys(role.tags).filter((k) => k.startsWith(TAG_CLUSTER_ARN_PREFIX) && !(k in tags))
      : ignored;

  const warnings: Warning[] = [];
  if (ignored.length) {
    warnings.push(
      coded(
        'IRSA-W058',
        `role ${name} has ${ignored.map((k) => `${k}=${role?.tags[k]}`).join(', ')}, which is not iamsa's record of a cluster (its key is not the hash of its value, or its cluster is not in ${TAG_CLUSTERS}): ignored, and removed with any statement for that cluster`,
      ),
    );
  }
  if (whole.kept) {
    // Said in every plan, not only when the trust changes: "unchanged" never hides them.
    warnings.push(
      coded(
        'IRSA-W057',
        `role ${name} keeps the trust statements of ${whole.kept} cluster(s) the file no longer lists for ${input.namespace}/${input.name}: their pods keep the role until apply --prune`,
      ),
    );
  }
  // A policy asked to be detached that the role does not have is most likely a typo: said, with
  // the nearest attached one, instead of a quiet "Nothing to do".
  for (const arn of input.update?.detachPolicyArns ?? []) {
    if (!role || current.attached.includes(arn)) continue;
    const near = closest(arn, current.attached);
    warnings.push(
      coded(
        'IRSA-W059',
        `--detach-policy-arn ${arn} is not attached to role ${name}: nothing to detach${near ? `; did you mean ${near}?` : current.attached.length ? `; it has ${current.attached.join(', ')}` : '; it has no managed policy attached'}`,
      ),
    );
  }
  // Flags add: what the role has beyond them is said, not removed (apply -f removes it).
  const extra = input.declared ? [] : input.update ? drift : kept.filter((a) => !wanted.has(a));
  if (!input.declared) extra.push(...otherInline.map((p) => `inline policy ${p}`));
  if (inlineDrift) {
    extra.push(
      `inline policy ${INLINE_POLICY_NAME} (not the one iamsa recorded: changed outside iamsa, so not recorded; ${labelOf(input, 'inlinePolicy')} sets it again)`,
    );
  }
  if (extra.length) {
    warnings.push(
      coded(
        'IRSA-W002',
        `role ${name} also has policies iamsa was not asked for and leaves alone: ${extra.join(', ')} (apply -f removes what its file does not list)${drift.length ? `; ${drift.join(', ')} ${drift.length > 1 ? 'were' : 'was'} attached outside iamsa and ${drift.length > 1 ? 'are' : 'is'} not recorded as the binding's (doctor IRSA010 still tells it)` : ''}`,
      ),
    );
  }
  if (unrecorded && drift.length) {
    const record = role?.tags[TAG_POLICIES];
    warnings.push(
      coded(
        'IRSA-W055',
        `role ${name} has no readable record of the policies iamsa applied (${record === undefined ? `no ${TAG_POLICIES} tag` : `${TAG_POLICIES}=${record} matches none of the attached ones`}): ${drift.join(', ')} ${drift.length > 1 ? 'are' : 'is'} left attached but not recorded as the binding's; name what it should have with ${labelOf(input, 'policyArns')}`,
      ),
    );
  }
  if (
    role &&
    whole.migrating &&
    roleTrust.mechanism === 'irsa' &&
    role.tags[TAG_MECHANISM] === 'pod-identity'
  ) {
    warnings.push(
      coded(
        'IRSA-W001',
        `${input.namespace}/${input.name}: role ${name} was migrated to Pod Identity (migrate-to-pod-identity --remove-irsa); this IRSA binding undoes the migration (it re-adds the OIDC trust and the annotation); ${input.source.eksctl ? 'move its entry from iam.serviceAccounts to iam.podIdentityAssociations' : `declare ${labelOf(input, 'mechanism')}: pod-identity`} to keep Pod Identity`,
      ),
    );
  }
  if (whole.staleMigrationTag) {
    warnings.push(
      coded(
        'IRSA-W053',
        `role ${name} has the ${TAG_MIGRATION} tag, but not the migration iamsa records with it (the ${TAG_IRSA_TRUST_PREFIX}N record and the Pod Identity statement for this cluster): the tag is ignored and the trust is this binding's ${roleTrust.mechanism === 'irsa' ? 'IRSA' : 'Pod Identity'} statement only`,
      ),
    );
  }
  const trustSummary = shared
    ? `${roleTrust.summary}${whole.kept ? ` (keeping ${whole.kept} for clusters no longer listed; --prune drops them)` : ''}`
    : whole.migrating
      ? `${roleTrust.summary} and the other mechanism's statement (the role is being migrated)`
      : `${roleTrust.summary} only`;
  return {
    name,
    arn,
    trust: whole.document,
    trustSummary,
    migrating: whole.migrating,
    tags,
    untag,
    attach,
    detach,
    deleteInline,
    deleteOtherInline,
    managedAfter,
    inlineAfter,
    fingerprint,
    warnings,
  };
}

/**
 * The managed policies iamsa applied to the role before, and the inline policy its record holds
 * (as it is, as it is to be, or none), found from its recorded fingerprint; undefined when there is no record or none matches
 * (then nothing attached is adopted: IRSA-W055).
 */
function appliedBefore(
  role: Role | undefined,
  current: RoleState,
  inlineAfter: string | undefined,
): { managedArns: string[]; inline: string | undefined } | undefined {
  const recorded = role?.tags[TAG_POLICIES];
  if (recorded === undefined) return undefined;
  // The record may hold no inline policy: one put by hand since is then not iamsa's.
  for (const inline of new Set([current.inline, inlineAfter, undefined])) {
    const found = recordedSubset(recorded, current.attached, inline);
    if (found) return { managedArns: found, inline };
  }
  return undefined;
}
