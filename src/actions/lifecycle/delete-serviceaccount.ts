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
import { missingNamespace } from '../binding/missing-namespace.js';

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
    // Nothing to delete may be a mistyped namespace rather than a binding already gone.
    const missing = await missingNamespace(session, target.namespace);
    if (missing) {
      session.reporter.warn(missing);
      binding.warnings.push(missing);
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
