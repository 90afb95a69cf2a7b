// Plans removing a binding of either mechanism: --mechanism says which, or the binding does (an
// association iamsa made means Pod Identity, with the IRSA annotation removed too when present).
import { codeOf, coded, type Warning } from '../../engine/warning-kinds.js';
import { ConflictError } from '../../../errors.js';
import { isOwnedRoleFor, ROLE_ARN_ANNOTATION } from '../../../policy/index.js';
import { asIamsaError, type BindingPlan, type PlanStep } from '../../engine/plan.js';
import type { ClusterSession } from '../cluster-session.js';
import { findAssociationOrWarn } from '../pod-identity-associations.js';
import type { Mechanism } from '../spec.js';
import { planDeleteIrsa } from './irsa.js';
import { planDeletePodIdentity } from './pod-identity.js';
import type { DeleteTarget } from './target.js';

export { checkDeleteTarget, type DeleteTarget } from './target.js';

export async function planDeleteBinding(
  session: ClusterSession,
  target: DeleteTarget,
): Promise<BindingPlan> {
  const base = {
    cluster: target.cluster,
    namespace: target.namespace,
    name: target.name,
    source: target.source.where,
  };
  let mechanism: Mechanism = target.mechanism ?? 'irsa';
  try {
    let planned: Awaited<ReturnType<typeof planDeleteIrsa>>;
    if (target.mechanism === 'pod-identity') planned = await planDeletePodIdentity(session, target);
    else if (target.mechanism === 'irsa' || target.roleOnly)
      planned = await planDeleteIrsa(session, target);
    else {
      const detected = await planDetected(session, target);
      mechanism = detected.mechanism;
      planned = detected.planned;
    }
    return { ...base, mechanism, ...planned };
  } catch (error) {
    return { ...base, mechanism, steps: [], warnings: [], error: asIamsaError(error) };
  }
}

/**
 * Without --mechanism the binding says which it is: an association iamsa made for this service
 * account is a Pod Identity binding; an annotation besides it (a migration that kept IRSA) is
 * removed too, with the role it names when that is iamsa's. Anything else is today's IRSA delete.
 */
async function planDetected(session: ClusterSession, t: DeleteTarget) {
  const id = `${t.namespace}/${t.name}`;
  const kube = await session.kube();
  const unchecked: Warning[] = [];
  const [cluster, association, sa] = await Promise.all([
    session.cluster(),
    session.reporter.progress(`Reading the Pod Identity association of ${id}`, () =>
      findAssociationOrWarn(session, t.namespace, t.name, unchecked),
    ),
    kube.gateway.getServiceAccount(t.namespace, t.name),
  ]);
  const iamsas =
    !!association && isOwnedRoleFor(association.tags, cluster.arn, t.namespace, t.name);
  if (!iamsas) {
    // Unread, the association may exist: iamsa's Pod Identity role then fails the delete.
    const denied = unchecked.some((w) => codeOf(w) === 'UNCHECKED_ACCESS_DENIED');
    const planned = await planDeleteIrsa(
      session,
      t,
      denied ? 'eks:ListPodIdentityAssociations' : undefined,
    );
    unchecked.forEach((w) => session.reporter.warn(w));
    planned.warnings.push(...unchecked);
    if (association) {
      const note = coded(
        'IRSA-W009',
        `service account ${id} also has a Pod Identity association (${association.id}, role ${association.roleArn}) not made by iamsa: it is left as it is`,
      );
      session.reporter.warn(note);
      planned.warnings.push(note);
    }
    return { mechanism: 'irsa' as const, planned };
  }
  const podIdentity = await planDeletePodIdentity(session, t);
  const annotated = sa?.annotations[ROLE_ARN_ANNOTATION];
  if (annotated === undefined) return { mechanism: 'pod-identity' as const, planned: podIdentity };
  const both = coded(
    'IRSA-W010',
    `service account ${id} has both a Pod Identity association (${association.id}) and the IRSA annotation (${annotated}): deleting both`,
  );
  session.reporter.warn(both);
  const warnings = [both, ...podIdentity.warnings];
  let irsa: Awaited<ReturnType<typeof planDeleteIrsa>> | undefined;
  try {
    irsa = await planDeleteIrsa(session, t);
  } catch (error) {
    // The annotation names a role iamsa does not own: the association still goes.
    if (!(error instanceof ConflictError)) throw error;
    const kept = coded(
      'IRSA-W011',
      `the IRSA annotation of ${id} names a role iamsa will not delete (${error.message}): the annotation and that role are left as they are`,
    );
    session.reporter.warn(kept);
    warnings.push(kept);
  }
  return {
    mechanism: 'pod-identity' as const,
    planned: {
      ...podIdentity,
      steps: mergeSteps(podIdentity.steps, irsa?.steps ?? []),
      warnings: [...new Set([...warnings, ...(irsa?.warnings ?? [])])],
    },
  };
}

/**
 * The steps of both deletes once each: the same role's steps appear in both when one role served
 * both mechanisms, and deleting a service account makes removing its annotation moot.
 */
function mergeSteps(a: PlanStep[], b: PlanStep[]): PlanStep[] {
  const key = (s: PlanStep) => `${s.resource}|${s.id}|${s.action}|${s.changes.join(';')}`;
  const seen = new Set<string>();
  const merged = [...a, ...b].filter((s) => {
    const k = key(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const deleted = new Set(
    merged
      .filter((s) => s.resource === 'service-account' && s.action === 'delete')
      .map((s) => s.id),
  );
  return merged.filter(
    (s) => !(s.resource === 'service-account' && s.action !== 'delete' && deleted.has(s.id)),
  );
}
