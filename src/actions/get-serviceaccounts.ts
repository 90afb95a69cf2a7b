// Use case: list a cluster's bindings with a status computed from what IAM and Kubernetes hold.
// Cost: one paginated LIST of service accounts, then reads per distinct role (bounded by the
// session's IAM limit); the account's roles are scanned (ListRoles) only for --orphans.
import type { Role } from '../aws/iam.js';
import { AuthError } from '../errors.js';
import type { KubeAccess } from '../kube/connection.js';
import type { ServiceAccount } from '../kube/gateway.js';
import {
  defaultRoleName,
  evaluateTrust,
  isManagedByIamsa,
  isOwnedRoleFor,
  isRoleArn,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  parseArn,
  parseTrustPolicy,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  roleOwner,
  STS_AUDIENCE,
  TAG_CLUSTERS,
  validateClusterName,
  validateNamespace,
  validateServiceAccountName,
} from '../policy/index.js';
import { type ClusterSession, openClusterSession, type RegionAccess } from './cluster-session.js';
import { mapConcurrent } from './concurrency.js';
import { SCHEMA_VERSION } from './plan.js';
import type { Reporter } from './reporter.js';

export type BindingStatus =
  | 'ok'
  | 'role-missing'
  | 'trust-mismatch'
  | 'over-broad'
  | 'no-sa'
  | 'no-annotation'
  | 'invalid-annotation'
  | 'other-account';

export type ManagedBy = 'iamsa' | 'eksctl' | 'other';

export interface BindingRow {
  namespace: string;
  name: string;
  roleArn?: string;
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
  warnings: string[];
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
const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';

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
  const [cluster, accounts] = await Promise.all([
    session.cluster(),
    session
      .kube()
      .then((k) =>
        session.reporter.progress(`Listing service accounts in ${where}`, () =>
          k.gateway.listServiceAccounts(query.namespace),
        ),
      ),
  ]);
  const listed = accounts.filter((sa) => query.name === undefined || sa.name === query.name);
  const candidates = listed.filter(
    (sa) =>
      sa.annotations[ROLE_ARN_ANNOTATION] !== undefined ||
      sa.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE,
  );
  const { providerArn, hostPath } = await session.oidc();
  const roleName = (sa: ServiceAccount) => {
    const annotated = sa.annotations[ROLE_ARN_ANNOTATION];
    if (annotated === undefined) return defaultRoleName(query.cluster, sa.namespace, sa.name);
    return isRoleArn(annotated) && parseArn(annotated)?.accountId === cluster.accountId
      ? roleNameOf(annotated)
      : undefined;
  };
  const distinct = new Set(
    candidates.map((sa) => roleName(sa)?.toLowerCase()).filter((n) => n !== undefined),
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
  const [provider, rows] = await Promise.all([
    session.provider(),
    session.reporter.progress(`Reading the roles of ${candidates.length} service accounts`, () =>
      mapConcurrent(candidates, 16, async (sa): Promise<BindingRow | undefined> => {
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
          // An iamsa-made service account whose annotation was removed: a binding only if
          // iamsa's role for it still exists.
          if (!facts.role || !isOwnedRoleFor(facts.role.tags, cluster.arn, sa.namespace, sa.name))
            return undefined;
          return {
            ...rowBase(sa, facts.role.arn),
            managedBy: 'iamsa',
            status: 'no-annotation',
            problems: [`service account has no ${ROLE_ARN_ANNOTATION} annotation`],
            policies: facts.policies,
          };
        }
        return judge(sa, annotated, facts, { providerArn, hostPath }, query.cluster);
      }),
    ),
  ]);
  const found = rows.filter((r): r is BindingRow => r !== undefined);
  const warnings: string[] = [...session.warnings];
  if (query.namespace !== undefined && !accounts.length) {
    // A real namespace has its "default" service account: none at all is most likely a typo.
    const exists = await session.namespaceExists(query.namespace);
    if (!exists)
      warnings.push(`namespace ${query.namespace} does not exist in cluster ${query.cluster}`);
  }
  if (!provider) {
    warnings.push(
      `cluster ${query.cluster} has no IAM OIDC provider: no IRSA binding can work (${session.enableCommand()})`,
    );
  }
  if (query.orphans) {
    found.push(
      ...(await orphanRows(session, query, listed, found, providerArn, {
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

const rowBase = (sa: { namespace: string; name: string }, roleArn: string | undefined) => ({
  namespace: sa.namespace,
  name: sa.name,
  ...(roleArn ? { roleArn } : {}),
});

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
        { role, policies: [...attachedPolicyArns, ...inlinePolicyNames.map((p) => `inline:${p}`)] },
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
  return { role, policies: [...attached, ...inline.map((p) => `inline:${p}`)] };
}

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
  let evaluation: ReturnType<typeof evaluateTrust>;
  try {
    evaluation = evaluateTrust(parseTrustPolicy(role.trustPolicy), {
      providerArn: oidc.providerArn,
      issuerHostPath: oidc.hostPath,
      namespace: sa.namespace,
      serviceAccount: sa.name,
      audience: sa.annotations[AUDIENCE_ANNOTATION] ?? STS_AUDIENCE,
    });
  } catch (error) {
    // One odd trust must not take the whole listing down.
    const why = error instanceof Error ? error.message : String(error);
    return { ...base, status: 'trust-mismatch', problems: [why], policies: facts.policies };
  }
  const status: BindingStatus = !evaluation.admits
    ? 'trust-mismatch'
    : evaluation.overBroad.length
      ? 'over-broad'
      : 'ok';
  const problems = !evaluation.admits ? evaluation.problems : evaluation.overBroad;
  return { ...base, status, problems, policies: facts.policies };
}

/**
 * iamsa's and eksctl's roles of this cluster whose service account is gone (no-sa) or no longer
 * points at them (no-annotation). ListRoles returns trusts but no tags: only roles whose trust
 * names this cluster's provider are read in full.
 */
async function orphanRows(
  session: ClusterSession,
  query: GetQuery,
  accounts: ServiceAccount[],
  shown: BindingRow[],
  providerArn: string,
  roles: {
    all: () => Promise<Array<{ arn: string; name: string; trustPolicy: string }>>;
    read: (name: string) => Promise<RoleFacts>;
  },
): Promise<BindingRow[]> {
  const all = await roles.all();
  const trusting = all.filter((r) => decodeTrust(r.trustPolicy).includes(providerArn));
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
      const base = {
        ...rowBase(owner, role.arn),
        managedBy: managedByOf(role, query.cluster),
        policies: facts.policies,
      };
      if (!sa) {
        return {
          ...base,
          status: 'no-sa',
          problems: [
            `service account ${owner.namespace}/${owner.name} does not exist: whoever creates it gets the role`,
          ],
        };
      }
      const current = sa.annotations[ROLE_ARN_ANNOTATION];
      return {
        ...base,
        status: 'no-annotation',
        problems: [
          current
            ? `service account points at ${current}, not at this role`
            : `service account has no ${ROLE_ARN_ANNOTATION} annotation`,
        ],
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
