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
  bindingRoleTags,
  buildTrustPolicy,
  evaluateTrust,
  defaultRoleName,
  describeRoleOwner,
  isOwnedRoleFor,
  isOwnedSharedRoleFor,
  mergeTags,
  type PolicyStatement,
  policySize,
  sharedRoleOwnershipTags,
  TAG_CLUSTER_ARN_PREFIX,
  TAG_CLUSTERS,
  TAG_POLICIES,
  TRUST_POLICY_DEFAULT_LIMIT,
  DEFAULT_MANAGED_POLICIES_QUOTA,
  decodePolicyText,
  INLINE_POLICY_NAME,
  MAX_MANAGED_POLICIES_PER_ROLE,
  parseJsonText,
  parseTrustPolicy,
  policiesFingerprint,
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
} from '../../policy/index.js';
import { mapConcurrent } from '../engine/concurrency.js';
import { changedTags, describeTags, type PlanStep, step, updateStep } from '../engine/plan.js';
import { labelOf, type Mechanism } from './spec.js';
import { type AttachedRole, type CheckedBinding, tooManyPoliciesHint } from './check.js';

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
  // The inline policy is read even when not asked about: the role's tags record it too.
  const [attached, inline] = await Promise.all([
    iam.listAttachedPolicyArns(input.roleName),
    iam.getInlinePolicy(input.roleName, INLINE_POLICY_NAME),
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

/** A role shared by several clusters (docs/decisions/0005-shared-roles.md). */
export interface SharedRole {
  clusters: ClusterInfo[];
  /** Drop the statements and tags of clusters no longer listed (--prune). */
  prune: boolean;
}

export interface TrustOptions {
  /** The account's trust policy size quota (IAM's default 2,048; raisable to 4,096). */
  maxTrustPolicySize?: number;
  shared?: SharedRole;
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
    summary: `${trusts.length} statements for clusters ${names}: ${serviceAccountSubject(input.namespace, input.name)}`,
    who: serviceAccountSubject(input.namespace, input.name),
    description:
      `IRSA role for ${input.namespace}/${input.name} shared by EKS clusters ${names}, managed by iamsa`.slice(
        0,
        1000,
      ),
    judge: (doc) => evaluateTrust(doc, first!.target),
  };
}

export function planRole(
  iam: IamGateway,
  input: CheckedBinding,
  state: RoleState,
  cluster: ClusterInfo,
  roleTrust: RoleTrust,
  also: AlsoAttached = NOTHING_ELSE,
  options: TrustOptions = {},
): RolePlan {
  if (input.attachRole)
    return planAttachedRole(input, input.attachRole, state.role, cluster, roleTrust);
  const { role } = state;
  const { shared } = options;
  const owned = (tags: Record<string, string>) =>
    shared
      ? isOwnedSharedRoleFor(
          tags,
          shared.clusters.map((c) => c.arn),
          input.namespace,
          input.name,
        )
      : isOwnedRoleFor(tags, cluster.arn, input.namespace, input.name);
  const wanted = roleTrust.document.Statement;
  // A shared role keeps the statements of clusters the file no longer lists, unless pruning.
  const keptStatements =
    shared && role && !shared.prune ? otherStatements(role.trustPolicy, wanted) : [];
  const trust: PolicyDocument = {
    ...roleTrust.document,
    Statement: [...wanted, ...keptStatements],
  };
  checkTrustSize(input, trust, wanted, options.maxTrustPolicySize ?? TRUST_POLICY_DEFAULT_LIMIT);
  const trustText = JSON.stringify(trust);
  const arn =
    role?.arn ?? roleArn(cluster.partition, cluster.accountId, input.rolePath, input.roleName);
  const name = input.roleName;
  const steps: PlanStep[] = [];
  // The role's permissions once this plan is applied: what its tags record.
  const toAttach = [...new Set([...input.policyArns, ...also.managedArns])];
  const detach = (input.update?.detachPolicyArns ?? []).filter((a) => state.attached.includes(a));
  const kept = state.attached.filter((a) => !also.prunedArns.includes(a) && !detach.includes(a));
  const managedAfter = [...new Set([...kept, ...toAttach, ...also.ownArns])];
  const inlineAfter = input.inlinePolicy
    ? JSON.stringify(input.inlinePolicy.document)
    : input.update?.removeInlinePolicy
      ? undefined
      : state.inline;
  const record = policiesFingerprint({ managedArns: managedAfter, inlinePolicy: inlineAfter });
  const roleTags = mergeTags(
    input.tags,
    shared
      ? {
          ...sharedRoleOwnershipTags(input.namespace, input.name, shared.clusters),
          [TAG_POLICIES]: record,
        }
      : bindingRoleTags(
          roleTrust.mechanism,
          input.cluster,
          input.namespace,
          input.name,
          cluster.arn,
          record,
        ),
  );
  if (shared && role && !shared.prune && role.tags[TAG_CLUSTERS]) {
    // Clusters no longer listed stay trusted until --prune, and so stay named.
    const names = new Set([
      ...role.tags[TAG_CLUSTERS].split(','),
      ...shared.clusters.map((c) => c.name),
    ]);
    const joined = [...names].join(',');
    roleTags[TAG_CLUSTERS] = joined.length <= 256 ? joined : `${joined.slice(0, 255)}…`;
  }

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
            if (!now || !owned(now.tags)) {
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
    if (!owned(role.tags)) {
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
    // Pruning a shared role forgets the clusters it no longer trusts.
    const dropped = shared?.prune
      ? Object.keys(role.tags).filter(
          (k) => k.startsWith(TAG_CLUSTER_ARN_PREFIX) && !(k in roleTags),
        )
      : [];
    steps.push(
      updateStep('iam-role', arn, 1, [
        // A role being migrated to Pod Identity keeps its other statements (trustEdit).
        role.tags[TAG_MIGRATION] !== undefined
          ? trustEdit(iam, role, roleTrust)
          : !trustPoliciesEqual(parseTrustPolicy(role.trustPolicy), trust) && {
              change: shared
                ? `trust policy -> ${roleTrust.summary}${keptStatements.length ? ` (keeping ${keptStatements.length} for clusters no longer listed; --prune drops them)` : ''}`
                : `trust policy -> ${roleTrust.summary} only`,
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
  const total = managedAfter.length;
  if (input.update && role && total === 0 && inlineAfter === undefined) {
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
/** The statements of an existing trust that trust none of the wanted statements' providers. */
function otherStatements(trustPolicy: string, wanted: PolicyStatement[]): PolicyStatement[] {
  const federated = (s: PolicyStatement) =>
    (s.Principal as { Federated?: unknown } | undefined)?.Federated;
  const providers = new Set(wanted.map(federated));
  return parseTrustPolicy(trustPolicy).Statement.filter((s) => !providers.has(federated(s)));
}

/** A trust over the account's quota fails at apply, half-made: refuse it while planning. */
function checkTrustSize(
  input: CheckedBinding,
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
    `the trust policy of role ${input.roleName} for ${what} would be ${size} characters; the account allows ${max} (IAM's trust policy size quota), so ${fit} of these clusters fit`,
    {
      hint: `split ${labelOf(input, 'cluster')} into bindings of at most ${Math.max(fit, 1)} clusters (each with its own roleName), raise the quota (Service Quotas, up to 4,096) and pass --max-trust-policy-size, or use EKS Pod Identity, whose trust does not grow with each cluster`,
    },
  );
}

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
