// The ownership rules: when a role is iamsa's for a binding. Tags are anyone's to copy, so tags
// alone never make a role iamsa's: its trust must hold what iamsa writes for that binding. One
// function per rule, used by every command (create, update, apply, delete, prune).
import { sameRoleArn } from './names.js';
import {
  iamsaRecord,
  isOwnedRoleFor,
  isOwnedSharedRoleFor,
  roleOwner,
  TAG_CLUSTER_ARN_PREFIX,
  TAG_CLUSTERS,
} from './ownership.js';
import { buildPodIdentityTrustStatement } from './pod-identity-trust.js';
import type { PolicyDocument, PolicyStatement } from './policy-document.js';
import { buildTrustStatement, type TrustTarget, trustPoliciesEqual } from './trust-policy.js';

/** The binding a role may be iamsa's for: the cluster by ARN, the service account. */
export interface OwnedBinding {
  clusterArn: string;
  namespace: string;
  name: string;
  /** A file's subjectPattern: iamsa's statement then matches it. */
  subjectPattern?: string;
}

/**
 * Rule 1: the role's tags name the binding (its own role, or a shared one recording the cluster).
 * The single-cluster tags name it even beside shared-role tags iamsa never writes with them (so a
 * delete calls such a role foreign, IRSA-W048); it is iamsa's only if they are a consistent
 * record (iamsaRecord, required by isOwnedRoleFor and by rule 3).
 */
export const tagsNameBinding = (tags: Record<string, string>, b: OwnedBinding): boolean =>
  isOwnedRoleFor(singleClusterTags(tags), b.clusterArn, b.namespace, b.name) ||
  isOwnedSharedRoleFor(tags, [b.clusterArn], b.namespace, b.name);

const singleClusterTags = (tags: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(tags).filter(
      ([k]) => k !== TAG_CLUSTERS && !k.startsWith(TAG_CLUSTER_ARN_PREFIX),
    ),
  );

const one = (st: PolicyStatement): PolicyDocument => ({ Version: '2012-10-17', Statement: [st] });
const federatedOf = (s: PolicyStatement): unknown =>
  (s.Principal as { Federated?: unknown } | undefined)?.Federated;

/**
 * The target whose iamsa IRSA statement `s` is exactly (an OIDC provider of the account, this
 * binding's subject or the subject pattern the binding itself declares, one audience), or
 * undefined: anything else is not iamsa's. A wildcard subject counts only when the binding declares
 * exactly that pattern: `default:*` is nobody's in particular.
 */
export function iamsaIrsaTarget(
  s: PolicyStatement,
  b: { namespace: string; name: string; subjectPattern?: string | undefined },
  accountId: string | undefined,
): TrustTarget | undefined {
  const federated = federatedOf(s);
  if (typeof federated !== 'string') return undefined;
  const m = /^arn:[a-z-]+:iam::(\d{12}):oidc-provider\/(.+)$/.exec(federated);
  if (!m || (accountId !== undefined && m[1] !== accountId)) return undefined;
  const host = m[2]!;
  const condition = s.Condition as Record<string, Record<string, unknown> | undefined> | undefined;
  const audience = condition?.StringEquals?.[`${host}:aud`];
  if (typeof audience !== 'string') return undefined;
  const target: TrustTarget = {
    providerArn: federated,
    issuerHostPath: host,
    namespace: b.namespace,
    serviceAccount: b.name,
    audience,
    ...(b.subjectPattern !== undefined ? { subjectPattern: b.subjectPattern } : {}),
  };
  return trustPoliciesEqual(one(s), one(buildTrustStatement(target))) ? target : undefined;
}

/** Whether `s` is iamsa's Pod Identity statement narrowed to exactly these clusters. */
const isPodIdentityStatementFor = (s: PolicyStatement, accountId: string, clusterArns: string[]) =>
  trustPoliciesEqual(one(s), one(buildPodIdentityTrustStatement({ accountId, clusterArns })));

/**
 * Rule 2 (create, update, apply): the trust already holds iamsa's statement for this binding on
 * this cluster: the IRSA statement on one of `providerArns` (the cluster's, or a shared role's
 * listed clusters'), or the Pod Identity statement narrowed to this cluster. What else it holds is
 * drift the plan removes; a trust without it (an EC2 role carrying copied tags) is not iamsa's.
 */
export function trustHoldsBindingStatement(
  trust: PolicyDocument,
  b: OwnedBinding,
  accountId: string,
  providerArns: readonly string[],
): boolean {
  return trust.Statement.some((s) => {
    const irsa = iamsaIrsaTarget(s, b, accountId);
    if (irsa) return providerArns.includes(irsa.providerArn);
    return isPodIdentityStatementFor(s, accountId, [b.clusterArn]);
  });
}

/**
 * Rule 3 (delete, prune): the trust is wholly one iamsa writes for the binding, so deleting the
 * role takes nothing from anyone else. Every statement is iamsa's (at most one per provider, no
 * duplicates): the IRSA statement on `providerArn` (this cluster's; required unless the role is a
 * Pod Identity one) or on a provider `recordedProviders` holds (the other clusters a shared role's
 * tags record, resolved from their ARNs), or the Pod Identity statement narrowed to this cluster
 * or to the recorded clusters. A statement on any other provider makes the role not iamsa's, and
 * so do tags that are no consistent iamsa record (iamsaRecord).
 */
export function trustIsWhollyBindings(
  trust: PolicyDocument,
  tags: Record<string, string>,
  b: OwnedBinding,
  accountId: string,
  providerArn: string,
  recordedProviders: ReadonlySet<string>,
): boolean {
  if (!iamsaRecord(tags).consistent) return false;
  const recorded = roleOwner(tags).clusterArns;
  const podIdentity = [[b.clusterArn], ...(recorded?.length ? [recorded] : [])];
  const seen = new Set<string>();
  const ours = (st: PolicyStatement): boolean => {
    const irsa = iamsaIrsaTarget(st, b, accountId);
    const key = irsa
      ? irsa.providerArn
      : podIdentity.some((arns) => isPodIdentityStatementFor(st, accountId, arns))
        ? 'pod-identity'
        : undefined;
    if (key === undefined || seen.has(key)) return false;
    if (irsa && irsa.providerArn !== providerArn && !recordedProviders.has(irsa.providerArn))
      return false;
    seen.add(key);
    return true;
  };
  return (
    trust.Statement.length > 0 &&
    trust.Statement.every(ours) &&
    (seen.has(providerArn) || seen.has('pod-identity'))
  );
}

/** An association as rule 4 reads it: whose service account, which role, its tags. */
export interface AssociationUse {
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  tags: Record<string, string>;
}

/**
 * Rule 4 (delete, prune): a Pod Identity statement names a cluster, not a service account, so a
 * trust wholly iamsa's (rule 3) proves nothing about whose a Pod Identity role is. A role whose
 * trust admits Pod Identity is the binding's to delete only when the association iamsa made for
 * the binding (its tags name it) hands out this role AND no other association of the cluster
 * (`associations`: all of them; undefined when they could not be read) hands it out.
 */
export function podIdentityRoleIsBindings(
  roleArn: string,
  b: OwnedBinding,
  associations: readonly AssociationUse[] | undefined,
): boolean {
  if (!associations) return false;
  const users = associations.filter((a) => sameRoleArn(a.roleArn, roleArn));
  return (
    users.length === 1 &&
    users[0]!.namespace === b.namespace &&
    users[0]!.serviceAccount === b.name &&
    tagsNameBinding(users[0]!.tags, b)
  );
}
