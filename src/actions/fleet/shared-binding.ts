// Plans a binding that lists several clusters: one role whose trust has a statement per cluster's
// provider, and the service account annotated with it in each cluster. The role's steps are the
// same objects in every cluster's chain, so they run once.
import { ValidationError } from '../../errors.js';
import { sharedRoleName } from '../../policy/index.js';
import type { BindingSpec } from '../binding/spec.js';
import { checkBinding } from '../binding/check.js';
import type { ClusterSession } from '../binding/cluster-session.js';
import { asIamsaError, type BindingPlan } from '../engine/plan.js';
import { started } from '../engine/concurrency.js';
import { planBinding, subjectPatternWarnings } from '../binding/plan-binding.js';
import { bindingAudience, planRole, readRoleState, sharedIrsaTrust } from '../binding/plan-role.js';
import type { ClusterInfo } from '../../aws/eks.js';
import type { TrustTarget } from '../../policy/index.js';
import { planServiceAccount, readServiceAccountState } from '../binding/plan-service-account.js';

export interface SharedOptions {
  maxTrustPolicySize?: number;
  /** Drop the statements of clusters no longer listed. */
  prune?: boolean;
}

export async function planSharedBinding(
  sessions: ClusterSession[],
  spec: Omit<BindingSpec, 'cluster'>,
  options: SharedOptions = {},
): Promise<BindingPlan[]> {
  // An existing role used as it is needs no sharing: each cluster checks its own trust.
  if (spec.attachRoleArn !== undefined || sessions.length < 2) {
    return Promise.all(sessions.map((s) => planBinding(s, { ...spec, cluster: s.name })));
  }
  const base = (s: ClusterSession) => ({
    cluster: s.name,
    namespace: spec.namespace,
    name: spec.name,
    source: spec.source.where,
  });
  try {
    const plans = await plan(sessions, spec, options);
    return plans.map((p, i) => ({ ...base(sessions[i]!), ...p }));
  } catch (error) {
    // One role for all: if one cluster cannot be planned, the role cannot be either.
    const e = asIamsaError(error);
    return sessions.map((s) => ({ ...base(s), steps: [], warnings: [], error: e }));
  }
}

async function plan(
  sessions: ClusterSession[],
  spec: Omit<BindingSpec, 'cluster'>,
  options: SharedOptions,
) {
  if (Object.keys(spec.wellKnownPolicies ?? {}).length || spec.mechanism === 'pod-identity') {
    throw new ValidationError(
      `${spec.source.labels.cluster ?? 'clusters'} lists several clusters: a shared role takes attachPolicyARNs and an inline policy, not wellKnownPolicies or Pod Identity yet`,
      { hint: 'make one binding per cluster for those' },
    );
  }
  const roleName = spec.roleName ?? sharedRoleName(spec.namespace, spec.name);
  const inputs = sessions.map((s) => checkBinding({ ...spec, roleName, cluster: s.name }));
  const first = sessions[0]!;
  const input = inputs[0]!;
  const roleStateP = started(
    first.reporter.progress(`Reading IAM role ${roleName}`, () => readRoleState(first.iam, input)),
  );
  const kubeStates = sessions.map((s) =>
    input.roleOnly ? undefined : started(readServiceAccountState(s, spec.namespace, spec.name)),
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
          namespace: spec.namespace,
          serviceAccount: spec.name,
          audience: bindingAudience(input, kubeState?.serviceAccount),
          ...(spec.subjectPattern !== undefined ? { subjectPattern: spec.subjectPattern } : {}),
        },
      };
    }),
  );
  const accounts = new Set(trusts.map((t) => `${t.cluster.partition}:${t.cluster.accountId}`));
  if (accounts.size > 1) {
    throw new ValidationError(
      `${spec.source.labels.cluster ?? 'clusters'} lists clusters of several AWS accounts (${[...accounts].join(', ')}); a role trusts OIDC providers of its own account only`,
      { hint: 'make one binding per account' },
    );
  }
  const rolePlan = planRole(first.iam, input, await roleStateP, trusts[0]!.cluster, {
    trust: sharedIrsaTrust(input, trusts),
    maxTrustPolicySize: options.maxTrustPolicySize,
    shared: { clusters: trusts.map((t) => t.cluster), prune: !!options.prune },
  });
  const warnings = [...subjectPatternWarnings(input), ...rolePlan.warnings];
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
        serviceAccount: input.roleOnly ? undefined : { namespace: spec.namespace, name: spec.name },
        steps,
        // The role's warnings once, with the first cluster's entry.
        warnings: i === 0 ? warnings : [],
      };
    }),
  );
}
