// Plans a binding that lists several clusters: one role whose trust has a statement per cluster's
// provider, and the service account annotated with it in each cluster. The role's steps are the
// same objects in every cluster's chain, so they run once.
import { ValidationError } from '../../errors.js';
import type { CheckedBinding } from '../binding/check.js';
import type { ClusterSession } from '../binding/cluster-session.js';
import { asIamsaError, type BindingPlan } from '../engine/plan.js';
import { started } from '../engine/concurrency.js';
import {
  defaultServiceAccountWarnings,
  planBinding,
  subjectPatternWarnings,
} from '../binding/plan-binding.js';
import { bindingAudience, planRole, readRoleState, sharedIrsaTrust } from '../binding/plan-role.js';
import type { ClusterInfo } from '../../aws/eks.js';
import { isOwnedSharedRoleFor, roleOwner, type TrustTarget } from '../../policy/index.js';
import type { Role } from '../../aws/iam.js';
import { recordedProviders } from '../binding/owned-role.js';
import type { Warning } from '../engine/warning-kinds.js';
import { planServiceAccount, readServiceAccountState } from '../binding/plan-service-account.js';

export interface SharedOptions {
  maxTrustPolicySize?: number;
  /** Drop the statements of clusters no longer listed. */
  prune?: boolean;
}

/**
 * `inputs[i]` is the binding checked for `sessions[i]` (checkApplyBinding: one role name for all,
 * and the kinds of binding a shared role takes); nothing here checks it again.
 */
export async function planSharedBinding(
  sessions: ClusterSession[],
  inputs: readonly CheckedBinding[],
  options: SharedOptions = {},
): Promise<BindingPlan[]> {
  const spec = inputs[0]!;
  // An existing role used as it is needs no sharing: each cluster checks its own trust.
  if (spec.attachRole || sessions.length < 2) {
    return Promise.all(sessions.map((s, i) => planBinding(s, inputs[i]!)));
  }
  const base = (s: ClusterSession) => ({
    cluster: s.name,
    namespace: spec.namespace,
    name: spec.name,
    source: spec.source.where,
  });
  try {
    const plans = await plan(sessions, inputs, options);
    return plans.map((p, i) => ({ ...base(sessions[i]!), ...p }));
  } catch (error) {
    // One role for all: if one cluster cannot be planned, the role cannot be either.
    const e = asIamsaError(error);
    return sessions.map((s) => ({ ...base(s), steps: [], warnings: [], error: e }));
  }
}

async function plan(
  sessions: ClusterSession[],
  inputs: readonly CheckedBinding[],
  options: SharedOptions,
) {
  const first = sessions[0]!;
  const input = inputs[0]!;
  const { roleName } = input;
  const roleStateP = started(
    first.reporter.progress(`Reading IAM role ${roleName}`, () =>
      readRoleState(first.iam, input, roleName),
    ),
  );
  const kubeStates = sessions.map((s) =>
    input.roleOnly ? undefined : started(readServiceAccountState(s, input.namespace, input.name)),
  );
  const trusts = await Promise.all(
    sessions.map(async (s, i): Promise<{ cluster: ClusterInfo; target: TrustTarget }> => {
      const [cluster, oidc, , kubeState] = await Promise.all([
        s.cluster(),
        s.oidc(),
        s.requireProvider(),
        kubeStates[i],
      ]);
      return {
        cluster,
        target: {
          providerArn: oidc.providerArn,
          issuerHostPath: oidc.hostPath,
          namespace: input.namespace,
          serviceAccount: input.name,
          audience: bindingAudience(input, kubeState?.serviceAccount),
          ...(input.subjectPattern !== undefined ? { subjectPattern: input.subjectPattern } : {}),
        },
      };
    }),
  );
  const accounts = new Set(trusts.map((t) => `${t.cluster.partition}:${t.cluster.accountId}`));
  if (accounts.size > 1) {
    throw new ValidationError(
      `${input.source.labels.cluster ?? 'clusters'} lists clusters of several AWS accounts (${[...accounts].join(', ')}); a role trusts OIDC providers of its own account only`,
      { hint: 'make one binding per account' },
    );
  }
  const roleState = await roleStateP;
  const clusters = trusts.map((t) => t.cluster);
  const unchecked: Warning[] = [];
  const recorded = options.prune
    ? undefined
    : await unlistedProviders(first, roleState.role, input, clusters, unchecked);
  const rolePlan = planRole(first.iam, input, roleState, trusts[0]!.cluster, {
    trust: sharedIrsaTrust(input, trusts),
    maxTrustPolicySize: options.maxTrustPolicySize,
    shared: { clusters, prune: !!options.prune, ...(recorded ? { recorded } : {}) },
  });
  const warnings = [
    ...defaultServiceAccountWarnings(input),
    ...subjectPatternWarnings(input),
    ...unchecked,
    ...rolePlan.warnings,
  ];
  warnings.forEach((w) => first.reporter.warn(w));
  return Promise.all(
    sessions.map(async (s, i) => {
      const steps = [...rolePlan.steps];
      const stateP = kubeStates[i];
      if (stateP) {
        const [kube, state] = await Promise.all([s.kube(), stateP]);
        steps.push(...planServiceAccount(s, kube.gateway, inputs[i]!, state, rolePlan.roleArn));
      }
      return {
        roleArn: rolePlan.roleArn,
        serviceAccount: input.roleOnly
          ? undefined
          : { namespace: input.namespace, name: input.name },
        steps,
        // The role's warnings once, with the first cluster's entry.
        warnings: i === 0 ? warnings : [],
      };
    }),
  );
}

/**
 * The providers of the clusters iamsa's shared role records but the file no longer lists: their
 * statements are kept until --prune. Read from the recorded ARNs (DescribeCluster), only when
 * there are such clusters; one that cannot be read keeps no statement (IRSA-W054).
 */
async function unlistedProviders(
  session: ClusterSession,
  role: Role | undefined,
  input: CheckedBinding,
  listed: ClusterInfo[],
  warnings: Warning[],
): Promise<Set<string> | undefined> {
  const arns = listed.map((c) => c.arn);
  if (!role || !isOwnedSharedRoleFor(role.tags, arns, input.namespace, input.name))
    return undefined;
  const unlisted = (roleOwner(role.tags).clusterArns ?? []).filter((a) => !arns.includes(a));
  return unlisted.length ? recordedProviders(session, role, unlisted, warnings) : undefined;
}
