// Use case: move a cluster's IRSA bindings to EKS Pod Identity, or roll a migration back. Every
// service account annotated with a role of the cluster's account is a binding (whoever made it);
// only iamsa's roles are edited unless foreign roles are included; roles of EKS add-ons are left to
// the add-on API unless the service account is named. Reads: the cluster, its add-ons, every
// service account (to know who else uses a role), every association, and each role once.
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { PodIdentityAssociation } from '../../aws/eks.js';
import type { Role } from '../../aws/iam.js';
import { ConflictError, PreconditionError, ValidationError } from '../../errors.js';
import type { KubeAccess } from '../../kube/connection.js';
import type { ServiceAccount } from '../../kube/gateway.js';
import {
  AUDIENCE_ANNOTATION,
  buildPodIdentityTrustStatement,
  describeRoleOwner,
  evaluateTrust,
  isManagedByIamsa,
  isOwnedRoleFor,
  type PlacedStatement,
  restorableAudiences,
  unrestorableStatement,
  isOwnedSharedRoleFor,
  parseArn,
  parseTrustPolicy,
  type PolicyDocument,
  type PolicyStatement,
  readAnnotation,
  recordedStatements,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  roleOwner,
  sameRoleArn,
  STS_AUDIENCE,
  TAG_IRSA_TRUST_PREFIX,
  TAG_MIGRATED_FROM,
  TAG_MIGRATION,
  unnarrowedPodIdentityStatements,
  validateClusterName,
  validateNamespace,
  validateServiceAccountName,
} from '../../policy/index.js';
import {
  type ClusterSession,
  openClusterSession,
  type RegionAccess,
} from '../binding/cluster-session.js';
import { missingNamespace } from '../binding/missing-namespace.js';
import { mapConcurrent } from '../engine/concurrency.js';
import { scanAccountRoles, SNAPSHOT_FROM, snapshotIam } from '../binding/account-snapshot.js';
import { asIamsaError, type BindingPlan, composePlan, type Planned } from '../engine/plan.js';
import {
  type Context,
  type MigrationUser,
  planForward,
  planRollback,
  type RoleMigration,
} from './plan-migration.js';
import { readAgent, requireAgent } from '../binding/plan-pod-identity.js';
import { podsWithoutPodIdentity, restartPodsCommand } from '../report/doctor-pod-identity.js';
import { associationKey, readAssociations } from '../binding/pod-identity-associations.js';
import type { Reporter } from '../engine/reporter.js';
import type { ClusterOidc } from '../binding/cluster-oidc.js';
import { hasOwnClusterTrust, ownsBinding } from '../binding/owned-role.js';

export interface MigrateQuery {
  cluster: string;
  namespace?: string;
  name?: string;
  /** Then remove the cluster's OIDC statements from the roles and the annotations. */
  removeIrsa: boolean;
  /** Undo a migration: the IRSA statements and annotations back, the associations gone. */
  rollback: boolean;
  /** Also edit roles iamsa did not make. */
  includeForeignRoles: boolean;
  /** --remove-irsa even while pods started before the association still use IRSA. */
  allowIrsaPods?: boolean;
}

export async function planMigrateToPodIdentity(
  query: MigrateQuery,
  kube: KubeAccess,
  deps: RegionAccess & { reporter: Reporter },
): Promise<Planned> {
  validateClusterName(query.cluster, '--cluster');
  if (query.namespace !== undefined) validateNamespace(query.namespace, '--namespace');
  if (query.name !== undefined) validateServiceAccountName(query.name, '--name');
  if (query.allowIrsaPods && !query.removeIrsa) {
    throw new ValidationError('--allow-irsa-pods goes with --remove-irsa');
  }
  if (query.rollback && query.removeIrsa) {
    throw new ValidationError(
      '--rollback undoes a migration and --remove-irsa finishes one; give one of them',
    );
  }
  const session = openClusterSession(deps, {
    cluster: query.cluster,
    kube,
    reporter: deps.reporter,
  });
  const { reporter } = session;
  const [cluster, oidc, accounts, associations, agent] = await Promise.all([
    session.cluster(),
    session.oidc(),
    session
      .kube()
      .then((k) =>
        reporter.progress('Listing service accounts', () => k.gateway.listServiceAccounts()),
      ),
    readAssociations(session),
    query.rollback ? undefined : readAgent(session),
  ]);
  const warnings: Warning[] = agent ? requireAgent(session, cluster, agent) : [];
  // A real namespace has its "default" service account: none at all is most likely a typo.
  if (query.namespace !== undefined && !accounts.some((sa) => sa.namespace === query.namespace)) {
    const missing = await missingNamespace(session, query.namespace);
    if (missing) warnings.push(missing);
  }
  const selected = (u: { namespace: string; name: string }) =>
    (query.namespace === undefined || u.namespace === query.namespace) &&
    (query.name === undefined || u.name === query.name);
  const associationOf = new Map(
    associations.map((a) => [associationKey(a.namespace, a.serviceAccount), a]),
  );
  const migrated = associations.filter((a) => a.tags[TAG_MIGRATED_FROM] !== undefined);

  const groups = query.rollback
    ? rollbackGroups(migrated, accounts, selected)
    : await forwardGroups(session, query, accounts, associationOf, migrated, selected, warnings);
  const ctx: Context = {
    session,
    cluster,
    providerArn: oidc.providerArn,
    issuerHostPath: oidc.hostPath,
  };
  // Many roles: one account scan instead of a GetRole each (denied: role by role, with a warning).
  const scanWarnings: Warning[] = [];
  const snapshot =
    groups.size >= SNAPSHOT_FROM
      ? scanAccountRoles(session.iam, reporter, scanWarnings)
      : undefined;
  const reads = snapshot ? snapshotIam(session.iam, snapshot) : session.iam;
  const roles = await mapConcurrent([...groups.entries()], 4, async ([name, users]) => ({
    name,
    users,
    role: await reporter.progress(`Reading IAM role ${name}`, () => reads.getRole(name)),
  }));
  const bindings: BindingPlan[] = [];
  const mechanism = query.rollback ? 'irsa' : 'pod-identity';
  const planOf = (u: MigrationUser, extra: Partial<BindingPlan>): BindingPlan => ({
    cluster: query.cluster,
    namespace: u.namespace,
    name: u.name,
    source: 'cluster',
    mechanism,
    roleArn: u.roleArn,
    serviceAccount: { namespace: u.namespace, name: u.name },
    steps: [],
    warnings: [],
    ...extra,
  });
  for (const { name, users: all, role } of roles) {
    let users = all;
    if (!role) {
      const error = new PreconditionError(
        `role ${name} does not exist: there is nothing to ${query.rollback ? 'roll back' : 'migrate'}`,
      );
      for (const u of users) bindings.push(planOf(u, { error }));
      continue;
    }
    const owner = roleOwner(role.tags);
    const foreign = foreignReason(ctx, oidc, role);
    if (foreign && !query.includeForeignRoles) {
      warnings.push(
        coded(
          'IRSA-W038',
          `skipped ${users.map((u) => `${u.namespace}/${u.name}`).join(', ')}: role ${role.name} is not iamsa's (${foreign}); pass --include-foreign-roles to edit its trust`,
        ),
      );
      continue;
    }
    // Forward: only a service account the role is for today gets an association (an annotation
    // is not a claim on a role: anyone who may annotate could name any role). Rollback: only one
    // the role's migration record names (an association tagged by hand is not a migration).
    const refusal = query.rollback
      ? rollbackRefusalOf(ctx, role, [
          ...users,
          { namespace: owner.namespace ?? '', name: owner.serviceAccount ?? '', roleArn: role.arn },
        ])
      : refusalOf(ctx, role);
    const roleMigrated = migrated.filter(
      (a) =>
        sameRoleArn(a.roleArn, role.arn) &&
        !refusal({ namespace: a.namespace, name: a.serviceAccount, roleArn: a.roleArn }),
    );
    const refused = new Map(
      users.flatMap((u) => {
        const why = refusal(u);
        return why ? [[`${u.namespace}/${u.name}`, why] as const] : [];
      }),
    );
    for (const [id, why] of refused) warnings.push(coded('IRSA-W038', `skipped ${id}: ${why}`));
    users = users.filter((u) => !refused.has(`${u.namespace}/${u.name}`));
    if (!users.length) continue;
    // Forward: a service account whose association names another role cannot be migrated.
    const conflicting = query.rollback
      ? []
      : users.filter((u) => u.association && !sameRoleArn(u.association.roleArn, u.roleArn));
    for (const u of conflicting) {
      bindings.push(
        planOf(u, {
          error: new ConflictError(
            `service account ${u.namespace}/${u.name} already has a Pod Identity association (${u.association?.id}) with role ${u.association?.roleArn}, not ${u.roleArn}`,
            { hint: 'delete or re-point that association, or leave the service account out' },
          ),
        }),
      );
    }
    const ready = users.filter((u) => !conflicting.includes(u));
    const m: RoleMigration = {
      role,
      users: ready,
      ...(query.rollback
        ? {
            migrated: roleMigrated.map((a) => ({ namespace: a.namespace, name: a.serviceAccount })),
          }
        : {}),
      complete:
        !conflicting.length &&
        isComplete(query, role, ready, accounts, roleMigrated, (sa) => !refusal(userOf(sa))),
    };
    try {
      const plans = query.rollback ? planRollback(ctx, m) : planForward(ctx, m, query.removeIrsa);
      for (const p of plans) {
        p.warnings.forEach((w) => reporter.warn(w));
        bindings.push(planOf(p.user, { roleArn: role.arn, steps: p.steps, warnings: p.warnings }));
      }
    } catch (error) {
      for (const u of ready) bindings.push(planOf(u, { error: asIamsaError(error) }));
    }
  }
  if (query.removeIrsa) await refuseIrsaPods(session, bindings, !!query.allowIrsaPods, warnings);
  warnings.forEach((w) => reporter.warn(w));
  bindings.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return composePlan(
    {
      command: 'migrate-to-pod-identity',
      cluster: query.cluster,
      region: deps.region,
      warnings: [...session.warnings, ...scanWarnings, ...warnings],
    },
    bindings,
    reporter,
  );
}

/**
 * --remove-irsa cuts the web identity of the pods that started before the association (doctor's
 * PODID007 check): each binding that changes has its pods read; those still on IRSA are named
 * (IRSA-W056) with the restart that moves them, and every binding of their role (whose trust loses
 * the IRSA statement) is refused (exit 5) unless --allow-irsa-pods.
 */
async function refuseIrsaPods(
  session: ClusterSession,
  bindings: BindingPlan[],
  allow: boolean,
  warnings: Warning[],
): Promise<void> {
  const changing = bindings.filter(
    (b) => !b.error && b.steps.some((s) => s.action !== 'unchanged'),
  );
  if (!changing.length) return;
  const { gateway } = await session.kube();
  const stale = await mapConcurrent(changing, 4, async (b) => ({
    b,
    pods: podsWithoutPodIdentity(
      await session.reporter.progress(`Listing the pods of ${b.namespace}/${b.name}`, () =>
        gateway.listPodsOf(b.namespace, b.name),
      ),
    ),
  }));
  const cut = new Map<string | undefined, string[]>();
  for (const { b, pods } of stale) {
    if (!pods.length) continue;
    const what = `${pods.length} pod(s) of ${b.namespace}/${b.name} started before its association and still use IRSA credentials (${pods.map((p) => p.name).join(', ')})`;
    const restart = restartPodsCommand(b.namespace, pods);
    warnings.push(
      coded(
        'IRSA-W056',
        `${what}: removing IRSA cuts them off${allow ? ' (--allow-irsa-pods)' : ''}; restart them first: ${restart}`,
      ),
    );
    cut.set(b.roleArn, [...(cut.get(b.roleArn) ?? []), what]);
  }
  if (allow) return;
  for (const b of changing) {
    const whats = cut.get(b.roleArn);
    if (!whats) continue;
    b.error = new ConflictError(
      `--remove-irsa would cut the credentials of running pods: ${whats.join('; ')}`,
      {
        hint: 'restart them first (see the IRSA-W056 warning), then run again; or pass --allow-irsa-pods to cut them off',
      },
    );
  }
}

/** Forward: the selected IRSA bindings (and those already migrated), by role name. */
async function forwardGroups(
  session: ClusterSession,
  query: MigrateQuery,
  accounts: ServiceAccount[],
  associationOf: Map<string, PodIdentityAssociation>,
  migrated: PodIdentityAssociation[],
  selected: (u: { namespace: string; name: string }) => boolean,
  warnings: Warning[],
): Promise<Map<string, MigrationUser[]>> {
  const cluster = await session.cluster();
  const addonRoles = await rolesOfAddons(session, [...associationOf.values()]);
  const groups = new Map<string, MigrationUser[]>();
  const add = (u: MigrationUser) => {
    const key = roleNameOf(u.roleArn);
    groups.set(key, [...(groups.get(key) ?? []), u]);
  };
  const seen = new Set<string>();
  for (const sa of accounts.filter(selected)) {
    const value = sa.annotations[ROLE_ARN_ANNOTATION];
    if (value === undefined) continue;
    const id = `${sa.namespace}/${sa.name}`;
    const read = readAnnotation(value);
    if (!read || 'problem' in read) {
      warnings.push(
        coded(
          'IRSA-W038',
          `skipped ${id}: its ${ROLE_ARN_ANNOTATION} is not a role ARN (${value})`,
        ),
      );
      continue;
    }
    if (read.arn.accountId !== cluster.accountId) {
      warnings.push(
        coded(
          'IRSA-W038',
          `skipped ${id}: role ${value} is in another account; Pod Identity needs a role of account ${cluster.accountId} (with a target role for the other account)`,
        ),
      );
      continue;
    }
    const association = associationOf.get(associationKey(sa.namespace, sa.name));
    if (association?.ownerArn) {
      warnings.push(
        coded(
          'IRSA-W038',
          `skipped ${id}: its Pod Identity association belongs to the EKS add-on ${association.ownerArn}`,
        ),
      );
      continue;
    }
    const addon = addonRoles.get(roleNameOf(value).toLowerCase());
    if (addon && query.name !== sa.name) {
      warnings.push(
        coded(
          'IRSA-W038',
          `skipped ${id}: role ${value} is used by the EKS add-on ${addon}; migrate add-ons through the add-on (aws eks update-addon --pod-identity-associations), or name the service account with --name to migrate it anyway`,
        ),
      );
      continue;
    }
    seen.add(id);
    add({
      sa,
      namespace: sa.namespace,
      name: sa.name,
      roleArn: value,
      ...(association ? { association } : {}),
    });
  }
  // Migrated earlier and no longer annotated (a --remove-irsa run that stopped halfway).
  const byKey = new Map(accounts.map((sa) => [`${sa.namespace}/${sa.name}`, sa]));
  for (const a of migrated) {
    const id = `${a.namespace}/${a.serviceAccount}`;
    if (seen.has(id) || !selected({ namespace: a.namespace, name: a.serviceAccount })) continue;
    const sa = byKey.get(id);
    add({
      ...(sa ? { sa } : {}),
      namespace: a.namespace,
      name: a.serviceAccount,
      roleArn: a.roleArn,
      association: a,
    });
  }
  return groups;
}

/** Rollback: the selected associations migrate-to-pod-identity made, by role name. */
function rollbackGroups(
  migrated: PodIdentityAssociation[],
  accounts: ServiceAccount[],
  selected: (u: { namespace: string; name: string }) => boolean,
): Map<string, MigrationUser[]> {
  const byKey = new Map(accounts.map((sa) => [`${sa.namespace}/${sa.name}`, sa]));
  const groups = new Map<string, MigrationUser[]>();
  for (const a of migrated) {
    if (!selected({ namespace: a.namespace, name: a.serviceAccount })) continue;
    const sa = byKey.get(`${a.namespace}/${a.serviceAccount}`);
    const key = roleNameOf(a.roleArn);
    const user: MigrationUser = {
      ...(sa ? { sa } : {}),
      namespace: a.namespace,
      name: a.serviceAccount,
      roleArn: a.roleArn,
      association: a,
    };
    groups.set(key, [...(groups.get(key) ?? []), user]);
  }
  return groups;
}

const userOf = (sa: ServiceAccount): MigrationUser => ({
  sa,
  namespace: sa.namespace,
  name: sa.name,
  roleArn: sa.annotations[ROLE_ARN_ANNOTATION] ?? '',
});

/**
 * Why a service account annotated with the role may not be migrated to it, or undefined when it
 * may: the role's trust must admit its tokens today, and a role iamsa made must have been made
 * for it (its ownership tags name it). One that already has its association is not judged by
 * the trust (--remove-irsa may have gone), but still by the ownership tags.
 */
function refusalOf(c: Context, role: Role): (u: MigrationUser) => string | undefined {
  let trust: PolicyDocument | undefined;
  try {
    trust = parseTrustPolicy(role.trustPolicy, `the trust policy of ${role.name}`);
  } catch {
    trust = undefined; // planForward reports the unreadable trust
  }
  const tags = role.tags;
  return (u) => {
    const admits =
      !u.association && trust
        ? evaluateTrust(trust, {
            providerArn: c.providerArn,
            issuerHostPath: c.issuerHostPath,
            namespace: u.namespace,
            serviceAccount: u.name,
            audience: u.sa?.annotations[AUDIENCE_ANNOTATION] || STS_AUDIENCE,
          })
        : undefined;
    if (admits && !admits.admits) {
      return `it is annotated with ${role.arn}, whose trust does not admit it (${admits.problems[0] ?? 'no statement admits it'}): migrating would give it a role it cannot assume today`;
    }
    // An association to iamsa's role (made earlier, or by hand) is migrated only for its binding.
    if (
      isManagedByIamsa(tags) &&
      !isOwnedRoleFor(tags, c.cluster.arn, u.namespace, u.name) &&
      !isOwnedSharedRoleFor(tags, [c.cluster.arn], u.namespace, u.name)
    ) {
      return `role ${role.name} is not iamsa's role for it (${describeRoleOwner(tags)})${admits ? ': its trust admits it, but that is drift, not a binding' : ''}`;
    }
    return undefined;
  };
}

/**
 * Why a role is not iamsa's to migrate (or roll back) in this cluster, or undefined when it is:
 * iamsa's ownership tags for this cluster AND a trust iamsa writes for the binding they name
 * (hasOwnClusterTrust, the rule delete uses for IRSA-W048). Tags are anyone's to copy.
 */
function foreignReason(c: Context, oidc: ClusterOidc, role: Role): string | undefined {
  const owner = roleOwner(role.tags);
  if (!(owner.managed && owner.clusterArn === c.cluster.arn)) return describeRoleOwner(role.tags);
  const binding = {
    clusterArn: c.cluster.arn,
    cluster: c.cluster.name,
    namespace: owner.namespace ?? '',
    name: owner.serviceAccount ?? '',
  };
  // A Pod Identity statement not narrowed to the cluster is drift the migration replaces
  // (planForward): the rest of the trust must be iamsa's.
  let judged = role;
  try {
    const trust = parseTrustPolicy(role.trustPolicy, `the trust policy of ${role.name}`);
    const pods = buildPodIdentityTrustStatement({
      accountId: c.cluster.accountId,
      clusterArns: [c.cluster.arn],
    });
    const drift = unnarrowedPodIdentityStatements(trust, pods);
    const rest = { ...trust, Statement: trust.Statement.filter((s) => !drift.includes(s)) };
    judged = { ...role, trustPolicy: JSON.stringify(rest) };
  } catch {
    // hasOwnClusterTrust judges the unreadable trust: not iamsa's
  }
  if (hasOwnClusterTrust(judged, binding, c.cluster, oidc)) return undefined;
  return `it carries iamsa's tags for ${binding.namespace}/${binding.name}, but its trust is not iamsa's for that binding`;
}

/**
 * Rollback: why an association tagged as made by the migration may not be rolled back to the
 * role, or undefined when it may. The role must have been migrated (iamsa.io/migration), and the
 * service account be one the role's migration record names (its IRSA statement is in the
 * iamsa.io/irsa-trust-N tags) and, for iamsa's role, one its ownership tags name; without a
 * record, iamsa's role for it (its ownership tags). Tagging an association is anyone's to do.
 */
function rollbackRefusalOf(
  c: Context,
  role: Role,
  candidates: MigrationUser[],
): (u: MigrationUser) => string | undefined {
  const recorded = recordedStatements(role.tags);
  const managed = isManagedByIamsa(role.tags);
  const audiences = (users: MigrationUser[]) =>
    restorableAudiences(users.map((u) => ({ ...u, annotations: u.sa?.annotations })));
  const unrestorable = (placed: PlacedStatement[], users: MigrationUser[]) =>
    unrestorableStatement(placed, c.providerArn, c.issuerHostPath, audiences(users));
  const restorable = (s: PolicyStatement, users: MigrationUser[]) => !unrestorable([[0, s]], users);
  // A record holding what no rollback restores is refused as a whole by planRollback (exit 5,
  // naming the tags), not read for who it names.
  const damaged = !!recorded && !!unrestorable(recorded, candidates);
  return (u) => {
    if (role.tags[TAG_MIGRATION] === undefined) {
      return `role ${role.name} was never migrated by iamsa (it has no ${TAG_MIGRATION} tag): its association was not made by a migration of it`;
    }
    if (recorded && !damaged && !recorded.some(([, s]) => restorable(s, [u]))) {
      return `the migration record of role ${role.name} (${TAG_IRSA_TRUST_PREFIX}N) has no IRSA statement for it: it never used the role through IRSA`;
    }
    const owned = ownsBinding(role.tags, {
      clusterArn: c.cluster.arn,
      cluster: c.cluster.name,
      namespace: u.namespace,
      name: u.name,
    });
    if (managed ? !owned : !recorded) {
      return `role ${role.name} is not iamsa's role for it (${describeRoleOwner(role.tags)})${recorded ? '' : ' and there is no migration record'}`;
    }
    return undefined;
  };
}

/**
 * Forward: every IRSA binding of the role in the cluster is in this run (so its OIDC trust may
 * go). Rollback: every migrated association of the role is rolled back (so its Pod Identity
 * trust may go).
 */
function isComplete(
  query: MigrateQuery,
  role: Role,
  users: MigrationUser[],
  accounts: ServiceAccount[],
  migrated: PodIdentityAssociation[],
  binding: (sa: ServiceAccount) => boolean,
): boolean {
  const ids = new Set(users.map((u) => `${u.namespace}/${u.name}`));
  if (query.rollback) {
    return migrated
      .filter((a) => sameRoleArn(a.roleArn, role.arn))
      .every((a) => ids.has(`${a.namespace}/${a.serviceAccount}`));
  }
  return (
    accounts
      .filter((sa) => {
        const v = sa.annotations[ROLE_ARN_ANNOTATION];
        return v !== undefined && parseArn(v) !== undefined && sameRoleArn(v, role.arn);
      })
      // An annotation the trust does not admit is no binding: it never used the OIDC trust.
      .filter(binding)
      .every((sa) => ids.has(`${sa.namespace}/${sa.name}`))
  );
}

/** The roles EKS add-ons use (their serviceAccountRoleArn, or their associations'), by name. */
async function rolesOfAddons(
  session: ClusterSession,
  associations: PodIdentityAssociation[],
): Promise<Map<string, string>> {
  const names = await session.reporter.progress('Listing add-ons', () =>
    session.eks.listAddons(session.name),
  );
  const described = await mapConcurrent(names, 4, (n) =>
    session.eks.describeAddon(session.name, n),
  );
  const roles = new Map<string, string>();
  for (const a of described) {
    if (a?.serviceAccountRoleArn)
      roles.set(roleNameOf(a.serviceAccountRoleArn).toLowerCase(), a.name);
  }
  for (const a of associations) {
    // arn:aws:eks:<region>:<account>:addon/<cluster>/<name>/<id>
    if (a.ownerArn)
      roles.set(roleNameOf(a.roleArn).toLowerCase(), a.ownerArn.split('/')[2] ?? a.ownerArn);
  }
  return roles;
}
