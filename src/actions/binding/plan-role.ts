// Plans the IAM side of a binding: the role, its trust, its permissions.
import type { ClusterInfo } from '../../aws/eks.js';
import type { IamGateway, Role } from '../../aws/iam.js';
import {
  AlreadyExistsError,
  ConflictError,
  PreconditionError,
  ValidationError,
} from '../../errors.js';
import {
  DEFAULT_MANAGED_POLICIES_QUOTA,
  decodePolicyText,
  defaultRoleName,
  describeRoleOwner,
  INLINE_POLICY_NAME,
  isOwnedRoleFor,
  isOwnedSharedRoleFor,
  MAX_MANAGED_POLICIES_PER_ROLE,
  parseJsonText,
  parseTrustPolicy,
  type PolicyDocument,
  type PolicyStatement,
  policyChanges,
  policySize,
  iamsaRecord,
  roleOwner,
  TAG_CLUSTER_ARN,
  TAG_CLUSTER_ARN_PREFIX,
  TAG_CLUSTERS,
  sameJson,
  TAG_MECHANISM,
  TAG_ROLE_ONLY,
  TRUST_POLICY_DEFAULT_LIMIT,
  trustHoldsBindingStatement,
  issuerHostPath,
  oidcProviderArn,
  trustPoliciesEqual,
  shellQuote,
} from '../../policy/index.js';
import { mapConcurrent } from '../engine/concurrency.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import { changedTags, describeTags, type PlanStep, step, updateStep } from '../engine/plan.js';
import { labelOf, type Mechanism } from './spec.js';
import { type AttachedRole, type CheckedBinding, tooManyPoliciesHint } from './check.js';
import { desiredRole, type RoleContext, type RoleState } from './desired-role.js';
import { isRoleMigrating, type RoleTrust } from './role-trust.js';

export type { AlsoAttached, RoleState, SharedRole } from './desired-role.js';
export { bindingAudience, irsaTrust, type RoleTrust, sharedIrsaTrust } from './role-trust.js';

/**
 * Reads the role (by `name`: the binding's, or where an update found it) and checks the policies;
 * needs no cluster data, so it can start at once.
 */
export async function readRoleState(
  iam: IamGateway,
  input: CheckedBinding,
  name: string,
): Promise<RoleState> {
  const [role, missingPolicies] = await Promise.all([
    iam.getRole(name),
    // Bounded: IAM throttles bursts of reads as well.
    mapConcurrent(
      [...input.policyArns, ...(input.permissionsBoundary ? [input.permissionsBoundary] : [])],
      4,
      async (arn) => ((await iam.policyExists(arn)) ? undefined : arn),
    ).then((r) => r.filter((a): a is string => a !== undefined)),
  ]);
  if (missingPolicies.length) {
    throw new ValidationError(`policy not found: ${missingPolicies.join(', ')}`, {
      hint: 'check the ARN (aws iam get-policy --policy-arn ARN); AWS-managed policies look like arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
  }
  if (!role || input.attachRole) return { name, role, attached: [] };
  // The inline policy is read even when not asked about: the role's tags record it too.
  // Every inline policy is listed: one made by hand under another name is drift too.
  const [attached, inline, inlineNames] = await Promise.all([
    iam.listAttachedPolicyArns(name),
    iam.getInlinePolicy(name, INLINE_POLICY_NAME),
    iam.listInlinePolicyNames(name),
  ]);
  return {
    name,
    role,
    attached,
    inline,
    otherInline: inlineNames.filter((n) => n !== INLINE_POLICY_NAME),
  };
}

export interface RolePlan {
  steps: PlanStep[];
  roleArn: string;
  warnings: Warning[];
}

/** The diff of the role a binding should have (desired-role.ts) against the role as it is. */
export function planRole(
  iam: IamGateway,
  input: CheckedBinding,
  state: RoleState,
  cluster: ClusterInfo,
  how: RoleContext & { maxTrustPolicySize?: number },
): RolePlan {
  if (input.attachRole)
    return planAttachedRole(input, input.attachRole, state.role, cluster, how.trust);
  const { role } = state;
  const { shared } = how;
  const owned = (tags: Record<string, string>) =>
    shared
      ? isOwnedSharedRoleFor(
          tags,
          shared.clusters.map((c) => c.arn),
          input.namespace,
          input.name,
        )
      : isOwnedRoleFor(tags, cluster.arn, input.namespace, input.name);
  // Only a role iamsa owns for this binding is read further: its tags name the binding and its
  // trust holds iamsa's statement for it (anything else in the trust is drift).
  if (role && !owned(role.tags)) throw roleConflict(role, state.name, input, cluster);
  if (role && !holdsStatement(role, input, cluster, how.trust)) {
    throw foreignTrustConflict(role, input, cluster, how.trust.document);
  }
  if (role) checkSameMechanism(role, input, how.trust.mechanism, cluster);
  const desired = desiredRole(input, cluster, state, how);
  checkTrustSize(
    input,
    state.name,
    desired.trust,
    how.trust.document.Statement,
    how.maxTrustPolicySize ?? TRUST_POLICY_DEFAULT_LIMIT,
  );
  const trustText = JSON.stringify(desired.trust);
  const { arn, name, tags: roleTags } = desired;
  const steps: PlanStep[] = [];

  if (!role && input.update) {
    throw new PreconditionError(
      `role ${name} of ${input.namespace}/${input.name} does not exist: there is no binding to update`,
      {
        hint: `create it with iamsa create-serviceaccount, or name the binding's role with ${labelOf(input, 'roleName')}`,
      },
    );
  }
  if (!role) {
    steps.push(
      step({
        resource: 'iam-role',
        id: arn,
        action: 'create',
        changes: [
          `trust ${how.trust.summary}`,
          ...(input.permissionsBoundary
            ? [`permissions boundary ${input.permissionsBoundary}`]
            : []),
          `tags ${describeTags(roleTags)}`,
        ],
        phase: 1,
        run: async () => {
          try {
            await iam.createRole({
              name,
              path: input.rolePath,
              trustPolicy: trustText,
              description: how.trust.description,
              tags: roleTags,
              permissionsBoundaryArn: input.permissionsBoundary,
            });
          } catch (error) {
            // A concurrent run made it, or our own create answer was lost: if it is iamsa's role
            // for this very binding, converge it now; anyone else's stays a conflict.
            if (!(error instanceof AlreadyExistsError)) throw error;
            const now = await iam.getRole(name);
            if (!now || !owned(now.tags)) {
              throw now ? roleConflict(now, name, input, cluster) : error;
            }
            if (!holdsStatement(now, input, cluster, how.trust)) {
              throw foreignTrustConflict(now, input, cluster, how.trust.document);
            }
            await Promise.all([
              iam.updateTrustPolicy(name, trustText),
              iam.tagRole(name, roleTags),
              input.permissionsBoundary &&
                iam.putPermissionsBoundary(name, input.permissionsBoundary),
            ]);
          }
        },
      }),
    );
  } else {
    if (input.rolePathGiven && role.path !== input.rolePath) {
      throw new ConflictError(
        `role ${name} exists with path ${role.path}, not ${input.rolePath}; IAM cannot move a role`,
        {
          hint: `drop ${labelOf(input, 'rolePath')} or use ${labelOf(input, 'rolePath')} ${role.path}`,
        },
      );
    }
    const tags = changedTags(roleTags, role.tags);
    const boundary = input.permissionsBoundary;
    // A file is the whole state: a boundary it no longer declares goes, as a flag asks it to.
    const removeBoundary =
      !!role.permissionsBoundaryArn &&
      (!!input.update?.removePermissionsBoundary || (!!input.declared && !boundary));
    const untag = [
      ...(input.update?.removeTags ?? []),
      // The binding now names its service account: the role is no longer role-only.
      ...(input.roleOnly ? [] : [TAG_ROLE_ONLY]),
    ].filter((k, i, all) => k in role.tags && all.indexOf(k) === i);
    const dropped = desired.untag;
    steps.push(
      updateStep('iam-role', arn, 1, [
        !trustPoliciesEqual(parseTrustPolicy(role.trustPolicy), desired.trust) && {
          change: `trust policy -> ${desired.trustSummary}`,
          run: () => iam.updateTrustPolicy(name, trustText),
        },
        dropped.length > 0 && {
          change: `untag clusters no longer listed: ${dropped.map((k) => role.tags[k]).join(', ')}`,
          run: () => iam.untagRole(name, dropped),
        },
        !!boundary &&
          role.permissionsBoundaryArn !== boundary && {
            change: `permissions boundary: ${role.permissionsBoundaryArn ?? '(none)'} -> ${boundary}`,
            run: () => iam.putPermissionsBoundary(name, boundary),
          },
        Object.keys(tags).length > 0 && {
          change: `tags ${Object.entries(tags)
            .map(([k, v]) => `${k}: ${role.tags[k] ?? '(none)'} -> ${v}`)
            .join(', ')}`,
          run: () => iam.tagRole(name, tags),
        },
        removeBoundary && {
          change: `permissions boundary: ${role.permissionsBoundaryArn} -> (none)${input.declared ? ' (not in the file)' : ''}`,
          run: () => iam.deletePermissionsBoundary(name),
        },
        untag.length > 0 && {
          change: `remove tags ${untag.map((k) => `${k}=${role.tags[k]}`).join(', ')}`,
          run: () => iam.untagRole(name, untag),
        },
      ]),
    );
  }

  for (const policyArn of desired.attach) {
    const attached = state.attached.includes(policyArn);
    steps.push(
      step({
        resource: 'policy-attachment',
        id: policyArn,
        action: attached ? 'unchanged' : 'create',
        changes: attached ? [] : [`attach to ${name}`],
        phase: 2,
        run: () => iam.attachPolicy(name, policyArn),
      }),
    );
  }
  // Not asked for (an update) or not declared (a file): an undeclared one is drift.
  const why = input.update ? '' : ' (not in the file)';
  for (const policyArn of desired.detach) {
    steps.push(
      step({
        resource: 'policy-attachment',
        id: policyArn,
        action: 'delete',
        changes: [`detach from ${name}${why}`],
        phase: 2,
        run: () => iam.detachPolicy(name, policyArn),
      }),
    );
  }
  if (desired.deleteInline) {
    steps.push(
      step({
        resource: 'inline-policy',
        id: `${arn}/${INLINE_POLICY_NAME}`,
        action: 'delete',
        changes: why ? [`delete inline policy${why}`] : [],
        phase: 2,
        run: () => iam.deleteInlinePolicy(name, INLINE_POLICY_NAME),
      }),
    );
  }
  for (const policyName of desired.deleteOtherInline) {
    steps.push(
      step({
        resource: 'inline-policy',
        id: `${arn}/${policyName}`,
        action: 'delete',
        changes: [`delete inline policy ${policyName}${why}`],
        phase: 2,
        run: () => iam.deleteInlinePolicy(name, policyName),
      }),
    );
  }
  if (input.inlinePolicy) {
    const wanted = input.inlinePolicy.document;
    const document = JSON.stringify(wanted);
    // What IAM holds may have been edited by hand: compare it, do not judge it.
    const current =
      state.inline !== undefined
        ? parseJsonText(
            decodePolicyText(state.inline, 'the current inline policy'),
            'the current inline policy',
          )
        : undefined;
    const same = current !== undefined && sameJson(current, wanted);
    steps.push(
      step({
        resource: 'inline-policy',
        id: `${arn}/${INLINE_POLICY_NAME}`,
        action: state.inline === undefined ? 'create' : same ? 'unchanged' : 'update',
        // An update says what changes in the document, field by field, as well as where from.
        changes: same
          ? []
          : [
              `from ${input.inlinePolicy.origin}`,
              ...(current !== undefined ? policyChanges(current, wanted) : []),
            ],
        phase: 2,
        run: () => iam.putInlinePolicy(name, INLINE_POLICY_NAME, document),
      }),
    );
  }
  const total = desired.managedAfter.length;
  if (input.update && role && total === 0 && desired.inlineAfter === undefined) {
    // create-serviceaccount refuses a role that grants nothing; an update must not make one.
    throw new ValidationError(
      `after this update role ${name} would grant nothing (no managed or inline policy left)`,
      {
        hint: `keep or attach a policy, or remove the whole binding: iamsa delete-serviceaccount --cluster ${input.cluster} --namespace ${input.namespace} --name ${input.name}`,
      },
    );
  }
  if (total > MAX_MANAGED_POLICIES_PER_ROLE) {
    throw new ValidationError(
      `role ${name} would have ${total} managed policies attached; IAM allows at most ${MAX_MANAGED_POLICIES_PER_ROLE} per role`,
      { hint: tooManyPoliciesHint(input) },
    );
  }
  const warnings = [...desired.warnings];
  if (total > DEFAULT_MANAGED_POLICIES_QUOTA) {
    warnings.push(
      coded(
        'IRSA-W005',
        `role ${name} would have ${total} managed policies; IAM's default quota is ${DEFAULT_MANAGED_POLICIES_QUOTA} per role, so attaching would fail unless the account's quota was raised (Service Quotas, up to ${MAX_MANAGED_POLICIES_PER_ROLE})`,
      ),
    );
  }
  return { steps, roleArn: arn, warnings };
}

function planAttachedRole(
  input: CheckedBinding,
  given: AttachedRole,
  role: Role | undefined,
  cluster: ClusterInfo,
  roleTrust: RoleTrust,
): RolePlan {
  const { arn } = given;
  const crossAccount =
    given.partition === cluster.partition && given.accountId !== cluster.accountId;
  if (crossAccount && roleTrust.mechanism !== 'pod-identity') {
    // AWS's cross-account IRSA: the role trusts this cluster's issuer through an OIDC provider of
    // its own account. iamsa holds no credentials there (the role read by name came from this
    // account), so it annotates and says what it could not check.
    return {
      steps: [step({ resource: 'iam-role', id: arn, action: 'unchanged', changes: [], phase: 1 })],
      roleArn: arn,
      warnings: [
        coded(
          'IRSA-W018',
          `role ${arn} is in account ${given.accountId}, not ${cluster.accountId}: its trust could not be read (no credentials for that account); it must trust ${roleTrust.who} through an OIDC provider of account ${given.accountId} for the issuer of cluster ${cluster.name}`,
        ),
      ],
    };
  }
  if (given.partition !== cluster.partition || given.accountId !== cluster.accountId) {
    // Pod Identity passes only roles of the cluster's account (a role elsewhere goes in
    // targetRoleARN); and the role read by name came from that account, so it cannot vouch for
    // a role elsewhere.
    throw new ValidationError(
      `${labelOf(input, 'attachRoleArn')} ${arn} is in account ${given.accountId} (${given.partition}), but cluster ${cluster.name} is in account ${cluster.accountId} (${cluster.partition})`,
      {
        hint: `pass a role of account ${cluster.accountId}, e.g. arn:${cluster.partition}:iam::${cluster.accountId}:role/NAME`,
      },
    );
  }
  if (!role || role.path !== given.path) {
    const elsewhere = role ? ` (a role of that name exists as ${role.arn})` : '';
    const flag = labelOf(input, 'attachRoleArn');
    throw new PreconditionError(`role ${arn} (${flag}) does not exist${elsewhere}`, {
      hint: role
        ? `pass ${flag} ${role.arn}`
        : `create it first, or drop ${flag} to let iamsa create one`,
    });
  }
  checkNotOthersRole(input, role, given.roleName, cluster);
  const evaluation = roleTrust.judge(parseTrustPolicy(role.trustPolicy));
  if (!evaluation.admits) {
    const statement = roleTrust.document.Statement;
    throw new PreconditionError(
      `role ${arn} does not trust ${roleTrust.who}: ${evaluation.problems.join('; ')}`,
      {
        // The statement is printed once, on its own lines after the error (detail).
        detail: JSON.stringify(Array.isArray(statement) ? statement[0] : statement, null, 2),
        hint: `add the statement above to the trust policy of role ${given.roleName}`,
      },
    );
  }
  const warnings = evaluation.overBroad.map((p) =>
    coded('IRSA-W019', `role ${arn} trust is broader than needed: ${p}`),
  );
  return {
    steps: [
      step({ resource: 'iam-role', id: role.arn, action: 'unchanged', changes: [], phase: 1 }),
    ],
    roleArn: role.arn,
    warnings,
  };
}

/**
 * iamsa's role for another binding is never handed out: for IRSA its trust would have to be widened,
 * and a Pod Identity trust admits every association of its cluster, so a new association alone
 * would give this service account that binding's role. A role iamsa does not own is the user's.
 */
function checkNotOthersRole(
  input: CheckedBinding,
  role: Role,
  roleName: string,
  cluster: ClusterInfo,
): void {
  const othersRole =
    roleOwner(role.tags).managed &&
    !isOwnedRoleFor(role.tags, cluster.arn, input.namespace, input.name) &&
    !isOwnedSharedRoleFor(role.tags, [cluster.arn], input.namespace, input.name);
  if (!othersRole) return;
  const flag = labelOf(input, 'attachRoleArn');
  throw new ValidationError(
    `${flag} ${role.arn} names a role iamsa made for another binding, not ${input.namespace}/${input.name}: ${describeRoleOwner(role.tags)}`,
    {
      hint: `drop ${flag} to let iamsa make ${input.namespace}/${input.name} a role of its own, or pass a role iamsa does not manage; the trust of role ${roleName} stays as it is`,
    },
  );
}

export const MECHANISM_NAMES: Record<Mechanism, string> = {
  irsa: 'IRSA',
  'pod-identity': 'Pod Identity',
};
/** "an IRSA role", "a Pod Identity role". */
export const aRoleOf = (m: Mechanism) => `${m === 'irsa' ? 'an' : 'a'} ${MECHANISM_NAMES[m]} role`;

/**
 * The mechanism iamsa's role for a binding serves when it is not the one wanted: rewriting an
 * IRSA role's trust for Pod Identity (or back) would cut off the pods that use it now, which is a
 * migration, not a converge. Undefined when it serves the one wanted (or both, mid-migration).
 */
export function otherMechanism(
  role: Role,
  wanted: Mechanism,
  cluster: ClusterInfo,
): Mechanism | undefined {
  // A role being migrated (migrate-to-pod-identity) serves both mechanisms for now; its tag alone
  // is no migration (isRoleMigrating).
  if (isRoleMigrating(role, cluster)) return undefined;
  const has: Mechanism = role.tags[TAG_MECHANISM] === 'pod-identity' ? 'pod-identity' : 'irsa';
  return has === wanted ? undefined : has;
}

function checkSameMechanism(
  role: Role,
  input: CheckedBinding,
  wanted: Mechanism,
  cluster: ClusterInfo,
): void {
  const has = otherMechanism(role, wanted, cluster);
  if (!has) return;
  throw new ConflictError(
    `role ${role.name} is iamsa's ${MECHANISM_NAMES[has]} role for ${input.namespace}/${input.name}; making it ${aRoleOf(wanted)} would cut off the pods that use it now`,
    {
      hint: `pass ${labelOf(input, 'mechanism')} ${has} to keep it, or ${labelOf(input, 'roleName')} NAME for a separate ${MECHANISM_NAMES[wanted]} role`,
    },
  );
}

/** A trust over the account's quota fails at apply, half-made: refuse it while planning. */
function checkTrustSize(
  input: CheckedBinding,
  roleName: string,
  trust: PolicyDocument,
  wanted: PolicyStatement[],
  max: number,
): void {
  const size = policySize(trust);
  if (size <= max) return;
  let fit = 0;
  while (
    fit < wanted.length &&
    policySize({ ...trust, Statement: wanted.slice(0, fit + 1) }) <= max
  ) {
    fit++;
  }
  const what = wanted.length > 1 ? `${wanted.length} clusters` : 'its cluster';
  throw new ValidationError(
    `the trust policy of role ${roleName} for ${what} would be ${size} characters; the account allows ${max} (IAM's trust policy size quota), so ${fit} of these clusters fit`,
    {
      hint: `split ${labelOf(input, 'cluster')} into bindings of at most ${Math.max(fit, 1)} clusters (each with its own roleName), raise the quota (Service Quotas, up to 4,096) and pass --max-trust-policy-size, or use EKS Pod Identity, whose trust does not grow with each cluster`,
    },
  );
}

/** Whether the role's trust holds iamsa's statement for the binding on a cluster it lists. */
function holdsStatement(
  role: Role,
  input: CheckedBinding,
  cluster: ClusterInfo,
  trust: RoleTrust,
): boolean {
  let doc: PolicyDocument;
  try {
    doc = parseTrustPolicy(role.trustPolicy, `the trust policy of role ${role.name}`);
  } catch {
    return false;
  }
  // The listed clusters' providers, and this cluster's own (a Pod Identity binding's IRSA role).
  const own = cluster.issuer
    ? [oidcProviderArn(cluster.partition, cluster.accountId, issuerHostPath(cluster.issuer))]
    : [];
  const providers = trust.document.Statement.flatMap((s) => {
    const federated = (s.Principal as { Federated?: unknown } | undefined)?.Federated;
    return typeof federated === 'string' ? [federated] : [];
  }).concat(own);
  const b = {
    clusterArn: cluster.arn,
    namespace: input.namespace,
    name: input.name,
    // The exact pattern the file declares is iamsa's own statement (a re-run converges).
    ...(input.subjectPattern !== undefined ? { subjectPattern: input.subjectPattern } : {}),
  };
  return trustHoldsBindingStatement(doc, b, cluster.accountId, providers);
}

/** A role carrying iamsa's tags for the binding whose trust iamsa never wrote is not taken over. */
function foreignTrustConflict(
  role: Role,
  input: CheckedBinding,
  cluster: ClusterInfo,
  trust: PolicyDocument,
): ConflictError {
  return new ConflictError(
    `role ${role.name} carries iamsa's tags for ${input.namespace}/${input.name} of ${cluster.arn}, but its trust holds no statement iamsa writes for that binding: it is not iamsa's, and iamsa will not take it over (its trust and policies stay as they are)`,
    {
      hint: `if the role is iamsa's with its trust changed by hand, restore the trust with: aws iam update-assume-role-policy --role-name ${role.name} --policy-document ${shellQuote(JSON.stringify(trust))}, then run this again; to use the role as it is, pass ${labelOf(input, 'attachRoleArn')} ${role.arn}; otherwise choose another ${labelOf(input, 'roleName')}, or remove the role or its iamsa.io/ tags by hand`,
    },
  );
}

function roleConflict(
  role: Role,
  roleName: string,
  input: CheckedBinding,
  cluster: ClusterInfo,
): ConflictError {
  const owner = roleOwner(role.tags);
  if (owner.managed && !iamsaRecord(role.tags).consistent) {
    return new ConflictError(
      `role ${roleName} has both iamsa's single-cluster tags (${TAG_CLUSTER_ARN}) and shared-role tags (${TAG_CLUSTERS}, ${TAG_CLUSTER_ARN_PREFIX}…), which iamsa never writes together: they are not iamsa's record, and iamsa will not change the role`,
      {
        hint: `choose another ${labelOf(input, 'roleName')}, or remove the role or its iamsa.io/ tags by hand`,
      },
    );
  }
  const sameServiceAccount =
    owner.namespace === input.namespace && owner.serviceAccount === input.name;
  if (owner.managed && sameServiceAccount && owner.cluster === input.cluster) {
    // Same cluster name, another cluster: "prod" in two regions derive the same role name.
    const elsewhere = owner.clusterArn ?? 'a cluster without a recorded ARN';
    return new ConflictError(
      `role ${role.name} is iamsa's role for ${input.namespace}/${input.name} of another cluster named ${input.cluster} (${elsewhere}), not ${cluster.arn}; iamsa will not change it`,
      {
        hint: `pass ${labelOf(input, 'roleName')} ${defaultRoleName(`${input.cluster}-${cluster.region}`, input.namespace, input.name)}`,
      },
    );
  }
  const hint = input.update
    ? `iamsa changes only roles it made for this binding; if the binding's role has another name, pass it with ${labelOf(input, 'roleName')}`
    : owner.managed
      ? // iamsa's role of another binding is refused as an attached role too (checkNotOthersRole).
        `choose another ${labelOf(input, 'roleName')}: role ${role.name} is iamsa's for another binding`
      : `choose another ${labelOf(input, 'roleName')}, or pass ${labelOf(input, 'attachRoleArn')} to use that role as it is`;
  // Update names an existing role: that it exists is no news.
  const what = input.update
    ? `role ${roleName} ${describeRoleOwner(role.tags).replace(/^it /, '')}`
    : `role ${roleName} already exists and ${describeRoleOwner(role.tags)}`;
  return new ConflictError(`${what}; iamsa will not change it`, { hint });
}
