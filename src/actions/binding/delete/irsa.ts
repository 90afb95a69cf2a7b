// Plans removing a binding: the annotation first (the workload stops using the role before the
// role goes), then the role's policies, then the role. Only what iamsa owns is deleted: the role by
// its ownership tags, the service account by its managed-by label.
import { coded, type Warning } from '../../engine/warning-kinds.js';
import type { IamGateway, Role } from '../../../aws/iam.js';
import { AuthError, ConflictError } from '../../../errors.js';
import type { ServiceAccount } from '../../../kube/gateway.js';
import {
  ATTACHED_ROLE_ANNOTATION,
  defaultRoleName,
  isOwnedSharedRoleFor,
  parseTrustPolicy,
  type PolicyStatement,
  roleOwner,
  sharedClusterTagKey,
  TAG_CLUSTERS,
  describeRoleOwner,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  parseArn,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  sameRoleArn,
  TAG_WELL_KNOWN,
  isPodIdentityRole,
  legacyWellKnownPolicyName,
  wellKnownPolicyName,
} from '../../../policy/index.js';
import type { ClusterSession } from '../cluster-session.js';
import { labelOf } from '../spec.js';
import { type PlanStep, step, updateStep } from '../../engine/plan.js';
import { started } from '../../engine/concurrency.js';
import {
  findOwnedRole,
  foreignTrustWarning,
  judgeRoleForDeletion,
  ownsBinding,
} from '../owned-role.js';
import { deletePolicyStep, keptPolicy, readManagedPolicies } from '../plan-well-known.js';
import type { DeleteTarget } from './target.js';

/**
 * The IRSA delete: the annotation, then the role's policies, then the role (only iamsa's).
 * `deniedCall` is the refused read of the binding's Pod Identity association: a role that is iamsa's
 * Pod Identity role then fails the delete, which would leave its association naming a deleted role.
 */
export async function planDeleteIrsa(
  session: ClusterSession,
  t: DeleteTarget,
  deniedCall?: string,
) {
  const { iam, reporter } = session;
  const id = `${t.namespace}/${t.name}`;
  // An explicit --role-name names the binding's role; otherwise the annotation does, or the
  // default name. The named or default role is read while the service account is.
  const named = t.roleName ?? defaultRoleName(t.cluster, t.namespace, t.name);
  const namedRoleP = started(
    reporter.progress(`Reading IAM role ${named}`, () => iam.getRole(named)),
  );
  // A binding of a file that lists several clusters has the shared role's default name.
  const sharedName = defaultRoleName('shared', t.namespace, t.name);
  const sharedRoleP =
    t.roleName === undefined ? started(iam.getRole(sharedName)) : Promise.resolve(undefined);
  const kube = t.roleOnly ? undefined : await session.kube();
  const [cluster, sa, pods] = await Promise.all([
    session.cluster(),
    kube &&
      reporter.progress(`Reading service account ${id}`, () =>
        kube.gateway.getServiceAccount(t.namespace, t.name),
      ),
    // Only for a warning: a refusal to list pods must not stop the delete.
    kube?.gateway.listPodsOf(t.namespace, t.name).catch(() => undefined),
  ]);
  const annotated = sa?.annotations[ROLE_ARN_ANNOTATION];
  const annotatedName =
    annotated && parseArn(annotated)?.accountId === cluster.accountId
      ? roleNameOf(annotated)
      : undefined;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const [own, sharedRole] = await Promise.all([namedRoleP, sharedRoleP]);
  const namedRole =
    own ??
    (sharedRole && isOwnedSharedRoleFor(sharedRole.tags, [cluster.arn], t.namespace, t.name)
      ? sharedRole
      : undefined);
  const annotatedRole =
    annotatedName === undefined || same(annotatedName, named)
      ? namedRole
      : await reporter.progress(`Reading IAM role ${annotatedName}`, () =>
          iam.getRole(annotatedName),
        );
  // iamsa's role of this binding: its own, or one it shares with other clusters.
  const binding = {
    clusterArn: cluster.arn,
    cluster: t.cluster,
    namespace: t.namespace,
    name: t.name,
  };
  const ours = (tags: Record<string, string>) => ownsBinding(tags, binding);
  const ownedBy = (role: Role | undefined) => !!role && ours(role.tags);
  const warnings: Warning[] = [];
  // The role iamsa made for this binding, if there is one: by name, else by its ownership tags
  // (a binding made with roleName: or --role-name, deleted without it).
  const tagOwned =
    t.roleName === undefined && ownedBy(annotatedRole)
      ? annotatedRole
      : ownedBy(namedRole)
        ? namedRole
        : t.roleName === undefined
          ? await findOwnedRole(session, binding, [own, sharedRole, annotatedRole], (w) =>
              warnings.push(w),
            ).catch((error: unknown) => {
              warnings.push(
                coded(
                  'IRSA-W012',
                  `could not look for iamsa's role of ${id} by its tags (${(error as Error).message}): only its default name was checked`,
                ),
              );
              return undefined;
            })
          : undefined;
  // Tags are anyone's to copy: a role reached by its name, the annotation or --role-name is
  // iamsa's only with a trust iamsa writes for this binding (IRSA-W048 otherwise: it stays).
  const { owned, foreign } = await judgeRoleForDeletion(
    session,
    tagOwned,
    binding,
    undefined,
    warnings,
  );
  // A service account iamsa labelled goes only with a role judged iamsa's: the label is anyone's.
  const keptSa = !!foreign && !!sa && isIamsas(sa) && !t.keepServiceAccount;
  if (foreign) warnings.push(foreignTrustWarning(foreign, binding, keptSa));
  if (deniedCall && owned && isPodIdentityRole(owned)) {
    throw new AuthError(
      `role ${owned.name} is iamsa's Pod Identity role for ${id}, but AWS refused ${deniedCall}, so its association cannot be found: nothing is deleted, lest the association be left naming a deleted role`,
      {
        hint: `grant ${deniedCall} and eks:DescribePodIdentityAssociation, then re-run`,
      },
    );
  }
  const pointsAt = (role: Role | undefined) =>
    !!annotated && !!role && sameRoleArn(annotated, role.arn);

  const steps: PlanStep[] = [];
  if (foreign) {
    // The role is kept, and the service account with it (IRSA-W048 says so).
  } else if (!owned) {
    // A role given with --attach-role-arn: only iamsa's annotations go, the role stays.
    const attached =
      pointsAt(annotatedRole) && sa?.annotations[ATTACHED_ROLE_ANNOTATION] === 'true';
    if (sa && attached && annotatedRole) {
      steps.push(
        serviceAccountStep(session, sa, t, {
          annotationsOnly: true,
          note: `role ${annotatedRole.arn} is kept: it was given with --attach-role-arn`,
        }),
      );
    } else if (annotatedRole && pointsAt(annotatedRole)) {
      throw foreignRole(annotatedRole, t, cluster.arn);
    } else if (namedRole && (t.roleName !== undefined || !annotated)) {
      throw foreignRole(namedRole, t, cluster.arn);
    } else if (sa && annotated && !annotatedRole && annotatedName && same(annotatedName, named)) {
      // An annotation naming iamsa's role that is already gone (a half-finished delete).
      steps.push(serviceAccountStep(session, sa, t));
    }
  } else {
    if (sa && pointsAt(owned)) steps.push(serviceAccountStep(session, sa, t));
    else if (sa && !annotated && isIamsas(sa) && !t.keepServiceAccount)
      steps.push(serviceAccountStep(session, sa, t));
    else if (sa && annotated) {
      warnings.push(
        coded(
          'IRSA-W013',
          `service account ${id} now uses role ${annotated}, not ${owned.arn}: it is left as it is`,
        ),
      );
    }
    const shared = roleOwner(owned.tags).clusterArns;
    const leaving = shared
      ? [
          { name: session.name, arn: cluster.arn, providerArn: (await session.oidc()).providerArn },
          ...(t.alsoLeaving ?? []),
        ]
      : [];
    const others = shared?.filter((a) => !leaving.some((l) => l.arn === a)) ?? [];
    if (t.roleHandledElsewhere) {
      // Another deletion of this run takes this cluster out of the role too: one step for both.
    } else if (others.length) {
      // A role several clusters share loses only the leaving clusters' statements and tags.
      steps.push(leaveSharedRole(session, owned, leaving, others));
    } else {
      steps.push(...(await roleSteps(session, owned, ours, warnings)));
    }
  }
  if (steps.length && pods === undefined && kube) {
    warnings.push(
      coded(
        'IRSA-W014',
        `could not check for pods still running as ${id} (listing pods was refused)`,
      ),
    );
  } else if (steps.length && pods?.length) {
    warnings.push(
      coded(
        'IRSA-W015',
        `${pods.length} pod(s) still run as ${id} and keep the role's credentials until they restart (kubectl get pods -n ${t.namespace} --field-selector spec.serviceAccountName=${t.name})`,
      ),
    );
  }
  warnings.forEach((w) => reporter.warn(w));
  return {
    roleArn: owned?.arn ?? annotatedRole?.arn,
    serviceAccount: t.roleOnly ? undefined : { namespace: t.namespace, name: t.name },
    steps,
    warnings,
  };
}

export const isIamsas = (sa: ServiceAccount) => sa.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;

/** Deletes a service account iamsa created; otherwise removes only iamsa's annotations. */
export function serviceAccountStep(
  session: ClusterSession,
  sa: ServiceAccount,
  t: DeleteTarget,
  how: { annotationsOnly?: boolean; note?: string } = {},
) {
  const id = `${sa.namespace}/${sa.name}`;
  const run = async (work: (k: Awaited<ReturnType<ClusterSession['kube']>>) => Promise<void>) =>
    work(await session.kube());
  if (isIamsas(sa) && !t.keepServiceAccount && !how.annotationsOnly) {
    return step({
      resource: 'service-account',
      id,
      action: 'delete',
      changes: [`made by iamsa (label ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE})`],
      phase: 1,
      run: () =>
        run((k) => k.gateway.deleteServiceAccount(sa.namespace, sa.name, sa.resourceVersion)),
    });
  }
  const remove = [ROLE_ARN_ANNOTATION, ATTACHED_ROLE_ANNOTATION].filter(
    (key) => sa.annotations[key] !== undefined,
  );
  return step({
    resource: 'service-account',
    id,
    action: 'update',
    changes: [
      ...remove.map((key) => `annotation ${key}: ${sa.annotations[key]} -> (none)`),
      ...(how.note ? [how.note] : []),
    ],
    phase: 1,
    // A merge patch with null removes only these keys; resourceVersion guards a concurrent edit.
    run: () =>
      run((k) =>
        k.gateway.patchServiceAccount(
          sa.namespace,
          sa.name,
          { annotations: Object.fromEntries(remove.map((key) => [key, null])) },
          sa.resourceVersion,
        ),
      ),
  });
}

/** Takes clusters out of a shared role: their trust statements, cluster tags and names. */
function leaveSharedRole(
  session: ClusterSession,
  role: Role,
  leaving: Array<{ name: string; arn: string; providerArn: string }>,
  others: string[],
): PlanStep {
  const trust = parseTrustPolicy(role.trustPolicy);
  const kept = trust.Statement.filter(
    (st) => !leaving.some((l) => trustsProvider(st, l.providerArn)),
  );
  const tagKeys = leaving.map((l) => sharedClusterTagKey(l.arn)).filter((k) => k in role.tags);
  const gone = new Set(leaving.map((l) => l.name));
  const names = (role.tags[TAG_CLUSTERS] ?? '')
    .split(',')
    .filter((n) => n && !gone.has(n))
    .join(',');
  const which = leaving.map((l) => l.name).join(', ');
  const { iam } = session;
  return updateStep('iam-role', role.arn, 3, [
    kept.length < trust.Statement.length && {
      change: `trust: remove the statement${leaving.length > 1 ? 's' : ''} of cluster${leaving.length > 1 ? 's' : ''} ${which} (${others.length} other cluster(s) keep theirs)`,
      run: () => iam.updateTrustPolicy(role.name, JSON.stringify({ ...trust, Statement: kept })),
    },
    tagKeys.length > 0 && {
      change: `tags: remove ${tagKeys.join(', ')}; ${TAG_CLUSTERS}=${names}`,
      run: async () => {
        await iam.untagRole(role.name, tagKeys);
        await iam.tagRole(role.name, { [TAG_CLUSTERS]: names });
      },
    },
  ]);
}

/** Whether a trust statement names this OIDC provider as its federated principal. */
function trustsProvider(statement: PolicyStatement, providerArn: string): boolean {
  const principal = statement.Principal;
  if (typeof principal !== 'object') return false;
  const federated = principal.Federated;
  return Array.isArray(federated) ? federated.includes(providerArn) : federated === providerArn;
}

/**
 * Detach and delete what is on the role (IAM refuses to delete a role that has policies); the
 * well-known policies iamsa made for this binding are deleted too.
 */
export async function roleSteps(
  session: ClusterSession,
  role: Role,
  ours: (tags: Record<string, string>) => boolean,
  warnings: Warning[] = [],
): Promise<PlanStep[]> {
  const { iam } = session;
  const [attached, inline] = await Promise.all([
    iam.listAttachedPolicyArns(role.name),
    iam.listInlinePolicyNames(role.name),
  ]);
  const own = await ownWellKnownPolicies(iam, role, attached, ours);
  for (const p of own.filter((p) => p.attachments > 1)) {
    warnings.push(coded('IRSA-W016', keptPolicy(p.arn, role.name, p.attachments - 1)));
  }
  return [
    ...own.map(({ arn, key, attachments }) =>
      deletePolicyStep(iam, role.name, arn, key, attachments),
    ),
    ...attached
      .filter((arn) => !own.some((p) => p.arn === arn))
      .map((arn) =>
        step({
          resource: 'policy-attachment',
          id: arn,
          action: 'delete',
          changes: [`detach from ${role.name}`],
          phase: 2,
          run: () => iam.detachPolicy(role.name, arn),
        }),
      ),
    ...inline.map((policy) =>
      step({
        resource: 'inline-policy',
        id: `${role.arn}/${policy}`,
        action: 'delete',
        changes: [],
        phase: 2,
        run: () => iam.deleteInlinePolicy(role.name, policy),
      }),
    ),
    step({
      resource: 'iam-role',
      id: role.arn,
      action: 'delete',
      changes: [],
      phase: 3,
      run: () => iam.deleteRole(role.name),
    }),
  ];
}

/** The attached policies named like iamsa's well-known ones whose tags say they are this binding's. */
async function ownWellKnownPolicies(
  iam: IamGateway,
  role: Role,
  attached: string[],
  ours: (tags: Record<string, string>) => boolean,
): Promise<Array<{ arn: string; key: string; attachments: number }>> {
  // The names of the scheme before decisions/0009 too: deleting a binding leaves none behind.
  const prefixes = [wellKnownPolicyName, legacyWellKnownPolicyName].map(
    (name) => `:policy/${name(role.name, '')}`,
  );
  const candidates = attached.filter((arn) => prefixes.some((prefix) => arn.includes(prefix)));
  const policies = await readManagedPolicies(iam, candidates);
  return candidates.flatMap((arn) => {
    const p = policies.get(arn);
    return p && ours(p.tags)
      ? [{ arn, key: p.tags[TAG_WELL_KNOWN] ?? '', attachments: p.attachmentCount }]
      : [];
  });
}

/** A role iamsa does not own for exactly this binding is never touched. */
export function foreignRole(role: Role, t: DeleteTarget, clusterArn: string): ConflictError {
  return new ConflictError(
    `role ${role.name} is not iamsa's to delete for ${t.namespace}/${t.name} of ${clusterArn}: ${describeRoleOwner(role.tags)}`,
    {
      hint: `nothing was changed; remove the binding by hand, or name iamsa's own role with ${labelOf(t, 'roleName')}`,
    },
  );
}
