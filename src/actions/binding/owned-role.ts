// Finding iamsa's role for a binding by its ownership tags, not by its name: a binding made with
// roleName: (a file) or --role-name has a role of any name. The default names are read first
// (one GetRole each); only when neither is iamsa's for the binding is every role of the account
// read (GetAccountAuthorizationDetails, which returns the tags).
import type { Role } from '../../aws/iam.js';
import type { ClusterInfo } from '../../aws/eks.js';
import {
  buildPodIdentityTrustStatement,
  defaultRoleName,
  isOwnedRoleFor,
  isOwnedSharedRoleFor,
  parseTrustPolicy,
  type PolicyStatement,
  roleOwner,
  sharedRoleName,
  trustPoliciesEqual,
} from '../../policy/index.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { ClusterOidc } from './cluster-oidc.js';
import type { ClusterSession } from './cluster-session.js';
import { irsaTargetOf } from './role-trust.js';

export interface BindingRef {
  clusterArn: string;
  cluster: string;
  namespace: string;
  name: string;
}

/** Whether these tags say iamsa made the role for this binding (its own or a shared one). */
export const ownsBinding = (tags: Record<string, string>, b: BindingRef): boolean =>
  isOwnedRoleFor(tags, b.clusterArn, b.namespace, b.name) ||
  isOwnedSharedRoleFor(tags, [b.clusterArn], b.namespace, b.name);

/**
 * Whether a role's trust is one iamsa writes for the binding: EVERY statement is iamsa's IRSA
 * statement for exactly this service account (on this cluster's provider, or, for a role several
 * clusters share, on a provider of the account) or iamsa's Pod Identity statement narrowed to this
 * cluster (or to the clusters a shared role records), with no statement twice and at most one per
 * provider. Tags are anyone's to copy; a trust iamsa never wrote (an EC2 role carrying copied
 * tags, or iamsa's statement beside another principal, a Deny or a second service account) is not
 * iamsa's, whatever its tags say.
 */
export function hasBindingTrust(
  role: Role,
  b: BindingRef,
  cluster: ClusterInfo,
  oidc: ClusterOidc,
): boolean {
  let doc;
  try {
    doc = parseTrustPolicy(role.trustPolicy, `the trust policy of role ${role.name}`);
  } catch {
    return false;
  }
  const sharedArns = roleOwner(role.tags).clusterArns;
  const podIdentity = [[cluster.arn], ...(sharedArns?.length ? [sharedArns] : [])].map(
    (clusterArns) => buildPodIdentityTrustStatement({ accountId: cluster.accountId, clusterArns }),
  );
  const one = (st: PolicyStatement) => ({ Version: '2012-10-17', Statement: [st] });
  const seen = new Set<string>();
  const ours = (st: PolicyStatement): boolean => {
    const irsa = irsaTargetOf(st, b, cluster.accountId);
    const key = irsa
      ? irsa.providerArn
      : podIdentity.some((p) => trustPoliciesEqual(one(st), one(p)))
        ? 'pod-identity'
        : undefined;
    if (key === undefined || seen.has(key)) return false;
    if (irsa && irsa.providerArn !== oidc.providerArn && !sharedArns) return false;
    seen.add(key);
    return true;
  };
  return doc.Statement.length > 0 && doc.Statement.every(ours);
}

/**
 * The one ownership rule for deleting a role, on every path (IRSA, Pod Identity, a migrated
 * binding, --prune): its tags name the binding (`tagged`: the path's own test, by default
 * ownsBinding) AND its whole trust is iamsa's for it (hasBindingTrust). A role whose tags name the
 * binding but whose trust is not iamsa's is `foreign`: kept, with IRSA-W048 (foreignTrustWarning).
 */
export async function judgeRoleForDeletion(
  session: ClusterSession,
  role: Role | undefined,
  b: BindingRef,
  tagged: (tags: Record<string, string>) => boolean = (tags) => ownsBinding(tags, b),
): Promise<{ owned?: Role; foreign?: Role }> {
  if (!role || !tagged(role.tags)) return {};
  // A cluster without an OIDC provider: no IRSA statement can be iamsa's.
  const [cluster, oidc] = await Promise.all([
    session.cluster(),
    session.oidc().catch(() => ({ providerArn: '' }) as ClusterOidc),
  ]);
  return hasBindingTrust(role, b, cluster, oidc) ? { owned: role } : { foreign: role };
}

/** The warning for a role found by its tags alone whose trust is not iamsa's. */
export const foreignTrustWarning = (role: Role, b: BindingRef): Warning =>
  coded(
    'IRSA-W048',
    `role ${role.name} carries iamsa's tags for ${b.namespace}/${b.name} but its trust is not iamsa's: not deleted`,
  );

/**
 * iamsa's role for the binding: by its default names, else by the tags of every role (the first
 * by name when a hand edit left several). `known` are roles already read (skipped by name). A
 * role found by its tags alone counts only with iamsa's trust for the binding (hasBindingTrust);
 * the others are passed to `onForeign`.
 */
export async function findOwnedRole(
  session: ClusterSession,
  b: BindingRef,
  known: Array<Role | undefined> = [],
  onForeign: (w: Warning) => void = (w) => session.reporter.warn(w),
): Promise<Role | undefined> {
  const owned = (r: Role | undefined): r is Role => !!r && ownsBinding(r.tags, b);
  const found = known.find(owned);
  if (found) return found;
  const read = new Set(known.flatMap((r) => (r ? [r.name.toLowerCase()] : [])));
  const names = [
    defaultRoleName(b.cluster, b.namespace, b.name),
    sharedRoleName(b.namespace, b.name),
  ];
  const byName = await Promise.all(
    names.filter((n) => !read.has(n.toLowerCase())).map((n) => session.iam.getRole(n)),
  );
  const named = byName.find(owned);
  if (named) return named;
  const all = await session.reporter.progress("Looking for iamsa's role by its tags", () =>
    session.iam.listRoleDetails(),
  );
  const tagged = all.filter(owned).sort((x, y) => x.name.localeCompare(y.name));
  if (!tagged.length) return undefined;
  const [cluster, oidc] = await Promise.all([session.cluster(), session.oidc()]);
  const trusted = tagged.find((r) => hasBindingTrust(r, b, cluster, oidc));
  if (!trusted) tagged.forEach((r) => onForeign(foreignTrustWarning(r, b)));
  return trusted;
}
