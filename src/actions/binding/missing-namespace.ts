// IRSA-W025: a namespace a command was asked about does not exist, most likely a typo. Commands
// that select by namespace say so (naming the nearest one) rather than report an empty result as
// if everything were in place.
import { closest } from '../../suggest.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { ClusterSession } from './cluster-session.js';

/** The warning, given the namespaces that exist. */
export function namespaceWarning(namespace: string, cluster: string, known: string[]): Warning {
  const near = closest(namespace, known);
  return coded(
    'IRSA-W025',
    `namespace ${namespace} does not exist in cluster ${cluster}${near ? `: did you mean ${near}?` : ''}`,
  );
}

/** The warning when the namespace does not exist (one GET; a LIST only then). */
export async function missingNamespace(
  session: ClusterSession,
  namespace: string,
): Promise<Warning | undefined> {
  return (await missingNamespaceNear(session, namespace))?.warning;
}

/** missingNamespace, with the nearest existing namespace it names (for a fix to use). */
export async function missingNamespaceNear(
  session: ClusterSession,
  namespace: string,
): Promise<{ warning: Warning; near?: string } | undefined> {
  const exists = await session.namespaceExists(namespace).catch(() => true);
  if (exists) return undefined;
  const kube = await session.kube();
  const names = await kube.gateway.listNamespaces().catch(() => [] as string[]);
  const near = closest(namespace, names);
  return { warning: namespaceWarning(namespace, session.name, names), ...(near ? { near } : {}) };
}
