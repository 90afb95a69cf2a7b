// Plans the IAM side of a binding: the role, its trust, its permissions.
import type { ClusterInfo } from '../aws/eks.js';
import type { IamGateway, Role } from '../aws/iam.js';
import {
  AlreadyExistsError,
  ConflictError,
  PreconditionError,
  ValidationError,
} from '../errors.js';
import {
  bindingOwnershipTags,
  buildTrustPolicy,
  evaluateTrust,
  defaultRoleName,
  describeRoleOwner,
  isOwnedRoleFor,
  mergeTags,
  DEFAULT_MANAGED_POLICIES_QUOTA,
  decodePolicyText,
  MAX_MANAGED_POLICIES_PER_ROLE,
  parseJsonText,
  parseTrustPolicy,
  type PolicyDocument,
  roleArn,
  roleOwner,
  sameJson,
  TAG_MECHANISM,
  TAG_MIGRATION,
  serviceAccountSubject,
  type TrustEvaluation,
  type TrustTarget,
  trustPoliciesEqual,
} from '../policy/index.js';
import { mapConcurrent } from './concurrency.js';
import { changedTags, describeTags, type PlanStep, step, updateStep } from './plan.js';
import { labelOf, type Mechanism } from './binding-spec.js';
import { type AttachedRole, type CheckedBinding, tooManyPoliciesHint } from './check-binding.js';

/** The inline policy iamsa writes from --attach-policy. */
export const INLINE_POLICY_NAME = 'iamsa-inline';

export interface RoleState {
  role?: Role;
  attached: string[];
  inline?: string;
}

/** Reads the role and checks the policies; needs no cluster data, so it can start at once. */
export async function readRoleState(iam: IamGateway, input: CheckedBinding): Promise<RoleState> {
  const [role, missingPolicies] = await Promise.all([
    iam.getRole(input.roleName),
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
  if (!role || input.attachRole) return { role, attached: [] };
  const [attached, inline] = await Promise.all([
    iam.listAttachedPolicyArns(input.roleName),
    input.inlinePolicy || input.update?.removeInlinePolicy
      ? iam.getInlinePolicy(input.roleName, INLINE_POLICY_NAME)
      : undefined,
  ]);
  return { role, attached, inline };
}

/** The trust a binding's role needs: IRSA's OIDC statement or Pod Identity's service statement. */
export interface RoleTrust {
  mechanism: Mechanism;
  /** The trust policy iamsa writes. */
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
    summary: `${target.issuerHostPath} ${serviceAccountSubject(input.namespace, input.name)}`,
    who: serviceAccountSubject(input.namespace, input.name),
    description: `IRSA role for ${input.namespace}/${input.name} in EKS cluster ${input.cluster}, managed by iamsa`,
    judge: (doc) => evaluateTrust(doc, target),
  };
}

export interface RolePlan {
  steps: PlanStep[];
  roleArn: string;
  warnings: string[];
}

/** What the well-known policies add to the role's attachments. */
export interface AlsoAttached {
  /** AWS-managed ARNs attached like --attach-policy-arn. */
  managedArns: string[];
  /** iamsa's own policies (attached by their own steps). */
  ownArns: string[];
  /** iamsa's own policies being detached and deleted. */
  prunedArns: string[];
}

const NOTHING_ELSE: AlsoAttached = { managedArns: [], ownArns: [], prunedArns: [] };

export function planRole(
  iam: IamGateway,
  input: CheckedBinding,
  state: RoleState,
  cluster: ClusterInfo,
  roleTrust: RoleTrust,
  also: AlsoAttached = NOTHING_ELSE,
): RolePlan {
  if (input.attachRole)
    return planAttachedRole(input, input.attachRole, state.role, cluster, roleTrust);
  const { role } = state;
  const trust = roleTrust.document;
  const trustText = JSON.stringify(trust);
  const arn =
    role?.arn ?? roleArn(cluster.partition, cluster.accountId, input.rolePath, input.roleName);
  const name = input.roleName;
  const steps: PlanStep[] = [];
  const roleTags = mergeTags(
    input.tags,
    bindingOwnershipTags(
      roleTrust.mechanism,
      input.cluster,
      input.namespace,
      input.name,
      cluster.arn,
    ),
  );

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
          `trust ${roleTrust.summary}`,
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
              description: roleTrust.description,
              tags: roleTags,
              permissionsBoundaryArn: input.permissionsBoundary,
            });
          } catch (error) {
            // A concurrent run made it, or our own create answer was lost: if it is iamsa's role
            // for this very binding, converge it now; anyone else's stays a conflict.
            if (!(error instanceof AlreadyExistsError)) throw error;
            const now = await iam.getRole(name);
            if (!now || !isOwnedRoleFor(now.tags, cluster.arn, input.namespace, input.name)) {
              throw now ? roleConflict(now, input, cluster) : error;
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
    if (!isOwnedRoleFor(role.tags, cluster.arn, input.namespace, input.name)) {
      throw roleConflict(role, input, cluster);
    }
    checkSameMechanism(role, input, roleTrust.mechanism);
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
    const removeBoundary =
      !!input.update?.removePermissionsBoundary && !!role.permissionsBoundaryArn;
    const untag = (input.update?.removeTags ?? []).filter((k) => k in role.tags);
    steps.push(
      updateStep('iam-role', arn, 1, [
        trustEdit(iam, role, roleTrust),
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
          change: `permissions boundary: ${role.permissionsBoundaryArn} -> (none)`,
          run: () => iam.deletePermissionsBoundary(name),
        },
        untag.length > 0 && {
          change: `remove tags ${untag.map((k) => `${k}=${role.tags[k]}`).join(', ')}`,
          run: () => iam.untagRole(name, untag),
        },
      ]),
    );
  }

  const toAttach = [...new Set([...input.policyArns, ...also.managedArns])];
  for (const policyArn of toAttach) {
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
  const detach = (input.update?.detachPolicyArns ?? []).filter((a) => state.attached.includes(a));
  for (const policyArn of detach) {
    steps.push(
      step({
        resource: 'policy-attachment',
        id: policyArn,
        action: 'delete',
        changes: [`detach from ${name}`],
        phase: 2,
        run: () => iam.detachPolicy(name, policyArn),
      }),
    );
  }
  if (input.update?.removeInlinePolicy && state.inline !== undefined) {
    steps.push(
      step({
        resource: 'inline-policy',
        id: `${arn}/${INLINE_POLICY_NAME}`,
        action: 'delete',
        changes: [],
        phase: 2,
        run: () => iam.deleteInlinePolicy(name, INLINE_POLICY_NAME),
      }),
    );
  }
  if (input.inlinePolicy) {
    const wanted = input.inlinePolicy.document;
    const document = JSON.stringify(wanted);
    const same =
      state.inline !== undefined &&
      // What IAM holds may have been edited by hand: compare it, do not judge it.
      sameJson(
        parseJsonText(
          decodePolicyText(state.inline, 'the current inline policy'),
          'the current inline policy',
        ),
        wanted,
      );
    steps.push(
      step({
        resource: 'inline-policy',
        id: `${arn}/${INLINE_POLICY_NAME}`,
        action: state.inline === undefined ? 'create' : same ? 'unchanged' : 'update',
        changes: same ? [] : [`from ${input.inlinePolicy.origin}`],
        phase: 2,
        run: () => iam.putInlinePolicy(name, INLINE_POLICY_NAME, document),
      }),
    );
  }
  const kept = state.attached.filter((a) => !also.prunedArns.includes(a) && !detach.includes(a));
  const total = new Set([...kept, ...toAttach, ...also.ownArns]).size;
  const inlineAfter =
    !!input.inlinePolicy || (state.inline !== undefined && !input.update?.removeInlinePolicy);
  if (input.update && role && total === 0 && !inlineAfter) {
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
  // An update keeps what it was not asked to remove: nothing to warn about there.
  const extra = input.update
    ? []
    : kept.filter((a) => !toAttach.includes(a) && !also.ownArns.includes(a));
  const warnings = extra.length
    ? [
        `role ${name} also has policies iamsa was not asked for and leaves alone: ${extra.join(', ')}`,
      ]
    : [];
  if (total > DEFAULT_MANAGED_POLICIES_QUOTA) {
    warnings.push(
      `role ${name} would have ${total} managed policies; IAM's default quota is ${DEFAULT_MANAGED_POLICIES_QUOTA} per role, so attaching would fail unless the account's quota was raised (Service Quotas, up to ${MAX_MANAGED_POLICIES_PER_ROLE})`,
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
  if (given.partition !== cluster.partition || given.accountId !== cluster.accountId) {
    // IRSA trusts the cluster's OIDC provider, which lives in the cluster's account (and Pod
    // Identity passes only roles of the cluster's account); and the role read by name came from
    // that account, so it cannot vouch for a role elsewhere.
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
  const warnings = evaluation.overBroad.map(
    (p) => `role ${arn} trust is broader than needed: ${p}`,
  );
  return {
    steps: [
      step({ resource: 'iam-role', id: role.arn, action: 'unchanged', changes: [], phase: 1 }),
    ],
    roleArn: role.arn,
    warnings,
  };
}

const MECHANISM_NAMES: Record<Mechanism, string> = { irsa: 'IRSA', 'pod-identity': 'Pod Identity' };

/**
 * The trust converges to exactly the mechanism's statement; a role being migrated keeps both
 * mechanisms' statements, and only gains the wanted one when its trust does not admit it.
 */
function trustEdit(iam: IamGateway, role: Role, roleTrust: RoleTrust) {
  const current = parseTrustPolicy(role.trustPolicy);
  if (role.tags[TAG_MIGRATION] === undefined) {
    return (
      !trustPoliciesEqual(current, roleTrust.document) && {
        change: `trust policy -> ${roleTrust.summary} only`,
        run: () => iam.updateTrustPolicy(role.name, JSON.stringify(roleTrust.document)),
      }
    );
  }
  if (roleTrust.judge(current).admits) return false;
  const next = { ...current, Statement: [...current.Statement, ...roleTrust.document.Statement] };
  return {
    change: `trust policy + ${roleTrust.summary} (the role is being migrated: its other statements stay)`,
    run: () => iam.updateTrustPolicy(role.name, JSON.stringify(next)),
  };
}

/**
 * Rewriting an IRSA role's trust for Pod Identity (or back) would cut off the pods that use it
 * now: that is a migration, not a converge.
 */
function checkSameMechanism(role: Role, input: CheckedBinding, wanted: Mechanism): void {
  // A role being migrated (migrate-to-pod-identity) serves both mechanisms for now.
  if (role.tags[TAG_MIGRATION] !== undefined) return;
  const has: Mechanism = role.tags[TAG_MECHANISM] === 'pod-identity' ? 'pod-identity' : 'irsa';
  if (has === wanted) return;
  throw new ConflictError(
    `role ${role.name} is iamsa's ${MECHANISM_NAMES[has]} role for ${input.namespace}/${input.name}; making it a ${MECHANISM_NAMES[wanted]} role would cut off the pods that use it now`,
    {
      hint: `pass ${labelOf(input, 'mechanism')} ${has} to keep it, or ${labelOf(input, 'roleName')} NAME for a separate ${MECHANISM_NAMES[wanted]} role`,
    },
  );
}

/** Why an existing role of the wanted name is not iamsa's to change, and what to do instead. */
function roleConflict(role: Role, input: CheckedBinding, cluster: ClusterInfo): ConflictError {
  const owner = roleOwner(role.tags);
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
    : `choose another ${labelOf(input, 'roleName')}, or pass ${labelOf(input, 'attachRoleArn')} to use that role as it is`;
  return new ConflictError(
    `role ${input.roleName} already exists and ${describeRoleOwner(role.tags)}; iamsa will not change it`,
    { hint },
  );
}
