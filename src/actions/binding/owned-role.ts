// Finding iamsa's role for a binding by its ownership tags, not by its name: a binding made with
// roleName: (a file) or --role-name has a role of any name. The default names are read first
// (one GetRole each); only when neither is iamsa's for the binding is every role of the account
// read (GetAccountAuthorizationDetails, which returns the tags).
import type { Role } from '../../aws/iam.js';
import type { ClusterInfo } from '../../aws/eks.js';
import {
  defaultRoleName,
  evaluatePodIdentityTrust,
  isOwnedRoleFor,
  isOwnedSharedRoleFor,
  parseTrustPolicy,
  sharedRoleName,
  trustScope,
} from '../../policy/index.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { ClusterOidc } from './cluster-oidc.js';
import type { ClusterSession } from './cluster-session.js';

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
 * Whether a role's trust has the shape iamsa gives a binding's role: it names exactly that service
 * account through the cluster's OIDC provider, or it is a Pod Identity trust that admits the
 * binding's associations of this cluster. Tags are anyone's to copy; a trust iamsa never wrote
 * (an EC2 role carrying copied tags) is not iamsa's, whatever its tags say.
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
  const scope = trustScope(doc, { providerArn: oidc.providerArn, issuerHostPath: oidc.hostPath });
  if (scope.exactSubjects.some((s) => s.namespace === b.namespace && s.name === b.name))
    return true;
  return evaluatePodIdentityTrust(doc, {
    accountId: cluster.accountId,
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    namespace: b.namespace,
    serviceAccount: b.name,
  }).admits;
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
