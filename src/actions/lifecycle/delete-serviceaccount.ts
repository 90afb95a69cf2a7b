// Use case: remove one binding. The annotation goes first, then the role iamsa owns for it.
import type { KubeAccess } from '../../kube/connection.js';
import { openClusterSession, type RegionAccess } from '../binding/cluster-session.js';
import { composePlan, type Planned } from '../engine/plan.js';
import {
  checkDeleteTarget,
  type DeleteTarget,
  planDeleteBinding,
} from '../binding/delete/dispatch.js';
import type { Reporter } from '../engine/reporter.js';
import { nearestServiceAccount } from '../binding/missing-namespace.js';
import { coded } from '../engine/warning-kinds.js';

export type { DeleteTarget } from '../binding/delete/dispatch.js';

export async function planDeleteServiceAccount(
  target: DeleteTarget,
  kube: KubeAccess,
  deps: RegionAccess & { reporter: Reporter },
): Promise<Planned> {
  checkDeleteTarget(target);
  const session = openClusterSession(deps, {
    cluster: target.cluster,
    kube,
    reporter: deps.reporter,
  });
  if (!target.roleOnly) void session.kube().catch(() => undefined);
  const binding = await planDeleteBinding(session, target);
  if (!target.roleOnly && !binding.error && !binding.steps.some((s) => s.action !== 'unchanged')) {
    // Nothing to delete may be a mistyped namespace or name rather than a binding already gone.
    const { warning, nearest } = await nearestServiceAccount(
      session,
      target.namespace,
      target.name,
    );
    const near =
      nearest && (nearest.namespace !== target.namespace || nearest.name !== target.name);
    const typo =
      near &&
      coded(
        'IRSA-W060',
        `service account ${target.namespace}/${target.name} does not exist in cluster ${target.cluster}: did you mean --namespace ${nearest.namespace} --name ${nearest.name}?`,
      );
    for (const w of [warning, typo]) {
      if (!w) continue;
      session.reporter.warn(w);
      binding.warnings.push(w);
    }
  }
  return composePlan(
    {
      command: 'delete-serviceaccount',
      cluster: target.cluster,
      region: deps.region,
      warnings: session.warnings,
    },
    [binding],
    deps.reporter,
    { failAsCommand: true },
  );
}
