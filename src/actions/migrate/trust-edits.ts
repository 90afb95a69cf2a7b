// What both migrations do to a role's trust: read it, and write it only when it changes. A role's
// steps share one write (once), however many of its service accounts ask for it.
import type { Role } from '../../aws/iam.js';
import { parseTrustPolicy, type PolicyDocument, trustPoliciesEqual } from '../../policy/index.js';
import type { ClusterSession } from '../binding/cluster-session.js';
import type { Edit, PlanStep } from '../engine/plan.js';

/** The run's first call runs it; every later call waits for that one. */
export function once(run: (() => Promise<void>) | undefined): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= run ? run() : Promise.resolve());
}

export const trustOf = (role: Role) =>
  parseTrustPolicy(role.trustPolicy, `the trust policy of ${role.name}`);

/** The update of a role's trust from one document to another, or false when they are equal. */
export const trustEdit = (
  c: { session: ClusterSession },
  role: Role,
  from: PolicyDocument,
  to: PolicyDocument,
  change: string,
): Edit | false =>
  !trustPoliciesEqual(from, to) && {
    change,
    run: () => c.session.iam.updateTrustPolicy(role.name, JSON.stringify(to)),
  };

/**
 * A rollback writes a role twice (its trust back first, the other mechanism's last): a write with
 * nothing to do is left out, so a role that changes reads as one row, not `=` then `~`.
 */
export const rollbackRoleSteps = (restore: PlanStep, finish?: PlanStep): PlanStep[] => {
  if (!finish || finish.action === 'unchanged') return [restore];
  return restore.action === 'unchanged' ? [finish] : [restore, finish];
};
