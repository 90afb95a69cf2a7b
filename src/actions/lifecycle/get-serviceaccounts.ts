// Use case: list a cluster's bindings, IRSA and Pod Identity, with a status computed from what IAM,
// EKS and Kubernetes hold. Cost: one paginated LIST of service accounts and one of Pod Identity
// associations (each described, a few at a time, since the list omits the role), then reads per
// distinct role (bounded by the session's IAM limit); the account's roles are scanned (ListRoles)
// only for --orphans.
import { missingNamespace } from '../binding/missing-namespace.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { PodIdentityAssociation } from '../../aws/eks.js';
import type { Role } from '../../aws/iam.js';
import { AuthError } from '../../errors.js';
import type { KubeAccess } from '../../kube/connection.js';
import type { ServiceAccount } from '../../kube/gateway.js';
import {
  AUDIENCE_ANNOTATION,
  defaultRoleName,
  evaluatePodIdentityTrust,
  evaluateTrust,
  isManagedByIamsa,
  iamsaBindingElsewhere,
  isOwnedRoleFor,
  isRoleArn,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type Mechanism,
  parseArn,
  parseTrustPolicy,
  POD_IDENTITY_PRINCIPAL,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  roleOwner,
  STS_AUDIENCE,
  TAG_CLUSTERS,
  TAG_MECHANISM,
  TAG_ROLE_ONLY,
  type TrustEvaluation,
  validateClusterName,
  validateNamespace,
  validateServiceAccountName,
} from '../../policy/index.js';
import {
  type ClusterSession,
  openClusterSession,
  type RegionAccess,
} from '../binding/cluster-session.js';
import { mapConcurrent } from '../engine/concurrency.js';
import { associationKey, readAssociationsOrWarn } from '../binding/pod-identity-associations.js';
import { SCHEMA_VERSION } from '../engine/plan.js';
import type { Reporter } from '../engine/reporter.js';

export type BindingStatus =
  | 'ok'
  | 'role-missing'
  | 'trust-mismatch'
  | 'over-broad'
  | 'no-provider'
  | 'no-sa'
  | 'role-only'
  | 'no-annotation'
  | 'no-association'
  | 'invalid-annotation'
  | 'other-binding'
  | 'other-account';

export type ManagedBy = 'iamsa' | 'eksctl' | 'other';

export interface BindingRow {
  namespace: string;
  name: string;
  /** How pods of the service account get the role: pod-identity wins when both are set up. */
  mechanism: Mechanism;
  roleArn?: string;
  /** Pod Identity: the association's id. */
  associationId?: string;
  /**
   * Pod Identity rows whose service account also carries the IRSA annotation: the role it names.
   * New pods get Pod Identity credentials; only pods started before the association use it.
   */
  irsaRoleArn?: string;
  managedBy: ManagedBy;
  status: BindingStatus;
  /** Why the status is not ok, in a few words each. */
  problems: string[];
  /** Managed policy ARNs, then `inline:<name>` for inline policies. */
  policies: string[];
  /** The clusters a shared role is for (a binding of a file that lists several clusters). */
  clusters?: string[];
}

export interface GetServiceAccountsResult {
  schemaVersion: number;
  command: 'get-serviceaccounts';
  cluster: string;
  region: string;
  serviceAccounts: BindingRow[];
  warnings: Warning[];
}

export interface GetQuery {
  cluster: string;
  /** Undefined: every namespace. */
  namespace?: string;
  name?: string;
  /** Also scan the account's roles for iamsa/eksctl roles of this cluster whose binding is gone. */
  orphans: boolean;
}

export const EKSCTL_CLUSTER_TAG = 'alpha.eksctl.io/cluster-name';
export const EKSCTL_SA_TAG = 'alpha.eksctl.io/iamserviceaccount-name';

interface RoleFacts {
  role?: Role;
  policies: string[];
}

export async function getServiceAccounts(
  query: GetQuery,
  kube: KubeAccess,
  deps: RegionAccess & { reporter: Reporter },
): Promise<GetServiceAccountsResult> {
  validateClusterName(query.cluster, '--cluster');
  if (query.namespace !== undefined) validateNamespace(query.namespace, '--namespace');
  if (query.name !== undefined) validateServiceAccountName(query.name, '--name');
  const session = openClusterSession(deps, {
    cluster: query.cluster,
    kube,
    reporter: deps.reporter,
  });
  const where = query.namespace ?? 'all namespaces';
  const [cluster, accounts, associations] = await Promise.all([
    session.cluster(),
    session
      .kube()
      .then((k) =>
        session.reporter.progress(`Listing service accounts in ${where}`, () =>
          k.gateway.listServiceAccounts(query.namespace),
        ),
      ),
    readAssociationsOrWarn(session, { namespace: query.namespace, serviceAccount: query.name }),
  ]);
  const listed = accounts.filter((sa) => query.name === undefined || sa.name === query.name);
  const associated = new Map(
    (associations ?? []).map((a) => [associationKey(a.namespace, a.serviceAccount), a]),
  );
  const associationOf = (sa: { namespace: string; name: string }) =>
    associated.get(associationKey(sa.namespace, sa.name));
  const candidates = listed.filter(
    (sa) =>
      sa.annotations[ROLE_ARN_ANNOTATION] !== undefined ||
      sa.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE ||
      associationOf(sa) !== undefined,
  );
  const present = new Set(listed.map((sa) => associationKey(sa.namespace, sa.name)));
  // Associations of service accounts that do not exist (yet): whoever creates one gets the role.
  const unclaimed = [...associated.values()].filter(
    (a) => !present.has(associationKey(a.namespace, a.serviceAccount)),
  );
  const { providerArn, hostPath } = await session.oidc();
  const ownRoleName = (arn: string) =>
    isRoleArn(arn) && parseArn(arn)?.accountId === cluster.accountId ? roleNameOf(arn) : undefined;
  const roleName = (sa: ServiceAccount) => {
    const association = associationOf(sa);
    if (association) return ownRoleName(association.roleArn);
    const annotated = sa.annotations[ROLE_ARN_ANNOTATION];
    if (annotated === undefined) return defaultRoleName(query.cluster, sa.namespace, sa.name);
    return ownRoleName(annotated);
  };
  const distinct = new Set(
    [...candidates.map(roleName), ...unclaimed.map((a) => ownRoleName(a.roleArn))]
      .filter((n) => n !== undefined)
      .map((n) => n.toLowerCase()),
  );
  // Past a handful of roles, one account scan beats three reads per role.
  const scan = distinct.size >= SCAN_FROM || query.orphans ? await scanRoles(session) : undefined;
  const roles = new Map<string, Promise<RoleFacts>>();
  const readRole = (name: string) => {
    const key = name.toLowerCase();
    let p = roles.get(key);
    if (!p) {
      p = scan ? Promise.resolve(scan.get(key) ?? { policies: [] }) : readRoleFacts(session, name);
      roles.set(key, p);
    }
    return p;
  };
  const podIdentityRow = async (
    sa: ServiceAccount | undefined,
    a: PodIdentityAssociation,
  ): Promise<BindingRow> => {
    const name = ownRoleName(a.roleArn);
    const facts = name === undefined ? undefined : await readRole(name);
    return judgePodIdentity(sa, a, facts, cluster);
  };
  const [provider, rows] = await Promise.all([
    session.provider(),
    session.reporter.progress(`Reading the roles of ${candidates.length} service accounts`, () =>
      mapConcurrent(candidates, 16, async (sa): Promise<BindingRow | undefined> => {
        const association = associationOf(sa);
        if (association) return podIdentityRow(sa, association);
        const name = roleName(sa);
        const annotated = sa.annotations[ROLE_ARN_ANNOTATION];
        if (name === undefined && annotated !== undefined && !isRoleArn(annotated)) {
          return {
            ...rowBase(sa, annotated),
            managedBy: 'other',
            status: 'invalid-annotation',
            problems: [
              `${ROLE_ARN_ANNOTATION} is not a role ARN (arn:aws:iam::<account>:role/<name>): the webhook injects nothing`,
            ],
            policies: [],
          };
        }
        if (name === undefined) {
          return {
            ...rowBase(sa, annotated),
            managedBy: 'other',
            status: 'other-account',
            problems: [`role is in another account than cluster ${query.cluster}; not checked`],
            policies: [],
          };
        }
        const facts = await readRole(name);
        if (annotated === undefined) {
          // An iamsa-made service account whose annotation (or association) was removed: a
          // binding only if iamsa's role for it still exists.
          if (!facts.role || !isOwnedRoleFor(facts.role.tags, cluster.arn, sa.namespace, sa.name))
            return undefined;
          return lostLink(sa, { ...facts, role: facts.role }, undefined);
        }
        return judge(sa, annotated, facts, { providerArn, hostPath }, query.cluster);
      }),
    ),
  ]);
  const found = rows.filter((r): r is BindingRow => r !== undefined);
  for (const row of await Promise.all(unclaimed.map((a) => podIdentityRow(undefined, a))))
    found.push(row);
  const warnings: Warning[] = [...session.warnings];
  if (query.namespace !== undefined && !accounts.length) {
    // A real namespace has its "default" service account: none at all is most likely a typo.
    const missing = await missingNamespace(session, query.namespace);
    if (missing) warnings.push(missing);
  }
  // A cluster that only uses Pod Identity needs no provider.
  if (!provider && (!found.length || found.some((r) => r.mechanism === 'irsa'))) {
    for (const row of found) if (row.mechanism === 'irsa') noProvider(row, providerArn);
    warnings.push(
      coded(
        'IRSA-W026',
        `cluster ${query.cluster} has no IAM OIDC provider: no IRSA binding can work (${session.enableCommand()})`,
      ),
    );
  }
  if (query.orphans) {
    found.push(
      ...(await orphanRows(session, query, listed, found, providerArn, associated, {
        // The scan has every role already; without it, ListRoles gives the trusts.
        all: async () =>
          scan
            ? [...scan.values()].flatMap((f) => (f.role ? [f.role] : []))
            : session.reporter.progress('Listing IAM roles', () => session.iam.listRoles()),
        read: readRole,
      })),
    );
  }
  found.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  warnings.forEach((w) => session.reporter.warn(w));
  return {
    schemaVersion: SCHEMA_VERSION,
    command: 'get-serviceaccounts',
    cluster: query.cluster,
    region: deps.region,
    serviceAccounts: found,
    warnings,
  };
}

const rowBase = (
  sa: { namespace: string; name: string },
  roleArn: string | undefined,
  mechanism: Mechanism = 'irsa',
) => ({
  namespace: sa.namespace,
  name: sa.name,
  mechanism,
  ...(roleArn ? { roleArn } : {}),
});

/** The mechanism iamsa made a role for, by its tags (IRSA roles carry no mechanism tag). */
const mechanismOfRole = (role: Role): Mechanism =>
  role.tags[TAG_MECHANISM] === 'pod-identity' ? 'pod-identity' : 'irsa';

/**
 * iamsa's role for a service account that exists but no longer uses it: an IRSA role the
 * annotation does not name (no-annotation), or a Pod Identity role without an association.
 */
function lostLink(
  sa: { namespace: string; name: string },
  facts: RoleFacts & { role: Role },
  association: PodIdentityAssociation | undefined,
  current?: string,
): BindingRow {
  const mechanism = mechanismOfRole(facts.role);
  const base = { ...rowBase(sa, facts.role.arn, mechanism), managedBy: 'iamsa' as const };
  if (mechanism === 'pod-identity') {
    return {
      ...base,
      status: 'no-association',
      problems: [
        association
          ? `the Pod Identity association of the service account uses ${association.roleArn}, not this role`
          : 'the service account has no Pod Identity association',
      ],
      policies: facts.policies,
    };
  }
  return {
    ...base,
    status: 'no-annotation',
    problems: [
      current
        ? `service account points at ${current}, not at this role`
        : `service account has no ${ROLE_ARN_ANNOTATION} annotation`,
    ],
    policies: facts.policies,
  };
}

/**
 * An IRSA row of a cluster without its IAM OIDC provider: STS refuses every web identity token of
 * the issuer, so a trust that admits the service account is no longer enough (`no-provider`); a
 * row already failing keeps its status, with the missing provider as one more problem.
 */
function noProvider(row: BindingRow, providerArn: string): void {
  const problem = `the cluster's IAM OIDC provider ${providerArn} does not exist: STS refuses its pods' tokens`;
  if (row.status === 'ok' || row.status === 'over-broad') row.status = 'no-provider';
  row.problems = [problem, ...row.problems];
}

/** The status of one Pod Identity association, from the role it names and the service account. */
function judgePodIdentity(
  sa: ServiceAccount | undefined,
  a: PodIdentityAssociation,
  facts: RoleFacts | undefined,
  cluster: { arn: string; name: string; accountId: string },
): BindingRow {
  const annotated = sa?.annotations[ROLE_ARN_ANNOTATION];
  const base = {
    ...rowBase({ namespace: a.namespace, name: a.serviceAccount }, a.roleArn, 'pod-identity'),
    associationId: a.id,
    ...(annotated !== undefined ? { irsaRoleArn: annotated } : {}),
    managedBy: managedByOf(facts?.role, cluster.name),
    policies: facts?.policies ?? [],
  };
  if (!facts) {
    return {
      ...base,
      status: 'other-account',
      problems: [`role is in another account than cluster ${cluster.name}; not checked`],
    };
  }
  if (!facts.role) {
    return { ...base, status: 'role-missing', problems: [`role ${a.roleArn} does not exist`] };
  }
  // Pod Identity's trust names no service account: the role's tags say whose binding it is.
  const elsewhere = iamsaBindingElsewhere(facts.role.tags, a.namespace, a.serviceAccount);
  if (elsewhere) {
    const problem = `role ${facts.role.name} is iamsa's for ${elsewhere}, not for this service account`;
    return { ...base, status: 'other-binding', problems: [problem] };
  }
  const judged = judgeTrust(() =>
    evaluatePodIdentityTrust(parseTrustPolicy(facts.role?.trustPolicy ?? ''), {
      accountId: cluster.accountId,
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      namespace: a.namespace,
      serviceAccount: a.serviceAccount,
      sessionTags: !a.disableSessionTags,
    }),
  );
  if (judged.status !== 'ok' || sa) return { ...base, ...judged };
  return {
    ...base,
    status: 'no-sa',
    problems: [
      `service account ${a.namespace}/${a.serviceAccount} does not exist: whoever creates it gets the role`,
    ],
  };
}

/** A trust evaluation as a status; an unreadable trust must not take the whole listing down. */
function judgeTrust(evaluate: () => TrustEvaluation): {
  status: BindingStatus;
  problems: string[];
} {
  let evaluation: TrustEvaluation;
  try {
    evaluation = evaluate();
  } catch (error) {
    return {
      status: 'trust-mismatch',
      problems: [error instanceof Error ? error.message : String(error)],
    };
  }
  if (!evaluation.admits) return { status: 'trust-mismatch', problems: evaluation.problems };
  if (evaluation.overBroad.length) return { status: 'over-broad', problems: evaluation.overBroad };
  return { status: 'ok', problems: [] };
}

export function managedByOf(role: Role | undefined, cluster: string): ManagedBy {
  if (!role) return 'other';
  if (isManagedByIamsa(role.tags)) return 'iamsa';
  if (role.tags[EKSCTL_CLUSTER_TAG] !== undefined || role.name.startsWith(`eksctl-${cluster}-`))
    return 'eksctl';
  return 'other';
}

/** From how many distinct roles a listing reads the whole account in one scan instead. */
export const SCAN_FROM = 20;

/** Every role's facts from one GetAccountAuthorizationDetails scan, or undefined if refused. */
async function scanRoles(session: ClusterSession): Promise<Map<string, RoleFacts> | undefined> {
  try {
    const details = await session.reporter.progress('Reading the roles of the account', () =>
      session.iam.listRoleDetails(),
    );
    return new Map(
      details.map(({ attachedPolicyArns, inlinePolicyNames, ...role }) => [
        role.name.toLowerCase(),
        { role, policies: policiesOf(attachedPolicyArns, inlinePolicyNames) },
      ]),
    );
  } catch (error) {
    // Without iam:GetAccountAuthorizationDetails, read role by role.
    if (error instanceof AuthError) return undefined;
    throw error;
  }
}

async function readRoleFacts(session: ClusterSession, name: string): Promise<RoleFacts> {
  const { iam } = session;
  const role = await iam.getRole(name);
  if (!role) return { policies: [] };
  const [attached, inline] = await Promise.all([
    iam.listAttachedPolicyArns(name),
    iam.listInlinePolicyNames(name),
  ]);
  return { role, policies: policiesOf(attached, inline) };
}

/**
 * A row's POLICIES: managed ARNs, then inline names, each sorted, so the one account scan and the
 * role-by-role reads (which IAM answers in different orders) show the same list.
 */
const policiesOf = (attached: readonly string[], inline: readonly string[]) => [
  ...[...attached].sort(),
  ...inline.map((p) => `inline:${p}`).sort(),
];

/** The status of one annotated service account, from the role its annotation names. */
function judge(
  sa: ServiceAccount,
  annotated: string,
  facts: RoleFacts,
  oidc: { providerArn: string; hostPath: string },
  cluster: string,
): BindingRow {
  const { role } = facts;
  const shared = role && (roleOwner(role.tags).clusterArns?.length ?? 0) > 0;
  const base = {
    ...rowBase(sa, annotated),
    managedBy: managedByOf(role, cluster),
    ...(shared ? { clusters: (role.tags[TAG_CLUSTERS] ?? '').split(',').filter(Boolean) } : {}),
  };
  if (!role) {
    return {
      ...base,
      status: 'role-missing',
      problems: [`role ${annotated} does not exist`],
      policies: [],
    };
  }
  const judged = judgeTrust(() =>
    evaluateTrust(parseTrustPolicy(role.trustPolicy), {
      providerArn: oidc.providerArn,
      issuerHostPath: oidc.hostPath,
      namespace: sa.namespace,
      serviceAccount: sa.name,
      audience: sa.annotations[AUDIENCE_ANNOTATION] ?? STS_AUDIENCE,
    }),
  );
  return { ...base, ...judged, policies: facts.policies };
}

/**
 * iamsa's and eksctl's roles of this cluster whose service account is gone (no-sa) or no longer
 * uses them (no-annotation, no-association). ListRoles returns trusts but no tags: only roles
 * whose trust names this cluster's provider or the Pod Identity service are read in full.
 */
async function orphanRows(
  session: ClusterSession,
  query: GetQuery,
  accounts: ServiceAccount[],
  shown: BindingRow[],
  providerArn: string,
  associated: Map<string, PodIdentityAssociation>,
  roles: {
    all: () => Promise<Array<{ arn: string; name: string; trustPolicy: string }>>;
    read: (name: string) => Promise<RoleFacts>;
  },
): Promise<BindingRow[]> {
  const all = await roles.all();
  const trusting = all.filter((r) => {
    const trust = decodeTrust(r.trustPolicy);
    return trust.includes(providerArn) || trust.includes(POD_IDENTITY_PRINCIPAL);
  });
  const shownRoles = new Set(shown.map((r) => r.roleArn?.toLowerCase()));
  const cluster = await session.cluster();
  const rows = await mapConcurrent(
    trusting,
    16,
    async (summary): Promise<BindingRow | undefined> => {
      if (shownRoles.has(summary.arn.toLowerCase())) return undefined;
      const facts = await roles.read(summary.name);
      const role = facts.role;
      if (!role) return undefined;
      const owner = ownerOf(role, cluster.arn, query.cluster);
      if (!owner) return undefined;
      if (query.namespace !== undefined && owner.namespace !== query.namespace) return undefined;
      if (query.name !== undefined && owner.name !== query.name) return undefined;
      const sa = accounts.find((a) => a.namespace === owner.namespace && a.name === owner.name);
      const managedBy = managedByOf(role, query.cluster);
      if (!sa) {
        // A --role-only binding waits for its service account by design: no problem to report.
        if (isManagedByIamsa(role.tags) && role.tags[TAG_ROLE_ONLY] === 'true') {
          return {
            ...rowBase(owner, role.arn, mechanismOfRole(role)),
            managedBy,
            status: 'role-only',
            problems: [],
            policies: facts.policies,
          };
        }
        return {
          ...rowBase(owner, role.arn, mechanismOfRole(role)),
          managedBy,
          status: 'no-sa',
          problems: [
            `service account ${owner.namespace}/${owner.name} does not exist: whoever creates it gets the role`,
          ],
          policies: facts.policies,
        };
      }
      return {
        ...lostLink(
          sa,
          { ...facts, role },
          associated.get(associationKey(sa.namespace, sa.name)),
          sa.annotations[ROLE_ARN_ANNOTATION],
        ),
        managedBy,
      };
    },
  );
  return rows.filter((r): r is BindingRow => r !== undefined);
}

/** The binding a role was made for, by iamsa's or eksctl's tags, when it is of this cluster. */
function ownerOf(
  role: Role,
  clusterArn: string,
  clusterName: string,
): { namespace: string; name: string } | undefined {
  const owner = roleOwner(role.tags);
  if (owner.managed && owner.clusterArn === clusterArn && owner.namespace && owner.serviceAccount)
    return { namespace: owner.namespace, name: owner.serviceAccount };
  const eksctl = role.tags[EKSCTL_SA_TAG];
  if (role.tags[EKSCTL_CLUSTER_TAG] === clusterName && eksctl?.includes('/')) {
    const [namespace = '', name = ''] = eksctl.split('/');
    return { namespace, name };
  }
  return undefined;
}

const decodeTrust = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};
