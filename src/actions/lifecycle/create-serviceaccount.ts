// Use cases: an IAM role that only <namespace>/<name> of one cluster can assume, and the service
// account annotated with it (create-serviceaccount), or changes to such a binding
// (update-serviceaccount: the spec carries what to take away). One binding on one cluster session.
import type { KubeAccess } from '../../kube/connection.js';
import type { BindingSpec } from '../binding/spec.js';
import { checkBinding } from '../binding/check.js';
import {
  type ClusterSession,
  openClusterSession,
  type RegionAccess,
} from '../binding/cluster-session.js';
import { nearestServiceAccount } from '../binding/missing-namespace.js';
import { PreconditionError } from '../../errors.js';
import { type BindingPlan, composePlan, type Planned } from '../engine/plan.js';
import { planBinding } from '../binding/plan-binding.js';
import type { Reporter } from '../engine/reporter.js';

export interface CreateServiceAccountDeps extends RegionAccess {
  reporter: Reporter;
}

export const planCreateServiceAccount = (
  spec: BindingSpec,
  kube: KubeAccess,
  deps: CreateServiceAccountDeps,
) => planSingleBinding('create-serviceaccount', spec, kube, deps);

export const planUpdateServiceAccount = (
  spec: BindingSpec,
  kube: KubeAccess,
  deps: CreateServiceAccountDeps,
) =>
  planSingleBinding(
    'update-serviceaccount',
    { ...spec, update: spec.update ?? NO_REMOVALS },
    kube,
    deps,
  );

const NO_REMOVALS = {
  detachPolicyArns: [],
  removeInlinePolicy: false,
  removePermissionsBoundary: false,
  removeTags: [],
};

async function planSingleBinding(
  command: string,
  spec: BindingSpec,
  kube: KubeAccess,
  deps: CreateServiceAccountDeps,
): Promise<Planned> {
  // Every value is checked before the first call, once: the planners take the checked binding.
  const checked = checkBinding(spec);
  const session = openClusterSession(deps, {
    cluster: spec.cluster,
    kube,
    reporter: deps.reporter,
  });
  // Connect (presign the EKS token) while the cluster is described and IAM is read.
  if (!spec.roleOnly) void session.kube().catch(() => undefined);
  const planned = await planBinding(session, checked);
  const binding =
    spec.update && !spec.roleOnly && planned.error instanceof PreconditionError
      ? await withNearest(session, planned, planned.error)
      : planned;
  // Pod Identity involves no OIDC provider; the mechanism is the one planBinding decided (an
  // update without --mechanism finds it), never recomputed from the spec.
  const providerArn =
    binding.error || binding.mechanism !== 'irsa' ? undefined : (await session.oidc()).providerArn;
  return composePlan(
    {
      command,
      cluster: spec.cluster,
      region: deps.region,
      providerArn,
      warnings: session.warnings,
    },
    [binding],
    deps.reporter,
    { failAsCommand: true },
  );
}

/**
 * An update that cannot find its binding may name a service account that does not exist: a typo of
 * the namespace (IRSA-W025) or of the name. The error then says the nearest existing one.
 */
async function withNearest(
  session: ClusterSession,
  binding: BindingPlan,
  error: PreconditionError,
): Promise<BindingPlan> {
  const { namespace, name } = binding;
  const { warning, nearest } = await nearestServiceAccount(session, namespace, name);
  if (warning) session.reporter.warn(warning);
  const near = nearest && (nearest.namespace !== namespace || nearest.name !== name) && nearest;
  const guess = near ? `did you mean --namespace ${near.namespace} --name ${near.name}?` : '';
  return {
    ...binding,
    warnings: [...binding.warnings, ...(warning ? [warning] : [])],
    ...(near
      ? {
          error: new PreconditionError(error.message, {
            hint: error.hint ? `${guess} Else ${error.hint}` : guess,
            ...(error.detail ? { detail: error.detail } : {}),
          }),
        }
      : {}),
  };
}
