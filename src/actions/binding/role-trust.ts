// The trust of a binding's role. iamsa derives the WHOLE trust of a role it owns: the statement of
// each cluster it lists (or, for a shared role, each cluster its tags record) and, while the role
// is being migrated to Pod Identity, the other mechanism's statement. Anything else is drift.
import type { ClusterInfo } from '../../aws/eks.js';
import type { Role } from '../../aws/iam.js';
import {
  buildPodIdentityTrustStatement,
  buildTrustPolicy,
  buildTrustStatement,
  iamsaIrsaTarget,
  evaluateTrust,
  hasStatement,
  isMigrating,
  issuerHostPath,
  oidcProviderArn,
  parseTrustPolicy,
  type PolicyDocument,
  type PolicyStatement,
  recordedStatements,
  serviceAccountSubject,
  subjectCondition,
  TAG_MIGRATION,
  type TrustEvaluation,
  type TrustTarget,
  trustPoliciesEqual,
} from '../../policy/index.js';
import type { ServiceAccount } from '../../kube/gateway.js';
import { AUDIENCE_ANNOTATION, STS_AUDIENCE } from '../../policy/index.js';
import type { Mechanism } from './spec.js';
import type { CheckedBinding } from './check.js';

/**
 * The audience the binding's tokens carry, as the binding declares it: the service account's
 * eks.amazonaws.com/audience annotation (the webhook asks for tokens with it), as the service
 * account has it, or as the file gives it to a service account iamsa creates; else STS's. The
 * trust keeps it exactly: any other aud on iamsa's role is drift.
 */
export function bindingAudience(input: CheckedBinding, sa: ServiceAccount | undefined): string {
  const declared = sa
    ? sa.annotations[AUDIENCE_ANNOTATION]
    : input.serviceAccountMetadata?.annotations[AUDIENCE_ANNOTATION];
  return declared || STS_AUDIENCE;
}

/** The trust a binding's role needs: IRSA's OIDC statement or Pod Identity's service statement. */
export interface RoleTrust {
  mechanism: Mechanism;
  /** The statements of the clusters the binding lists. */
  document: PolicyDocument;
  /** Who it admits, in a few words, for plans. */
  summary: string;
  /** Who must be admitted, for the error when an existing role's trust does not. */
  who: string;
  /** The role's description when iamsa creates it. */
  description: string;
  /** Judges an existing role's trust (--attach-role-arn). */
  judge(doc: PolicyDocument): TrustEvaluation;
}

/** IRSA: the cluster's OIDC provider, for exactly this service account's tokens. */
export function irsaTrust(input: CheckedBinding, target: TrustTarget): RoleTrust {
  return {
    mechanism: 'irsa',
    document: buildTrustPolicy(target),
    summary: `${target.issuerHostPath} ${subjectCondition(target)}`,
    who: serviceAccountSubject(input.namespace, input.name),
    description: `IRSA role for ${input.namespace}/${input.name} in EKS cluster ${input.cluster}, managed by iamsa`,
    judge: (doc) => evaluateTrust(doc, target),
  };
}

/** IRSA for several clusters: one statement per cluster's provider. */
export function sharedIrsaTrust(
  input: CheckedBinding,
  trusts: Array<{ cluster: ClusterInfo; target: TrustTarget }>,
): RoleTrust {
  const names = trusts.map((t) => t.cluster.name).join(', ');
  const [first] = trusts;
  return {
    mechanism: 'irsa',
    document: buildTrustPolicy(...trusts.map((t) => t.target)),
    summary: `${trusts.length} statements for clusters ${names}: ${subjectCondition(first?.target ?? { namespace: input.namespace, serviceAccount: input.name })}`,
    who: serviceAccountSubject(input.namespace, input.name),
    description:
      `IRSA role for ${input.namespace}/${input.name} shared by EKS clusters ${names}, managed by iamsa`.slice(
        0,
        1000,
      ),
    judge: (doc) => evaluateTrust(doc, first!.target),
  };
}

export interface WholeTrust {
  document: PolicyDocument;
  /** Statements kept for clusters the role's tags record but the binding no longer lists. */
  kept: number;
  /** The role is being migrated to Pod Identity: both mechanisms' statements. */
  migrating: boolean;
  /** The role has the migration tag but is not being migrated (isMigrating): the tag is ignored. */
  staleMigrationTag: boolean;
}

/**
 * The whole trust of an iamsa role: the wanted statements; a shared role's statements for clusters
 * its tags still record (until --prune), when they are exactly iamsa's statement for the binding;
 * while the role is being migrated (isMigrating: the tag, the record and the Pod Identity
 * statement), the other mechanism's statement: Pod Identity's rebuilt for this cluster, or the
 * IRSA statement iamsa recorded for this cluster's provider and the binding, while the role still
 * has it (any other OIDC statement is drift).
 */
export function wholeTrust(
  input: CheckedBinding,
  cluster: ClusterInfo,
  role: Role | undefined,
  roleTrust: RoleTrust,
  shared?: { clusters: ClusterInfo[]; prune: boolean; recorded?: ReadonlySet<string> },
): WholeTrust {
  const wanted = roleTrust.document.Statement;
  if (!role) {
    return { document: roleTrust.document, kept: 0, migrating: false, staleMigrationTag: false };
  }
  const trust = parseTrustPolicy(role.trustPolicy);
  const current = trust.Statement;
  const pods = podIdentityStatementOf(cluster);
  const migrating = isMigrating(role.tags, trust, pods);
  const kept =
    shared && !shared.prune
      ? recordedClusterStatements(input, current, shared.clusters, shared.recorded ?? new Set())
      : [];
  const other: PolicyStatement[] = !migrating
    ? []
    : roleTrust.mechanism === 'irsa'
      ? [pods]
      : recordedIrsaStatements(input, cluster, role).filter((s) => hasStatement(trust, s));
  return {
    document: {
      ...roleTrust.document,
      Statement: inCurrentOrder([...wanted, ...kept, ...other], current),
    },
    kept: kept.length,
    migrating,
    staleMigrationTag: !migrating && role.tags[TAG_MIGRATION] !== undefined,
  };
}

const podIdentityStatementOf = (cluster: ClusterInfo) =>
  buildPodIdentityTrustStatement({ accountId: cluster.accountId, clusterArns: [cluster.arn] });

/** Whether the role is being migrated to Pod Identity in this cluster (isMigrating). */
export const isRoleMigrating = (role: Role, cluster: ClusterInfo): boolean =>
  isMigrating(role.tags, parseTrustPolicy(role.trustPolicy), podIdentityStatementOf(cluster));

/**
 * The IRSA statements migrate-to-pod-identity recorded that are exactly iamsa's for the binding on
 * this cluster's provider (with the aud the record holds).
 */
function recordedIrsaStatements(
  input: CheckedBinding,
  cluster: ClusterInfo,
  role: Role,
): PolicyStatement[] {
  if (!cluster.issuer) return [];
  const providerArn = oidcProviderArn(
    cluster.partition,
    cluster.accountId,
    issuerHostPath(cluster.issuer),
  );
  return (recordedStatements(role.tags) ?? []).flatMap(([, s]) => {
    const target = irsaTargetOf(s, input, cluster.accountId);
    return target?.providerArn === providerArn ? [buildTrustStatement(target)] : [];
  });
}

/**
 * The current statements that are exactly iamsa's IRSA statement for this binding on the provider
 * of a cluster the role's tags record and the binding no longer lists (`recorded`: their providers,
 * read from their ARNs), one per provider; a statement on any other provider is drift.
 */
function recordedClusterStatements(
  input: CheckedBinding,
  current: PolicyStatement[],
  listed: ClusterInfo[],
  recorded: ReadonlySet<string>,
): PolicyStatement[] {
  const left = new Set(recorded);
  const kept: PolicyStatement[] = [];
  for (const s of current) {
    const target = irsaTargetOf(s, input, listed[0]?.accountId);
    if (!target || !left.delete(target.providerArn)) continue;
    kept.push(s);
  }
  return kept;
}

/**
 * The target whose iamsa statement `s` is exactly (an OIDC provider of the account, this binding's
 * subject or subject pattern, one audience), or undefined: anything else is not iamsa's.
 */
export const irsaTargetOf = (
  s: PolicyStatement,
  input: Pick<CheckedBinding, 'namespace' | 'name' | 'subjectPattern'>,
  accountId: string | undefined,
): TrustTarget | undefined => iamsaIrsaTarget(s, input, accountId);

/** The statements in the order the role has them (new ones last): no update for a reordering. */
function inCurrentOrder(statements: PolicyStatement[], current: PolicyStatement[]) {
  const one = (st: PolicyStatement) => ({ Version: '2012-10-17', Statement: [st] });
  const at = (st: PolicyStatement) => {
    const i = current.findIndex((c) => trustPoliciesEqual(one(c), one(st)));
    return i < 0 ? current.length : i;
  };
  return statements
    .map((st, i) => ({ st, i, at: at(st) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.st);
}
