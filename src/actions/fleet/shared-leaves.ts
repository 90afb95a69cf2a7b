// apply --prune can take several clusters out of one shared role in a run: a binding moved to one
// cluster (moved.ts) leaves the old shared role on that cluster, and a cluster the file still names
// but no longer lists the binding for is pruned (prune.ts). Planned apart, each would rewrite the
// trust from the same read, and the last write would put back the other's statement. So the role
// is planned once: the first deletion takes every leaving cluster out (and deletes the role with
// the last), the others plan only their service accounts.
import { sameRoleArn } from '../../policy/index.js';
import type { BindingPlan } from '../engine/plan.js';
import type { ClusterSession } from '../binding/cluster-session.js';
import { type DeleteTarget, planDeleteBinding } from '../binding/delete/dispatch.js';

/** A planned deletion with what it was planned from (none for a plan that failed early). */
export interface Deletion {
  plan: BindingPlan;
  session?: ClusterSession;
  target?: DeleteTarget;
}

const touchesRole = (p: BindingPlan) =>
  !p.error &&
  p.roleArn !== undefined &&
  p.steps.some(
    (s) => s.resource === 'iam-role' && s.action !== 'unchanged' && sameRoleArn(s.id, p.roleArn!),
  );

export async function oncePerSharedRole(deletions: Deletion[]): Promise<BindingPlan[]> {
  const byRole = new Map<string, Deletion[]>();
  for (const d of deletions) {
    if (!d.session || !d.target || !touchesRole(d.plan)) continue;
    const key = d.plan.roleArn!.toLowerCase();
    byRole.set(key, [...(byRole.get(key) ?? []), d]);
  }
  for (const group of byRole.values()) {
    const [first, ...rest] = group;
    if (!first || rest.length === 0) continue;
    const alsoLeaving = await Promise.all(
      rest.map(async (d) => {
        const [cluster, oidc] = await Promise.all([d.session!.cluster(), d.session!.oidc()]);
        return { name: d.session!.name, arn: cluster.arn, providerArn: oidc.providerArn };
      }),
    );
    first.plan = await planDeleteBinding(first.session!, { ...first.target!, alsoLeaving });
    for (const d of rest) {
      d.plan = await planDeleteBinding(d.session!, { ...d.target!, roleHandledElsewhere: true });
    }
  }
  return deletions.map((d) => d.plan);
}
