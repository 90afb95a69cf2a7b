// Plans one binding on a cluster session: the role (and its permissions) first, the service
// account's annotation last. Reads run concurrently; a bad binding becomes a per-binding error so
// it never hides the others.
import {
  isOwnedRoleFor,
  matchesStringLike,
  type Mechanism,
  parseArn,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  shellQuote,
  STS_AUDIENCE,
  TAG_MECHANISM,
  type TrustTarget,
  trustAdmitsPodIdentity,
} from '../../policy/index.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { CheckedBinding } from './check.js';
import type { ClusterSession } from './cluster-session.js';
import { asIamsaError, type BindingPlan } from '../engine/plan.js';
import { started } from '../engine/concurrency.js';
import { bindingAudience, irsaTrust, readRoleState } from './plan-role.js';
import { planRoleAndPermissions } from './plan-permissions.js';
import { planPodIdentity } from './plan-pod-identity.js';
import { findAssociationOrWarn, handedOut, handedOutWarning } from './pod-identity-associations.js';
import { mechanismOf } from './spec.js';
import { planServiceAccount, readServiceAccountState } from './plan-service-account.js';

/**
 * Takes the binding checked at the boundary (checkBinding: the command, the file reader, the
 * wizard); it is not checked again, and what planning finds out travels beside it.
 */
export async function planBinding(
  session: ClusterSession,
  spec: CheckedBinding,
): Promise<BindingPlan> {
  const base = {
    cluster: spec.cluster,
    namespace: spec.namespace,
    name: spec.name,
    source: spec.source.where,
  };
  let mechanism = mechanismOf(spec);
  try {
    const unchecked: Warning[] = [];
    if (spec.update && spec.mechanism === undefined && !spec.roleOnly) {
      mechanism = await updatedMechanism(session, spec, unchecked);
    }
    // The mechanism decided here is the one reported (BindingPlan.mechanism), not recomputed.
    const planned =
      mechanism === 'pod-identity'
        ? await planPodIdentity(session, spec)
        : await plan(session, spec);
    const notes = [...unchecked, ...defaultServiceAccountWarnings(spec)];
    notes.forEach((w) => session.reporter.warn(w));
    return { ...base, mechanism, ...planned, warnings: [...notes, ...planned.warnings] };
  } catch (error) {
    return {
      ...base,
      mechanism,
      steps: [],
      warnings: [],
      error: asIamsaError(error),
    };
  }
}

/** Pods that name no service account run as the namespace's `default`: binding it binds them all. */
export const defaultServiceAccountWarnings = (
  spec: Pick<CheckedBinding, 'namespace' | 'name'>,
): Warning[] =>
  spec.name === 'default'
    ? [
        coded(
          'IRSA-W052',
          `${spec.namespace}/default is the namespace's default service account: every pod of namespace ${spec.namespace} that sets no serviceAccountName runs as it and gets this role; bind a service account of the workload's own unless that is what you want`,
        ),
      ]
    : [];

/**
 * An update without --mechanism: iamsa's association for the service account means Pod Identity,
 * and so does, without an association, iamsa's role for the binding tagged for Pod Identity.
 */
async function updatedMechanism(
  session: ClusterSession,
  spec: CheckedBinding,
  unchecked: Warning[],
): Promise<Mechanism> {
  // iamsa's role answers only when there is no association; read beside it, not after it (one
  // round trip, not two, on update's usual IRSA path).
  const roleRead = session.iam.getRole(spec.roleName);
  roleRead.catch(() => undefined); // its failure counts only if it is awaited below
  const [cluster, association] = await Promise.all([
    session.cluster(),
    session.reporter.progress(
      `Reading the Pod Identity association of ${spec.namespace}/${spec.name}`,
      () => findAssociationOrWarn(session, spec.namespace, spec.name, unchecked),
    ),
  ]);
  if (association)
    return isOwnedRoleFor(association.tags, cluster.arn, spec.namespace, spec.name)
      ? 'pod-identity'
      : 'irsa';
  // No association (deleted by hand): iamsa's role for the binding says which mechanism it made.
  const role = await roleRead;
  return role &&
    isOwnedRoleFor(role.tags, cluster.arn, spec.namespace, spec.name) &&
    role.tags[TAG_MECHANISM] === 'pod-identity'
    ? 'pod-identity'
    : 'irsa';
}

async function plan(session: ClusterSession, input: CheckedBinding) {
  const { reporter } = session;
  const kubeStateP = input.roleOnly
    ? undefined
    : started(readServiceAccountState(session, input.namespace, input.name));
  let roleName = input.roleName;
  if (input.update && !input.roleNameGiven && kubeStateP) {
    // An update finds the binding's role where the service account points, if it is there.
    const [state, cluster] = await Promise.all([kubeStateP, session.cluster()]);
    const annotated = state.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
    if (annotated && parseArn(annotated)?.accountId === cluster.accountId) {
      roleName = roleNameOf(annotated);
    }
  }
  // The role and policies need no cluster data: read them while the cluster is described.
  const roleStateP = started(
    reporter.progress(`Reading IAM role ${roleName}`, () =>
      readRoleState(session.iam, input, roleName),
    ),
  );
  // The provider lookup needs only the cluster: start it now, not after the Kubernetes reads.
  const ready = started(session.requireProvider());
  const [cluster, oidc, kubeState] = await Promise.all([
    session.cluster(),
    session.oidc(),
    kubeStateP,
  ]);
  const target: TrustTarget = {
    providerArn: oidc.providerArn,
    issuerHostPath: oidc.hostPath,
    namespace: input.namespace,
    serviceAccount: input.name,
    audience: bindingAudience(input, kubeState?.serviceAccount),
    ...(input.subjectPattern !== undefined ? { subjectPattern: input.subjectPattern } : {}),
  };
  const planned = await planRoleAndPermissions(session, input, cluster, {
    roleName,
    roleState: roleStateP,
    trust: irsaTrust(input, target),
    ready,
  });
  const { rolePlan, wellKnown } = planned;
  const steps = [...rolePlan.steps, ...wellKnown.steps];
  if (kubeStateP) {
    const [kube, state] = await Promise.all([session.kube(), kubeStateP]);
    steps.push(...planServiceAccount(session, kube.gateway, input, state, rolePlan.roleArn));
  }
  // A role whose trust admits Pod Identity (mid-migration) goes to whoever an association names:
  // one made outside this binding is named in every plan, as for a Pod Identity binding.
  const { role } = await roleStateP;
  const handed =
    role && !input.attachRole && trustAdmitsPodIdentity(role)
      ? await handedOut(session, rolePlan.roleArn, input.namespace, input.name)
      : [];
  const warnings = [
    ...subjectPatternWarnings(input),
    ...(await audienceWarnings(session, target)),
    ...wellKnown.warnings,
    ...rolePlan.warnings,
    ...handed.map((a) => handedOutWarning(session, a, rolePlan.roleArn, input)),
  ];
  warnings.forEach((w) => reporter.warn(w));
  return {
    roleArn: rolePlan.roleArn,
    serviceAccount: input.roleOnly ? undefined : { namespace: input.namespace, name: input.name },
    steps,
    warnings,
  };
}

/** A wildcard subject is allowed only on request; the plan still says what it grants. */
export const subjectPatternWarnings = (
  input: Pick<CheckedBinding, 'namespace' | 'name' | 'subjectPattern'>,
): Warning[] =>
  input.subjectPattern === undefined
    ? []
    : [
        coded(
          'IRSA-W004',
          `over-broad trust: every service account of namespace ${input.namespace} matching "${input.subjectPattern}" may assume the role of ${input.namespace}/${input.name} (subjectPattern)`,
        ),
        // The binding's own pods could not assume the role it makes for them.
        ...(matchesStringLike(input.subjectPattern, input.name)
          ? []
          : [
              coded(
                'IRSA-W042',
                `${input.namespace}/${input.name} does not match its own subjectPattern "${input.subjectPattern}": its pods cannot assume the role; fix the name or the pattern`,
              ),
            ]),
      ];

/** STS refuses a token whose audience the provider does not list: a custom one must be added. */
async function audienceWarnings(session: ClusterSession, target: TrustTarget): Promise<Warning[]> {
  const audience = target.audience ?? STS_AUDIENCE;
  if (audience === STS_AUDIENCE) return [];
  const provider = await session.provider();
  if (!provider || provider.clientIds.includes(audience)) return [];
  return [
    coded(
      'IRSA-W045',
      `the OIDC provider of cluster ${session.name} does not list the audience ${audience} (the service account's eks.amazonaws.com/audience): STS refuses its tokens until it does: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${shellQuote(audience)}`,
    ),
  ];
}
