// Plans removing a Pod Identity binding: the association first (new pods stop getting the role),
// then the service account iamsa made, then the role's policies and the role. The same ownership
// rules as for IRSA: the association and role by their tags, the service account by its label.
import { coded, type Warning } from '../../engine/warning-kinds.js';
import { ConflictError } from '../../../errors.js';
import {
  ATTACHED_ROLE_TAG,
  defaultRoleName,
  isOwnedRoleFor,
  parseArn,
  roleNameOf,
  sameRoleArn,
} from '../../../policy/index.js';
import type { ClusterSession } from '../cluster-session.js';
import { type PlanStep, step } from '../../engine/plan.js';
import { started } from '../../engine/concurrency.js';
import { foreignRole, isIamsas, roleSteps, serviceAccountStep } from './irsa.js';
import type { DeleteTarget } from './target.js';
import { findAssociation } from '../pod-identity-associations.js';
import { foreignTrustWarning, judgeRoleForDeletion } from '../owned-role.js';

export async function planDeletePodIdentity(session: ClusterSession, t: DeleteTarget) {
  const { iam, eks, reporter } = session;
  const id = `${t.namespace}/${t.name}`;
  const derived = t.roleName ?? defaultRoleName(t.cluster, t.namespace, t.name);
  const derivedRoleP = started(
    reporter.progress(`Reading IAM role ${derived}`, () => iam.getRole(derived)),
  );
  const kube = await session.kube();
  const [cluster, association, sa, pods] = await Promise.all([
    session.cluster(),
    reporter.progress(`Reading the Pod Identity association of ${id}`, () =>
      findAssociation(eks, t.cluster, t.namespace, t.name),
    ),
    reporter.progress(`Reading service account ${id}`, () =>
      kube.gateway.getServiceAccount(t.namespace, t.name),
    ),
    kube.gateway.listPodsOf(t.namespace, t.name),
  ]);
  if (association?.ownerArn) {
    throw new ConflictError(
      `the Pod Identity association of ${id} belongs to the EKS add-on ${association.ownerArn}; iamsa will not delete it`,
      { hint: 'remove it through the add-on (aws eks update-addon or delete-addon)' },
    );
  }
  // The association names the role; a role of another account is never iamsa's to delete.
  const associated =
    association && parseArn(association.roleArn)?.accountId === cluster.accountId
      ? roleNameOf(association.roleArn)
      : undefined;
  const roleName = t.roleName ?? associated ?? derived;
  const role =
    roleName.toLowerCase() === derived.toLowerCase()
      ? await derivedRoleP
      : await reporter.progress(`Reading IAM role ${roleName}`, () => iam.getRole(roleName));

  const binding = {
    clusterArn: cluster.arn,
    cluster: t.cluster,
    namespace: t.namespace,
    name: t.name,
  };
  const mine = (tags: Record<string, string>) =>
    isOwnedRoleFor(tags, cluster.arn, t.namespace, t.name);
  const ours = association && mine(association.tags);
  // The association's tags say nothing of the role: it is judged by its own tags and trust.
  const { owned: ownedRole, foreign } = await judgeRoleForDeletion(session, role, binding, mine);
  const usesRole = !!association && !!role && sameRoleArn(association.roleArn, role.arn);
  // A role given with --attach-role-arn is kept: iamsa only made the association.
  const attached = !!ours && usesRole && association.tags[ATTACHED_ROLE_TAG] === 'true';
  if (role && !ownedRole && !foreign && !attached) throw foreignRole(role, t, cluster.arn);
  if (association && !ours && usesRole) {
    throw new ConflictError(
      `service account ${id} has a Pod Identity association (${association.id}) not made by iamsa that uses role ${role?.arn}; deleting the role would break it`,
      {
        hint: `delete the association first (aws eks delete-pod-identity-association --cluster-name ${t.cluster} --association-id ${association.id})`,
      },
    );
  }
  const warnings: Warning[] = [];
  const keptSa = !!foreign && !attached && !!sa && isIamsas(sa) && !t.keepServiceAccount;
  if (foreign && !attached) warnings.push(foreignTrustWarning(foreign, binding, keptSa));
  const steps: PlanStep[] = [];
  if (association && ours) {
    steps.push(
      step({
        resource: 'pod-identity-association',
        id,
        action: 'delete',
        changes: [`${association.id}, role ${association.roleArn}`],
        phase: 1,
        run: () => eks.deletePodIdentityAssociation(t.cluster, association.id),
      }),
    );
  } else if (association) {
    warnings.push(
      coded(
        'IRSA-W009',
        `service account ${id} has a Pod Identity association (${association.id}, role ${association.roleArn}) not made by iamsa: it is left as it is`,
      ),
    );
  }
  // As for IRSA, the service account iamsa made is kept with a role kept as not iamsa's (IRSA-W048).
  if (sa && isIamsas(sa) && !t.keepServiceAccount && !keptSa && (ours || ownedRole)) {
    steps.push(serviceAccountStep(session, sa, t));
  }
  if (ownedRole) {
    // After the association (phase 1): IAM's phases of roleSteps are 2 and 3.
    steps.push(...(await roleSteps(session, ownedRole, mine, warnings)));
  }
  if (steps.length && pods.length) {
    warnings.push(
      coded(
        'IRSA-W015',
        `${pods.length} pod(s) still run as ${id} and keep the role's credentials (cached up to 6 hours) until they restart (kubectl get pods -n ${t.namespace} --field-selector spec.serviceAccountName=${t.name})`,
      ),
    );
  }
  warnings.forEach((w) => reporter.warn(w));
  return {
    roleArn: role?.arn,
    serviceAccount: { namespace: t.namespace, name: t.name },
    steps,
    warnings,
  };
}
