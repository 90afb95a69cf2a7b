// Plans one binding on a cluster session: the role (and its permissions) first, the service
// account's annotation last. Reads run concurrently; a bad binding becomes a per-binding error so
// it never hides the others.
import {
  parseArn,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  STS_AUDIENCE,
  type TrustTarget,
} from '../policy/index.js';
import type { BindingSpec } from './binding-spec.js';
import { checkBinding } from './check-binding.js';
import type { ClusterSession } from './cluster-session.js';
import { asIamsaError, type BindingPlan, started } from './plan.js';
import { irsaTrust, planRole, readRoleState } from './plan-role.js';
import { planPodIdentity } from './plan-pod-identity.js';
import { mechanismOf } from './binding-spec.js';
import {
  planWellKnown,
  readManagedPolicies,
  removedWellKnown,
  staleCandidates,
  wantedWellKnown,
} from './plan-well-known.js';
import { planServiceAccount, readServiceAccountState } from './plan-service-account.js';

export async function planBinding(
  session: ClusterSession,
  spec: BindingSpec,
): Promise<BindingPlan> {
  const base = {
    cluster: spec.cluster,
    namespace: spec.namespace,
    name: spec.name,
    source: spec.source.where,
  };
  try {
    const mechanism = mechanismOf(spec);
    const planned =
      mechanism === 'pod-identity'
        ? await planPodIdentity(session, spec)
        : await plan(session, spec);
    return { ...base, mechanism, ...planned };
  } catch (error) {
    return {
      ...base,
      mechanism: mechanismOf(spec),
      steps: [],
      warnings: [],
      error: asIamsaError(error),
    };
  }
}

async function plan(session: ClusterSession, spec: BindingSpec) {
  let input = checkBinding(spec);
  const { reporter } = session;
  const kubeStateP = input.roleOnly
    ? undefined
    : started(readServiceAccountState(session, input.namespace, input.name));
  if (input.update && spec.roleName === undefined && kubeStateP) {
    // An update finds the binding's role where the service account points, if it is there.
    const [state, cluster] = await Promise.all([kubeStateP, session.cluster()]);
    const annotated = state.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
    if (annotated && parseArn(annotated)?.accountId === cluster.accountId) {
      input = { ...input, roleName: roleNameOf(annotated) };
    }
  }
  // The role and policies need no cluster data: read them while the cluster is described.
  const roleStateP = started(
    reporter.progress(`Reading IAM role ${input.roleName}`, () =>
      readRoleState(session.iam, input),
    ),
  );
  const [cluster, oidc] = await Promise.all([session.cluster(), session.oidc()]);
  // The well-known documents need the cluster's partition and account; their policies are read
  // while the provider and the role are.
  const wanted = wantedWellKnown(input, cluster);
  const wantedP = started(
    readManagedPolicies(
      session.iam,
      wanted.policies.map((p) => p.arn),
    ),
  );
  const [, roleState, policies] = await Promise.all([
    session.requireProvider(),
    roleStateP,
    wantedP,
  ]);
  // Keys asked for are converged whole (a policy split in two that now fits in one loses its
  // second part); keys an update removes go with their policies.
  const removed = removedWellKnown(input, cluster);
  const stale = staleCandidates(input, cluster, wanted, roleState.attached, [
    ...input.wellKnown.map((c) => c.policy.key),
    ...removed.keys,
  ]);
  if (input.update && removed.managedArns.length) {
    const keep = new Set([...input.policyArns, ...wanted.managedArns]);
    const detach = removed.managedArns.filter((a) => !keep.has(a));
    input = {
      ...input,
      update: {
        ...input.update,
        detachPolicyArns: [...new Set([...input.update.detachPolicyArns, ...detach])],
      },
    };
  }
  for (const [arn, p] of await readManagedPolicies(session.iam, stale)) policies.set(arn, p);
  const wellKnown = planWellKnown(session.iam, input, cluster, wanted, {
    attached: roleState.attached,
    policies,
    stale,
  });
  const target: TrustTarget = {
    providerArn: oidc.providerArn,
    issuerHostPath: oidc.hostPath,
    namespace: input.namespace,
    serviceAccount: input.name,
    audience: STS_AUDIENCE,
    ...(input.subjectPattern !== undefined ? { subjectPattern: input.subjectPattern } : {}),
  };
  const rolePlan = planRole(session.iam, input, roleState, cluster, irsaTrust(input, target), {
    managedArns: wanted.managedArns,
    ownArns: wellKnown.attachedArns,
    prunedArns: wellKnown.prunedArns,
  });
  const steps = [...rolePlan.steps, ...wellKnown.steps];
  if (kubeStateP) {
    const [kube, state] = await Promise.all([session.kube(), kubeStateP]);
    steps.push(...planServiceAccount(session, kube.gateway, input, state, rolePlan.roleArn));
  }
  const warnings = [...subjectPatternWarnings(input), ...wellKnown.warnings, ...rolePlan.warnings];
  warnings.forEach((w) => reporter.warn(w));
  return {
    roleArn: rolePlan.roleArn,
    serviceAccount: input.roleOnly ? undefined : { namespace: input.namespace, name: input.name },
    steps,
    warnings,
  };
}

/** A wildcard subject is allowed only on request; the plan still says what it grants. */
export const subjectPatternWarnings = (input: BindingSpec): string[] =>
  input.subjectPattern === undefined
    ? []
    : [
        `over-broad trust: every service account of namespace ${input.namespace} matching "${input.subjectPattern}" may assume the role of ${input.namespace}/${input.name} (subjectPattern)`,
      ];
