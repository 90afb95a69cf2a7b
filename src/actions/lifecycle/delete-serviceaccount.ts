// Use case: remove one binding. The annotation goes first, then the role iamsa owns for it.
import type { KubeAccess } from '../../kube/connection.js';
import {
  type ClusterSession,
  openClusterSession,
  type RegionAccess,
} from '../binding/cluster-session.js';
import { composePlan, type Planned } from '../engine/plan.js';
import {
  checkDeleteTarget,
  type DeleteTarget,
  planDeleteBinding,
} from '../binding/delete/dispatch.js';
import type { Reporter } from '../engine/reporter.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import { closest } from '../../suggest.js';

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

/** IRSA-W025 when the namespace does not exist, naming the nearest one that does. */
async function missingNamespace(
  session: ClusterSession,
  namespace: string,
): Promise<Warning | undefined> {
  const exists = await session.namespaceExists(namespace).catch(() => true);
  if (exists) return undefined;
  const kube = await session.kube();
  const names = await kube.gateway.listNamespaces().catch(() => [] as string[]);
  const near = closest(namespace, names);
  const cluster = await session.cluster();
  return coded(
    'IRSA-W025',
    `namespace ${namespace} does not exist in cluster ${cluster.name}${near ? `: did you mean ${near}?` : ''}`,
  );
}
