// The steps of migrate-to-pod-identity, for one role and the service accounts that use it.
// Forward: (1) the role trusts Pod Identity for the cluster and records what a rollback needs,
// (2) each service account gets its association, then with --remove-irsa (3) the role loses the
// cluster's OIDC statements and (4) each service account its annotation. Rollback: (1) the OIDC
// statements come back, (2) the annotations, (3) the associations go, (4) the Pod Identity
// statement and the migration tags go. The role steps are shared by the role's service accounts;
// those of phases 3 and 4 first finish every association step of the role (run once each), so the
// OIDC trust never goes before every pod has its association, nor the Pod Identity trust before
// every association is gone.
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { ClusterInfo, PodIdentityAssociation } from '../../aws/eks.js';
import type { Role } from '../../aws/iam.js';
import { AlreadyExistsError, ConflictError } from '../../errors.js';
import type { ServiceAccount } from '../../kube/gateway.js';
import {
  AUDIENCE_ANNOTATION,
  ATTACHED_ROLE_TAG,
  bindingOwnershipTags,
  buildPodIdentityTrustStatement,
  buildTrustStatement,
  evaluatePodIdentityTrust,
  evaluateTrust,
  isManagedByIamsa,
  isOwnedRoleFor,
  MAX_TAGS,
  migrationTagKeys,
  type PolicyDocument,
  providerStatements,
  recordedStatements,
  recordStatements,
  ROLE_ARN_ANNOTATION,
  roleOwner,
  sameRoleArn,
  restorableAudiences,
  STS_AUDIENCE,
  unrestorableStatement,
  TAG_IRSA_TRUST_PREFIX,
  TAG_MECHANISM,
  TAG_MIGRATED_FROM,
  TAG_MIGRATION,
  unnarrowedPodIdentityStatements,
  WEB_IDENTITY_ACTION,
  withoutStatements,
  withPlacedStatements,
  withStatement,
} from '../../policy/index.js';
import type { ClusterSession } from '../binding/cluster-session.js';
import { type PlanStep, step, updateStep } from '../engine/plan.js';
import { once, rollbackRoleSteps, trustEdit, trustOf } from './trust-edits.js';
import { findAssociation } from '../binding/pod-identity-associations.js';

/** One service account being migrated (or rolled back) and what it has now. */
export interface MigrationUser {
  sa?: ServiceAccount;
  namespace: string;
  name: string;
  /** The role ARN the annotation (forward) or association (rollback) names. */
  roleArn: string;
  association?: PodIdentityAssociation;
}

export interface RoleMigration {
  role: Role;
  users: MigrationUser[];
  /**
   * Forward: whether every IRSA binding of the role in the cluster is migrated in this run (else
   * its OIDC statements stay). Rollback: whether every migrated association of the role is rolled
   * back (else the Pod Identity statement stays).
   */
  complete: boolean;
  /** Rollback: every service account migrated to the role (whose statements may come back). */
  migrated?: Array<{ namespace: string; name: string }>;
}

export interface Context {
  session: ClusterSession;
  cluster: ClusterInfo;
  providerArn: string;
  issuerHostPath: string;
}

/** Per service account, its steps (shared role steps included), warnings, and its error. */
export interface UserPlan {
  user: MigrationUser;
  steps: PlanStep[];
  warnings: Warning[];
}

/** Runs a step's work once however often it is asked for; unchanged steps are done already. */

/** Waits for the given association steps before its own work (see the file comment). */
function after(stepOf: PlanStep, first: Array<() => Promise<void>>): PlanStep {
  if (stepOf.action === 'unchanged') return stepOf;
  const inner = stepOf.run;
  return {
    ...stepOf,
    run: async () => {
      await Promise.all(first.map((f) => f()));
      await inner?.();
    },
  };
}

const userId = (u: { namespace: string; name: string }) => `${u.namespace}/${u.name}`;

export function planForward(c: Context, m: RoleMigration, removeIrsa: boolean): UserPlan[] {
  const { role } = m;
  const { session, cluster } = c;
  const trust = trustOf(role);
  const podsStatement = buildPodIdentityTrustStatement({
    accountId: cluster.accountId,
    clusterArns: [cluster.arn],
  });
  const admitted = (doc: PolicyDocument) =>
    m.users.every(
      (u) =>
        evaluatePodIdentityTrust(doc, {
          accountId: cluster.accountId,
          clusterArn: cluster.arn,
          clusterName: cluster.name,
          namespace: u.namespace,
          serviceAccount: u.name,
        }).admits,
    );
  // iamsa's role trusts Pod Identity only as iamsa writes it, narrowed to this cluster (as apply
  // with mechanism pod-identity does): any other statement admitting its sessions is drift.
  const ours = isManagedByIamsa(role.tags) && roleOwner(role.tags).clusterArn === cluster.arn;
  const drift = ours ? unnarrowedPodIdentityStatements(trust, podsStatement) : [];
  const clean = withoutStatements(trust, drift);
  const addPods = !admitted(clean);
  const migrated = addPods ? withStatement(clean, podsStatement) : clean;
  // What a rollback needs, recorded once: a re-run after --remove-irsa must not overwrite it (a
  // migration tag without its record is no migration: both are written).
  const record =
    role.tags[TAG_MIGRATION] === undefined || recordedStatements(role.tags) === undefined
      ? {
          [TAG_MIGRATION]: addPods ? 'pods-added' : 'pods-present',
          ...recordStatements(providerStatements(clean, c.providerArn)),
        }
      : {};
  const trustChange = [
    drift.length > 0 &&
      `- ${drift.length} Pod Identity statement(s) not narrowed to ${cluster.arn} (drift)`,
    addPods && `+ pods.eks.amazonaws.com for ${cluster.arn}`,
  ].filter(Boolean);
  const tagCount = new Set([...Object.keys(role.tags), ...Object.keys(record)]).size;
  if (tagCount > MAX_TAGS) {
    throw new ConflictError(
      `role ${role.name} would need ${tagCount} tags to record its IRSA trust for a rollback, and IAM allows ${MAX_TAGS}`,
      { hint: `remove some tags from the role (aws iam untag-role --role-name ${role.name} ...)` },
    );
  }
  const trustStep = session.sharedStep(`migrate-trust:${role.arn}`, () =>
    updateStep('iam-role', role.arn, 1, [
      trustEdit(c, role, trust, migrated, `trust ${trustChange.join(', ')}`),
      Object.keys(record).length > 0 && {
        change: `tags ${Object.keys(record).join(', ')} (what --rollback restores)`,
        run: () => session.iam.tagRole(role.name, record),
      },
    ]),
  );
  const associationSteps = m.users.map((u) => associationStep(c, role, u));
  const runs = associationSteps.map((s) => once(s.run));
  const plans: UserPlan[] = m.users.map((u, i) => ({
    user: u,
    steps: [trustStep, { ...(associationSteps[i] as PlanStep), run: runs[i] }],
    warnings: [],
  }));
  if (!removeIrsa) return plans;

  const oidc = providerStatements(migrated, c.providerArn).map(([, s]) => s);
  if (!m.complete) {
    for (const p of plans) {
      p.warnings.push(
        coded(
          'IRSA-W039',
          `role ${role.name} keeps its IRSA trust for this cluster: other service accounts annotated with it are not migrated in this run`,
        ),
      );
    }
  } else {
    // iamsa's role now trusts only Pod Identity: say so, as a role made for it would.
    const owned = role.tags[TAG_MECHANISM] === undefined && isManagedByIamsa(role.tags);
    const removeStep = session.sharedStep(`migrate-remove:${role.arn}`, () =>
      after(
        updateStep('iam-role', role.arn, 3, [
          trustEdit(
            c,
            role,
            migrated,
            withoutStatements(migrated, oidc),
            `trust - ${oidc.length} statement(s) of ${c.providerArn}`,
          ),
          !!owned && {
            change: `tag ${TAG_MECHANISM}=pod-identity`,
            run: () => session.iam.tagRole(role.name, { [TAG_MECHANISM]: 'pod-identity' }),
          },
        ]),
        runs,
      ),
    );
    for (const p of plans) p.steps.push(removeStep);
  }
  for (const p of plans) {
    const sa = p.user.sa;
    if (sa?.annotations[ROLE_ARN_ANNOTATION] === undefined) continue;
    p.steps.push(
      step({
        resource: 'service-account',
        id: userId(sa),
        action: 'update',
        changes: [
          `annotation ${ROLE_ARN_ANNOTATION}: ${sa.annotations[ROLE_ARN_ANNOTATION]} -> (none)`,
        ],
        phase: 4,
        run: async () => {
          const k = await session.kube();
          await k.gateway.patchServiceAccount(
            sa.namespace,
            sa.name,
            { annotations: { [ROLE_ARN_ANNOTATION]: null } },
            sa.resourceVersion,
          );
        },
      }),
    );
  }
  return plans;
}

/** The association of one service account with the role: made unless it is there already. */
function associationStep(c: Context, role: Role, u: MigrationUser): PlanStep {
  const id = userId(u);
  const { eks } = c.session;
  if (u.association) {
    if (!sameRoleArn(u.association.roleArn, u.roleArn)) {
      throw new ConflictError(
        `service account ${id} already has a Pod Identity association (${u.association.id}) with role ${u.association.roleArn}, not ${u.roleArn}`,
        {
          hint: 'delete or re-point that association first, or leave this service account out (--name)',
        },
      );
    }
    return step({
      resource: 'pod-identity-association',
      id,
      action: 'unchanged',
      changes: [],
      phase: 2,
    });
  }
  const tags = {
    ...bindingOwnershipTags('pod-identity', c.cluster.name, u.namespace, u.name, c.cluster.arn),
    [TAG_MIGRATED_FROM]: 'irsa',
    // A role iamsa did not make for this very binding stays when the binding is deleted.
    ...(isOwnedRoleFor(role.tags, c.cluster.arn, u.namespace, u.name)
      ? {}
      : { [ATTACHED_ROLE_TAG]: 'true' }),
  };
  return step({
    resource: 'pod-identity-association',
    id,
    action: 'create',
    changes: [`role ${u.roleArn}`, `tags ${TAG_MIGRATED_FROM}=irsa and iamsa's ownership tags`],
    phase: 2,
    run: async () => {
      try {
        await eks.createPodIdentityAssociation({
          cluster: c.cluster.name,
          namespace: u.namespace,
          serviceAccount: u.name,
          roleArn: u.roleArn,
          tags,
        });
      } catch (error) {
        // Made meanwhile (another run, eksctl): the same role is a converge, another a conflict.
        if (!(error instanceof AlreadyExistsError)) throw error;
        const now = await findAssociation(eks, c.cluster.name, u.namespace, u.name);
        if (!now || !sameRoleArn(now.roleArn, u.roleArn)) throw error;
      }
    },
  });
}

export function planRollback(c: Context, m: RoleMigration): UserPlan[] {
  const { role } = m;
  const { session, cluster } = c;
  const trust = trustOf(role);
  const recorded = recordedStatements(role.tags);
  // The aud is STS's or the one the service account declares now; one statement each.
  const audiences = restorableAudiences([
    ...(m.migrated ?? []),
    ...m.users.map((u) => ({ ...u, annotations: u.sa?.annotations })),
  ]);
  const foreign =
    recorded && unrestorableStatement(recorded, c.providerArn, c.issuerHostPath, audiences);
  if (foreign) {
    const tags = Object.keys(role.tags).filter((k) => k.startsWith(TAG_IRSA_TRUST_PREFIX));
    throw new ConflictError(
      `the ${tags.sort().join(', ')} tag${tags.length > 1 ? 's' : ''} of role ${role.name} record${tags.length > 1 ? '' : 's'} a statement that is not this cluster's IRSA statement for a migrated service account (only an Allow of ${c.providerArn}, ${WEB_IDENTITY_ACTION} and StringEquals on its exact sub and one aud, ${STS_AUDIENCE} or the service account's ${AUDIENCE_ANNOTATION}, is put back, one per service account): ${JSON.stringify(foreign[1])}`,
      {
        hint: `nothing was changed; the tags were edited after the migration: remove them (aws iam untag-role --role-name ${role.name} --tag-keys ${tags.join(' ')}) and roll back again, which adds iamsa's own statement for each service account`,
      },
    );
  }
  const warnings: Warning[] = [];
  // Without the record (tags removed by hand), each service account gets iamsa's own statement.
  const restored = recorded
    ? withPlacedStatements(trust, recorded)
    : m.users.reduce((doc, u) => {
        const target = {
          providerArn: c.providerArn,
          issuerHostPath: c.issuerHostPath,
          namespace: u.namespace,
          serviceAccount: u.name,
          audience: STS_AUDIENCE,
        };
        return evaluateTrust(doc, target).admits
          ? doc
          : withStatement(doc, buildTrustStatement(target));
      }, trust);
  if (!recorded) {
    warnings.push(
      coded(
        'IRSA-W037',
        `role ${role.name} has no record of its IRSA trust (${TAG_MIGRATION} tags): iamsa's own statement is added for each service account`,
      ),
    );
  }
  const restoreStep = session.sharedStep(`rollback-trust:${role.arn}`, () =>
    updateStep('iam-role', role.arn, 1, [
      trustEdit(c, role, trust, restored, `trust + the IRSA statement(s) of ${c.providerArn}`),
    ]),
  );
  const deletes = m.users.map((u) => {
    const a = u.association as PodIdentityAssociation;
    return step({
      resource: 'pod-identity-association',
      id: userId(u),
      action: 'delete',
      changes: [`${a.id}, role ${a.roleArn} (made by migrate-to-pod-identity)`],
      phase: 3,
      run: () => session.eks.deletePodIdentityAssociation(cluster.name, a.id),
    });
  });
  const runs = deletes.map((s) => once(s.run));
  const plans: UserPlan[] = m.users.map((u, i) => {
    const steps: PlanStep[] = [restoreStep];
    const userWarnings = [...warnings];
    const sa = u.sa;
    const annotated = sa?.annotations[ROLE_ARN_ANNOTATION];
    if (!sa) {
      userWarnings.push(
        coded(
          'IRSA-W040',
          `service account ${userId(u)} does not exist: there is no annotation to restore`,
        ),
      );
    } else if (annotated === undefined) {
      steps.push(
        step({
          resource: 'service-account',
          id: userId(u),
          action: 'update',
          changes: [`annotation ${ROLE_ARN_ANNOTATION}: (none) -> ${u.roleArn}`],
          phase: 2,
          run: async () => {
            const k = await session.kube();
            await k.gateway.patchServiceAccount(
              sa.namespace,
              sa.name,
              { annotations: { [ROLE_ARN_ANNOTATION]: u.roleArn } },
              sa.resourceVersion,
            );
          },
        }),
      );
    } else if (!sameRoleArn(annotated, u.roleArn)) {
      userWarnings.push(
        coded(
          'IRSA-W041',
          `service account ${userId(u)} is annotated with ${annotated}, not ${u.roleArn}: the annotation is left as it is`,
        ),
      );
    }
    steps.push({ ...(deletes[i] as PlanStep), run: runs[i] });
    return { user: u, steps, warnings: userWarnings };
  });
  if (!m.complete) {
    for (const p of plans) {
      p.warnings.push(
        coded(
          'IRSA-W039',
          `role ${role.name} keeps its Pod Identity trust: other migrated associations still use it`,
        ),
      );
    }
    return plans;
  }
  const pods = buildPodIdentityTrustStatement({
    accountId: cluster.accountId,
    clusterArns: [cluster.arn],
  });
  const finished =
    role.tags[TAG_MIGRATION] === 'pods-added' ? withoutStatements(restored, [pods]) : restored;
  const untag = [
    ...migrationTagKeys(role.tags),
    ...(role.tags[TAG_MECHANISM] !== undefined ? [TAG_MECHANISM] : []),
  ];
  const finishStep = session.sharedStep(`rollback-finish:${role.arn}`, () =>
    after(
      updateStep('iam-role', role.arn, 4, [
        trustEdit(c, role, restored, finished, `trust - pods.eks.amazonaws.com for ${cluster.arn}`),
        untag.length > 0 && {
          change: `remove tags ${untag.join(', ')}`,
          run: () => session.iam.untagRole(role.name, untag),
        },
      ]),
      runs,
    ),
  );
  const rows = rollbackRoleSteps(restoreStep, finishStep);
  for (const p of plans) {
    p.steps = [...rows.filter((r) => r === restoreStep), ...p.steps.slice(1)];
    if (rows.includes(finishStep)) p.steps.push(finishStep);
  }
  return plans;
}
