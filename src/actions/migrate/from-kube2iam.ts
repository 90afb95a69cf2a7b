// Use case: move the workloads that ask kube2iam or kiam for a role to IRSA, workload by workload,
// then (--cleanup) drop the daemon's trust from the migrated roles, or (--rollback) put everything
// back as recorded. Forward, per workload: (1) its role gains the IRSA statement of the service
// account it will run as, its trust recorded in tags; (2) that service account is made or gets the
// role annotation; (3) the workload's pod template loses the daemon's annotation (and may switch
// service account), recorded on the workload. Rollback, an inverse edit that keeps later changes:
// (1) the recorded daemon statements the role lacks come back (only that shape: the record is tags),
// (2) the workloads, (3) the service accounts, (4) the IRSA statements the migration added go.
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { Role } from '../../aws/iam.js';
import { ConflictError, PreconditionError, ValidationError } from '../../errors.js';
import type { KubeAccess } from '../../kube/connection.js';
import type { ServiceAccount } from '../../kube/gateway.js';
import type { RbacBinding, Workload } from '../../kube/workloads.js';
import {
  buildTrustStatement,
  DAEMON_ROLE_ANNOTATION,
  type DaemonConfig,
  daemonFlagsTag,
  daemonStatements,
  daemonTrustGap,
  evaluateTrust,
  isDaemonTrustStatement,
  KUBE2IAM_RECORD_ANNOTATION,
  KUBE2IAM_SA_ANNOTATION,
  kube2iamTagKeys,
  MANAGED_BY_LABEL,
  recordedTrust,
  recordTrust,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  roleOwner,
  rollbackTrust,
  serviceAccountSubject,
  TAG_KUBE2IAM_DAEMON_FLAGS,
  TAG_KUBE2IAM_MIGRATION,
  TAG_KUBE2IAM_TRUST_PREFIX,
  TAG_NAMESPACE,
  TAG_SERVICE_ACCOUNT,
  validateClusterName,
  validateNamespace,
  withoutStatements,
  withStatement,
} from '../../policy/index.js';
import {
  type ClusterSession,
  openClusterSession,
  type RegionAccess,
} from '../binding/cluster-session.js';
import { mapConcurrent } from '../engine/concurrency.js';
import {
  asIamsaError,
  type BindingPlan,
  composePlan,
  type PlanStep,
  type Planned,
  updateStep,
} from '../engine/plan.js';
import { once, rollbackRoleSteps, trustEdit, trustOf } from './trust-edits.js';
import type { Reporter } from '../engine/reporter.js';
import { namespaceWarning } from '../binding/missing-namespace.js';
import {
  bindMoves,
  daemonRequests,
  daemonVerdict,
  discover,
  isTopLevel,
  madeByMigration,
  type Move,
  nameWorkloads,
  readRecord,
  recreateHint,
  workloadId,
} from './kube2iam-discover.js';

export interface MigrateFromKube2iamQuery {
  cluster: string;
  namespace?: string;
  daemon: Omit<DaemonConfig, 'baseRoleArn'> & { baseRoleArn?: string };
  cleanup: boolean;
  rollback: boolean;
  /** --cleanup: only statements trusting these roles (the node or kiam server roles). */
  daemonRoleArns: string[];
}

const COMMAND = 'migrate-from-kube2iam';

interface Ctx {
  session: ClusterSession;
  providerArn: string;
  issuerHostPath: string;
  query: MigrateFromKube2iamQuery;
}

export async function planMigrateFromKube2iam(
  query: MigrateFromKube2iamQuery,
  kube: KubeAccess,
  deps: RegionAccess & { reporter: Reporter },
): Promise<Planned> {
  validateClusterName(query.cluster, '--cluster');
  if (query.namespace !== undefined) validateNamespace(query.namespace, '--namespace');
  if (query.cleanup && query.rollback) {
    throw new ValidationError('--cleanup finishes a migration and --rollback undoes one; give one');
  }
  const session = openClusterSession(deps, {
    cluster: query.cluster,
    kube,
    reporter: deps.reporter,
  });
  const { reporter } = session;
  const [cluster, oidc, k] = await Promise.all([session.cluster(), session.oidc(), session.kube()]);
  const gateway = k.gateway;
  const warnings: Warning[] = [];
  const [workloads, namespaces, accounts, rbac] = await Promise.all([
    reporter.progress('Listing workloads', () => gateway.listWorkloads()),
    reporter.progress('Reading namespaces', () => gateway.namespaceAnnotations()),
    reporter.progress('Listing service accounts', () => gateway.listServiceAccounts()),
    reporter.progress('Listing role bindings', () =>
      gateway.listRbacBindings().catch((error: unknown) => {
        warnings.push(
          coded(
            'IRSA-W027',
            `could not list RBAC bindings (${asIamsaError(error).message}): check by hand what is bound to the service accounts workloads leave`,
          ),
        );
        return [] as RbacBinding[];
      }),
    ),
  ]);
  if (!query.rollback) await session.requireProvider();
  if (query.namespace !== undefined && !(query.namespace in namespaces))
    warnings.push(namespaceWarning(query.namespace, query.cluster, Object.keys(namespaces)));
  const ctx: Ctx = { session, providerArn: oidc.providerArn, issuerHostPath: oidc.hostPath, query };
  const config: DaemonConfig = {
    ...query.daemon,
    baseRoleArn: query.daemon.baseRoleArn ?? `arn:aws:iam::${cluster.accountId}:role/`,
  };
  if (query.daemon.baseRoleArn === undefined) {
    warnings.push(
      coded(
        'IRSA-W028',
        `role names resolved with ${config.baseRoleArn} (the cluster's account, as --auto-discover-base-arn does); pass --base-role-arn if the daemon runs with another`,
      ),
    );
  }
  const inScope = (ns: string) => query.namespace === undefined || ns === query.namespace;
  const bindings = query.rollback
    ? await planRollback(
        ctx,
        workloads.filter((w) => inScope(w.namespace)),
        accounts,
        warnings,
      )
    : query.cleanup
      ? await planCleanup(ctx, config, workloads, namespaces, accounts, warnings)
      : await planForward(ctx, config, workloads, namespaces, accounts, rbac, warnings);
  [...warnings, ...bindings.flatMap((b) => b.warnings)].forEach((w) => reporter.warn(w));
  bindings.sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.source.localeCompare(b.source),
  );
  return composePlan(
    {
      command: COMMAND,
      cluster: query.cluster,
      region: deps.region,
      warnings: [...session.warnings, ...warnings],
    },
    bindings,
    reporter,
  );
}

const readRoles = (session: ClusterSession, arns: string[]) =>
  mapConcurrent([...new Set(arns)], 4, async (arn) => ({
    arn,
    role: await session.reporter.progress(`Reading IAM role ${roleNameOf(arn)}`, () =>
      session.iam.getRole(roleNameOf(arn)),
    ),
  })).then((list) => new Map(list.map((r) => [r.arn, r.role])));

/** Only the role at exactly that ARN: GetRole finds by name alone (see bindMoves). */
const readRolesAt = (session: ClusterSession, arns: string[]) =>
  readRoles(session, arns).then(
    (roles) =>
      new Map([...roles].map(([arn, role]) => [arn, role?.arn === arn ? role : undefined])),
  );

const bindingOf = (
  ctx: Ctx,
  w: Workload,
  serviceAccount: string,
  roleArn: string | undefined,
  steps: PlanStep[],
  extra: Partial<BindingPlan> = {},
): BindingPlan => ({
  cluster: ctx.query.cluster,
  namespace: w.namespace,
  name: serviceAccount,
  source: `${w.kind.toLowerCase()}/${w.name}`,
  mechanism: 'irsa',
  ...(roleArn ? { roleArn } : {}),
  serviceAccount: { namespace: w.namespace, name: serviceAccount },
  steps,
  warnings: [],
  ...extra,
});

async function planForward(
  ctx: Ctx,
  config: DaemonConfig,
  workloads: Workload[],
  namespaces: Record<string, Record<string, string>>,
  accounts: ServiceAccount[],
  rbac: RbacBinding[],
  warnings: Warning[],
): Promise<BindingPlan[]> {
  const { session, query } = ctx;
  const cluster = await session.cluster();
  const found = discover({
    config,
    workloads,
    namespaceAnnotations: namespaces,
    serviceAccounts: accounts,
    accountId: cluster.accountId,
    ...(query.namespace !== undefined ? { namespace: query.namespace } : {}),
  });
  warnings.push(...found.refused.map((r) => coded('IRSA-W029', `refused: ${r}`)));
  warnings.push(...found.notMigrated.map((r) => coded('IRSA-W030', `not migrated: ${r}`)));
  const roles = await readRoles(
    session,
    [...found.moves, ...found.unchangeable].map((m) => m.roleArn),
  );
  const saOf = new Map(accounts.map((a) => [`${a.namespace}/${a.name}`, a]));
  const { bound, missing } = bindMoves(found.moves, (arn) => roles.get(arn));
  warnings.push(...missing.map((r) => coded('IRSA-W030', `not migrated: ${r}`)));
  const daemonRoles = (moves: Array<Move & { role: Role }>) =>
    moves.filter((m) => {
      const why = notDaemonRole(ctx, m, cluster.accountId);
      if (why) {
        warnings.push(
          coded(
            'IRSA-W047',
            `not migrated: ${workloadId(m.workload)} asks ${query.daemon.flavour} for role ${m.role.name}, which ${query.daemon.flavour} could not hand it out: ${why}`,
          ),
        );
      }
      return !why;
    });
  const migratable = daemonRoles(bound);
  // A pod that cannot change is told how to recreate it, for a role the daemon hands it only.
  const unchangeable = bindMoves(found.unchangeable, (arn) => roles.get(arn));
  warnings.push(
    ...[...unchangeable.missing, ...daemonRoles(unchangeable.bound).map(recreateHint)].map((r) =>
      coded('IRSA-W030', `not migrated: ${r}`),
    ),
  );
  const bindings: BindingPlan[] = [];
  for (const m of migratable) {
    const { role } = m;
    try {
      const users = migratable.filter((o) => o.role.arn === role.arn);
      const steps = [
        roleStep(ctx, role, users),
        serviceAccountStep(ctx, m, saOf.get(`${m.workload.namespace}/${m.serviceAccount}`)),
        workloadStep(ctx, m),
      ];
      const plan = bindingOf(ctx, m.workload, m.serviceAccount, role.arn, steps);
      const previous = m.workload.serviceAccountName;
      if (m.dedicated && previous !== m.serviceAccount) {
        const named = boundTo(rbac, m.workload.namespace, previous);
        plan.warnings.push(
          coded(
            'IRSA-W031',
            `${workloadId(m.workload)} moves from service account ${previous} to ${m.serviceAccount}: RBAC bound to ${previous} does not follow${named.length ? ` (${named.join(', ')}): bind ${m.serviceAccount} the same way` : ' (no bindings name it)'}`,
          ),
        );
      }
      if (m.workload.kind === 'ReplicaSet' && !m.done) {
        plan.warnings.push(
          coded(
            'IRSA-W032',
            `replicaset ${m.workload.namespace}/${m.workload.name} does not replace its pods when its template changes: delete them so it recreates them with web identity`,
          ),
        );
      }
      bindings.push(plan);
    } catch (error) {
      bindings.push(
        bindingOf(ctx, m.workload, m.serviceAccount, role.arn, [], { error: asIamsaError(error) }),
      );
    }
  }
  return bindings;
}

/**
 * Why a workload's role is not one the daemon could hand it out today, or undefined when it is:
 * a role iamsa made for another service account is no kube2iam role, and the role's trust must
 * let the daemon's role assume it. Kubernetes objects name the role; only IAM says whether the
 * daemon can take it. A migrated workload's record is a Kubernetes annotation too, which anyone
 * who can edit the workload can write: it never widens a trust. It is believed only when the
 * role's trust already admits the service account it implies (a re-run adds nothing); otherwise
 * the workload no longer asks the daemon, so there is no request to migrate.
 */
function notDaemonRole(ctx: Ctx, m: Move & { role: Role }, accountId: string): string | undefined {
  const ns = m.workload.namespace;
  const owner = roleOwner(m.role.tags);
  if (owner.managed && (owner.namespace !== ns || owner.serviceAccount !== m.serviceAccount)) {
    return `iamsa made it for ${owner.namespace !== undefined && owner.serviceAccount !== undefined ? `service account ${owner.namespace}/${owner.serviceAccount}` : 'another binding'} (its ${TAG_NAMESPACE} and ${TAG_SERVICE_ACCOUNT} tags), not a role of the daemon`;
  }
  const trust = trustOf(m.role);
  if (m.done) {
    const admits = evaluateTrust(trust, {
      providerArn: ctx.providerArn,
      issuerHostPath: ctx.issuerHostPath,
      namespace: ns,
      serviceAccount: m.serviceAccount,
    }).admits;
    return admits
      ? undefined
      : `its ${KUBE2IAM_RECORD_ANNOTATION} annotation says it was migrated to service account ${ns}/${m.serviceAccount}, which the role's trust does not admit, and its template no longer carries ${DAEMON_ROLE_ANNOTATION}: that annotation is no proof of a migration and never widens a trust`;
  }
  return daemonTrustGap(trust, { accountId, daemonRoleArns: ctx.query.daemonRoleArns });
}

/** The RBAC bindings that name a service account. */
function boundTo(rbac: RbacBinding[], namespace: string, name: string): string[] {
  return rbac
    .filter((b) =>
      b.subjects.some(
        (s) =>
          s.kind === 'ServiceAccount' &&
          s.name === name &&
          (s.namespace ?? b.namespace) === namespace,
      ),
    )
    .map((b) => `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name} (${b.roleRef})`);
}

/** Phase 1, shared by the role's workloads: the IRSA statements, the trust recorded once. */
function roleStep(ctx: Ctx, role: Role, users: Move[]): PlanStep {
  return ctx.session.sharedStep(`kube2iam-trust:${role.arn}`, () => {
    const trust = trustOf(role);
    const targets = [
      ...new Map(
        users.map((u) => [`${u.workload.namespace}/${u.serviceAccount}`, u] as const),
      ).values(),
    ].map((u) => ({
      providerArn: ctx.providerArn,
      issuerHostPath: ctx.issuerHostPath,
      namespace: u.workload.namespace,
      serviceAccount: u.serviceAccount,
    }));
    const next = targets.reduce(
      (doc, t) => (evaluateTrust(doc, t).admits ? doc : withStatement(doc, buildTrustStatement(t))),
      trust,
    );
    const added = next.Statement.length - trust.Statement.length;
    const record =
      role.tags[TAG_KUBE2IAM_MIGRATION] === undefined
        ? {
            [TAG_KUBE2IAM_MIGRATION]: ctx.query.daemon.flavour,
            ...(daemonFlagsTag(ctx.query.daemon)
              ? { [TAG_KUBE2IAM_DAEMON_FLAGS]: daemonFlagsTag(ctx.query.daemon) }
              : {}),
            ...recordTrust(trust),
          }
        : {};
    return updateStep('iam-role', role.arn, 1, [
      trustEdit(
        ctx,
        role,
        trust,
        next,
        `trust + ${added} IRSA statement(s) (StringEquals sub and aud) for ${targets.map((t) => `${t.namespace}/${t.serviceAccount}`).join(', ')}`,
      ),
      Object.keys(record).length > 0 && {
        change: `tags ${TAG_KUBE2IAM_MIGRATION} and its trust as it was (what --rollback restores)`,
        run: () => ctx.session.iam.tagRole(role.name, record),
      },
    ]);
  });
}

/** Phase 2: the service account the workload will run as, made or annotated (shared). */
function serviceAccountStep(ctx: Ctx, m: Move, sa: ServiceAccount | undefined): PlanStep {
  const ns = m.workload.namespace;
  const id = `${ns}/${m.serviceAccount}`;
  return ctx.session.sharedStep(`kube2iam-sa:${id}`, () => {
    const kube = async () => (await ctx.session.kube()).gateway;
    if (!sa) {
      return {
        resource: 'service-account',
        id,
        action: 'create',
        changes: [
          `annotation ${ROLE_ARN_ANNOTATION}=${m.roleArn}`,
          `for ${workloadId(m.workload)}`,
        ],
        phase: 2,
        run: async () =>
          (await kube()).createServiceAccount(ns, m.serviceAccount, {
            annotations: { [ROLE_ARN_ANNOTATION]: m.roleArn, [KUBE2IAM_SA_ANNOTATION]: 'created' },
            labels: { [MANAGED_BY_LABEL]: 'iamsa' },
          }),
      };
    }
    const annotated = sa.annotations[ROLE_ARN_ANNOTATION];
    if (annotated !== undefined && annotated !== m.roleArn) {
      throw new ConflictError(
        `service account ${id} is annotated with ${annotated}, not ${m.roleArn}: ${workloadId(m.workload)} is not migrated`,
        {
          hint: 'a service account iamsa did not make for this workload keeps its role; free the name or re-point it',
        },
      );
    }
    if (m.refusal) {
      throw new ConflictError(m.refusal, { hint: `delete or rename ${id}, then re-run` });
    }
    return updateStep('service-account', id, 2, [
      annotated === undefined && {
        change: `annotation ${ROLE_ARN_ANNOTATION}=${m.roleArn}`,
        run: async () =>
          (await kube()).patchServiceAccount(
            ns,
            m.serviceAccount,
            {
              annotations: {
                [ROLE_ARN_ANNOTATION]: m.roleArn,
                [KUBE2IAM_SA_ANNOTATION]: 'annotated',
              },
            },
            sa.resourceVersion,
          ),
      },
    ]);
  });
}

/** Phase 3: the template asks the daemon no more (its pods roll onto web identity). */
function workloadStep(ctx: Ctx, m: Move): PlanStep {
  const w = m.workload;
  const id = `${w.kind.toLowerCase()}/${w.namespace}/${w.name}`;
  const switching = w.serviceAccountName !== m.serviceAccount;
  const needed = !m.done || switching;
  if (!needed) {
    return { resource: 'workload', id, action: 'unchanged', changes: [], phase: 3 };
  }
  const record = readRecord(w) ?? {
    role: m.requested,
    serviceAccountName: w.serviceAccountName === 'default' ? null : w.serviceAccountName,
  };
  return {
    resource: 'workload',
    id,
    action: 'update',
    changes: [
      `pod template annotation ${DAEMON_ROLE_ANNOTATION}: ${m.requested} -> (none)`,
      ...(switching ? [`serviceAccountName: ${w.serviceAccountName} -> ${m.serviceAccount}`] : []),
      `annotation ${KUBE2IAM_RECORD_ANNOTATION} (what --rollback restores)`,
    ],
    phase: 3,
    run: async () => {
      const k = await ctx.session.kube();
      await k.gateway.patchWorkload(
        w,
        {
          annotations: { [KUBE2IAM_RECORD_ANNOTATION]: JSON.stringify(record) },
          templateAnnotations: { [DAEMON_ROLE_ANNOTATION]: null },
          ...(switching ? { serviceAccountName: m.serviceAccount } : {}),
        },
        w.resourceVersion,
      );
    },
  };
}

/** The roles the migration touched, as the service accounts it made or annotated name them. */
function migratedAccounts(accounts: ServiceAccount[], inScope: (ns: string) => boolean) {
  return accounts.filter(
    (a) => a.annotations[KUBE2IAM_SA_ANNOTATION] !== undefined && inScope(a.namespace),
  );
}

async function planCleanup(
  ctx: Ctx,
  config: DaemonConfig,
  workloads: Workload[],
  namespaces: Record<string, Record<string, string>>,
  accounts: ServiceAccount[],
  warnings: Warning[],
): Promise<BindingPlan[]> {
  const { session, query } = ctx;
  const cluster = await session.cluster();
  const inScope = (ns: string) => query.namespace === undefined || ns === query.namespace;
  const mine = migratedAccounts(accounts, inScope);
  const roles = await readRolesAt(
    session,
    mine.map((a) => a.annotations[ROLE_ARN_ANNOTATION] ?? '').filter(Boolean),
  );
  // Every pod or template the daemon still hands a role, wherever it is (it serves them all);
  // a request it refuses loses nothing when the daemon's trust goes.
  const asking = daemonRequests(config, workloads, namespaces).granted;
  const askingFor = (arn: string) => asking.filter((a) => a.arn === arn).map((a) => a.w);
  const bindings: BindingPlan[] = [];
  for (const [arn, role] of roles) {
    if (!role) {
      warnings.push(
        coded('IRSA-W033', `role ${arn} does not exist any more: nothing to clean up on it`),
      );
      continue;
    }
    const recorded = recordedTrust(role.tags);
    const users = mine.filter((a) => a.annotations[ROLE_ARN_ANNOTATION] === arn);
    const first = users[0] as ServiceAccount;
    const pseudo: Workload = {
      kind: 'Deployment',
      namespace: first.namespace,
      name: first.name,
      annotations: {},
      templateAnnotations: {},
      serviceAccountName: first.name,
      owners: [],
    };
    if (!recorded) {
      warnings.push(
        coded(
          'IRSA-W034',
          `role ${role.name} has no record of its trust (${TAG_KUBE2IAM_MIGRATION} tags): iamsa does not know which statements were the daemon's, so it leaves them`,
        ),
      );
      continue;
    }
    const still = askingFor(arn);
    if (still.length) {
      bindings.push({
        ...bindingOf(ctx, pseudo, first.name, arn, []),
        source: 'cleanup',
        error: new PreconditionError(
          `role ${role.name} keeps the ${config.flavour} trust: ${still.length} pod(s) or template(s) still ask ${config.flavour} for it (${nameWorkloads(still)})`,
          { hint: 'migrate them (or let their pods roll) and re-run --cleanup' },
        ),
      });
      continue;
    }
    const trust = trustOf(role);
    // Only what --rollback could put back: a statement of another shape stays.
    const drop = daemonStatements(trust, recorded, query.daemonRoleArns).filter((s) =>
      isDaemonTrustStatement(s, cluster.accountId),
    );
    const step = updateStep('iam-role', role.arn, 1, [
      trustEdit(
        ctx,
        role,
        trust,
        withoutStatements(trust, drop),
        `trust - ${drop.length} statement(s) trusting ${[...new Set(drop.flatMap((s) => [JSON.stringify((s.Principal as { AWS: unknown }).AWS)]))].join(', ')} (${config.flavour})`,
      ),
    ]);
    bindings.push({ ...bindingOf(ctx, pseudo, first.name, arn, [step]), source: 'cleanup' });
  }
  warnings.push(daemonVerdict(config, workloads, namespaces));
  return bindings;
}

async function planRollback(
  ctx: Ctx,
  workloads: Workload[],
  accounts: ServiceAccount[],
  warnings: Warning[],
): Promise<BindingPlan[]> {
  const { session, query } = ctx;
  const inScope = (ns: string) => query.namespace === undefined || ns === query.namespace;
  // A "created" record without iamsa's label is anyone's annotation: never a licence to delete.
  const mine = migratedAccounts(accounts, inScope).filter((a) => {
    const forged = a.annotations[KUBE2IAM_SA_ANNOTATION] === 'created' && !madeByMigration(a);
    if (forged) {
      warnings.push(
        coded(
          'IRSA-W049',
          `service account ${a.namespace}/${a.name} carries ${KUBE2IAM_SA_ANNOTATION}=created without iamsa's ${MANAGED_BY_LABEL} label: not made by iamsa, left as it is`,
        ),
      );
    }
    return !forged;
  });
  const migrated = workloads.filter((w) => isTopLevel(w) && readRecord(w));
  const roles = await readRolesAt(
    session,
    mine.map((a) => a.annotations[ROLE_ARN_ANNOTATION] ?? '').filter(Boolean),
  );
  const kube = async () => (await session.kube()).gateway;
  // Phase 2 steps by role, so the role's final step waits for all of them.
  const workloadRuns = new Map<string, Array<() => Promise<void>>>();
  const saSteps = new Map<string, PlanStep>();
  for (const sa of mine) {
    const id = `${sa.namespace}/${sa.name}`;
    const created = sa.annotations[KUBE2IAM_SA_ANNOTATION] === 'created';
    saSteps.set(
      id,
      created
        ? {
            resource: 'service-account',
            id,
            action: 'delete',
            changes: ['made by migrate-from-kube2iam'],
            phase: 3,
            run: async () =>
              (await kube()).deleteServiceAccount(sa.namespace, sa.name, sa.resourceVersion),
          }
        : {
            resource: 'service-account',
            id,
            action: 'update',
            changes: [
              `annotation ${ROLE_ARN_ANNOTATION}: ${sa.annotations[ROLE_ARN_ANNOTATION]} -> (none)`,
            ],
            phase: 3,
            run: async () =>
              (await kube()).patchServiceAccount(
                sa.namespace,
                sa.name,
                { annotations: { [ROLE_ARN_ANNOTATION]: null, [KUBE2IAM_SA_ANNOTATION]: null } },
                sa.resourceVersion,
              ),
          },
    );
  }
  const roleSteps = new Map<
    string,
    { restore: PlanStep; finish: PlanStep } | { error: ConflictError }
  >();
  const accountId = (await session.cluster()).accountId;
  // Migrated service accounts of other namespaces still need the role's record.
  const everywhere = migratedAccounts(accounts, () => true);
  for (const [arn, role] of roles) {
    if (!role) {
      warnings.push(coded('IRSA-W033', `role ${arn} does not exist: its trust cannot be restored`));
      continue;
    }
    const recorded = recordedTrust(role.tags);
    if (!recorded) {
      warnings.push(
        coded(
          'IRSA-W034',
          `role ${role.name} has no record of its trust (${TAG_KUBE2IAM_MIGRATION} tags): only the IRSA statements of the migrated service accounts are removed, the ${query.daemon.flavour} statements are not put back`,
        ),
      );
    }
    const trust = trustOf(role);
    const users = mine.filter((a) => a.annotations[ROLE_ARN_ANNOTATION] === arn);
    const edit = rollbackTrust(trust, recorded ?? [], {
      providerArn: ctx.providerArn,
      issuerHostPath: ctx.issuerHostPath,
      subjects: users.map((a) => serviceAccountSubject(a.namespace, a.name)),
      accountId,
      daemonRoleArns: query.daemonRoleArns,
    });
    if ('refused' in edit && edit.noDaemonRole) {
      roleSteps.set(arn, {
        error: new ConflictError(
          `role ${role.name} lacks recorded ${query.daemon.flavour} statement(s) (${TAG_KUBE2IAM_TRUST_PREFIX}* tags, anyone's to edit) and no --daemon-role-arn says whose trust comes back: ${JSON.stringify(edit.refused)}`,
          {
            hint: `nothing was changed; re-run with --daemon-role-arn naming the ${query.daemon.flavour} role (the node role, or kiam's server role): only statements of that role are put back`,
          },
        ),
      });
      continue;
    }
    if ('refused' in edit) {
      const tags = Object.keys(role.tags)
        .filter((k) => k.startsWith(TAG_KUBE2IAM_TRUST_PREFIX))
        .sort();
      roleSteps.set(arn, {
        error: new ConflictError(
          `the ${tags.join(', ')} tag${tags.length > 1 ? 's' : ''} of role ${role.name} record${tags.length > 1 ? '' : 's'} a statement the trust lacks that is not the ${query.daemon.flavour} trust (only an Allow of the --daemon-role-arn role(s) ${query.daemonRoleArns.join(', ')}, sts:AssumeRole, no condition but sts:ExternalId is put back): ${JSON.stringify(edit.refused)}`,
          {
            hint: `nothing was changed; the tags were edited after the migration: check the role's trust, remove them (aws iam untag-role --role-name ${role.name} --tag-keys ${tags.join(' ')}) and roll back again, which removes the IRSA statements and leaves the rest of the trust as it is`,
          },
        ),
      });
      continue;
    }
    // The annotation and the record are anyone's to write: trust comes back only to a role the
    // migration changed, whose trust still holds its IRSA statement for these service accounts.
    if (edit.irsa.length === 0 && edit.daemon.length > 0) {
      roleSteps.set(arn, {
        error: new ConflictError(
          `role ${role.name} holds no IRSA statement the migration wrote for ${users.map((a) => `${a.namespace}/${a.name}`).join(', ')}: it was not migrated from ${query.daemon.flavour} by iamsa, and its ${TAG_KUBE2IAM_TRUST_PREFIX}* tags and the service accounts' ${KUBE2IAM_SA_ANNOTATION} annotation are anyone's to write`,
          {
            hint: `nothing was changed; check the role's trust by hand, and remove the annotation from ${users.map((a) => `${a.namespace}/${a.name}`).join(', ')}`,
          },
        ),
      });
      continue;
    }
    const runs: Array<() => Promise<void>> = [];
    workloadRuns.set(arn, runs);
    const stillUsed = everywhere.some(
      (a) => a.annotations[ROLE_ARN_ANNOTATION] === arn && !users.includes(a),
    );
    const tagKeys = kube2iamTagKeys(role.tags);
    const finish = updateStep('iam-role', role.arn, 4, [
      trustEdit(
        ctx,
        role,
        edit.restored,
        edit.final,
        `trust - ${edit.irsa.length} IRSA statement(s) of the migrated service accounts (the rest stays)`,
      ),
      !stillUsed &&
        tagKeys.length > 0 && {
          change: `remove tags ${tagKeys.join(', ')}`,
          run: () => session.iam.untagRole(role.name, tagKeys),
        },
    ]);
    const inner = finish.run;
    roleSteps.set(arn, {
      restore: updateStep('iam-role', role.arn, 1, [
        trustEdit(
          ctx,
          role,
          trust,
          edit.restored,
          `trust + the ${edit.daemon.length} recorded ${query.daemon.flavour} statement(s) it lacks`,
        ),
      ]),
      finish: {
        ...finish,
        run: once(async () => {
          await Promise.all(runs.map((r) => r()));
          await inner?.();
        }),
      },
    });
  }
  const bindings: BindingPlan[] = [];
  const refusedAccounts = new Set<string>();
  for (const w of migrated) {
    const record = readRecord(w);
    if (!record) continue;
    const sa = mine.find((a) => a.namespace === w.namespace && a.name === w.serviceAccountName);
    const arn = sa?.annotations[ROLE_ARN_ANNOTATION];
    const original = record.serviceAccountName ?? 'default';
    const patch: PlanStep = {
      resource: 'workload',
      id: `${w.kind.toLowerCase()}/${w.namespace}/${w.name}`,
      action: 'update',
      changes: [
        `pod template annotation ${DAEMON_ROLE_ANNOTATION}: (none) -> ${record.role}`,
        ...(w.serviceAccountName !== original
          ? [`serviceAccountName: ${w.serviceAccountName} -> ${original}`]
          : []),
        `annotation ${KUBE2IAM_RECORD_ANNOTATION} removed`,
      ],
      phase: 2,
      run: once(async () =>
        (await kube()).patchWorkload(
          w,
          {
            annotations: { [KUBE2IAM_RECORD_ANNOTATION]: null },
            templateAnnotations: { [DAEMON_ROLE_ANNOTATION]: record.role },
            ...(w.serviceAccountName !== original
              ? { serviceAccountName: record.serviceAccountName }
              : {}),
          },
          w.resourceVersion,
        ),
      ),
    };
    const planned = arn ? roleSteps.get(arn) : undefined;
    if (planned && 'error' in planned) {
      if (sa) refusedAccounts.add(`${sa.namespace}/${sa.name}`);
      bindings.push(bindingOf(ctx, w, original, arn, [], { error: planned.error }));
      continue;
    }
    const r = planned;
    if (arn && r) workloadRuns.get(arn)?.push(patch.run as () => Promise<void>);
    const rows = r ? rollbackRoleSteps(r.restore, r.finish) : [];
    const steps = [
      ...rows.filter((s) => s === r?.restore),
      patch,
      ...(sa ? [saSteps.get(`${sa.namespace}/${sa.name}`) as PlanStep] : []),
      ...rows.filter((s) => s === r?.finish),
    ];
    bindings.push(bindingOf(ctx, w, original, arn, steps));
  }
  // Service accounts or roles whose workloads are gone (deleted meanwhile): undo them too.
  const used = new Set(bindings.flatMap((b) => b.steps));
  for (const [id, s] of saSteps) {
    if (used.has(s) || refusedAccounts.has(id)) continue;
    const [ns = '', name = ''] = id.split('/');
    const arn = mine.find((a) => a.namespace === ns && a.name === name)?.annotations[
      ROLE_ARN_ANNOTATION
    ];
    const planned = arn ? roleSteps.get(arn) : undefined;
    const r = planned && 'error' in planned ? undefined : planned;
    const pseudo: Workload = {
      kind: 'Deployment',
      namespace: ns,
      name,
      annotations: {},
      templateAnnotations: {},
      serviceAccountName: name,
      owners: [],
    };
    bindings.push({
      ...bindingOf(
        ctx,
        pseudo,
        name,
        arn,
        planned && 'error' in planned
          ? []
          : [
              ...(r ? rollbackRoleSteps(r.restore, r.finish).filter((x) => x === r.restore) : []),
              s,
              ...(r ? rollbackRoleSteps(r.restore, r.finish).filter((x) => x === r.finish) : []),
            ],
        planned && 'error' in planned ? { error: planned.error } : {},
      ),
      source: `serviceaccount/${name}`,
    });
  }
  return bindings;
}
