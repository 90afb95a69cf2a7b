// IRSA-W025: a namespace a command was asked about does not exist, most likely a typo. Commands
// that select by namespace say so (naming the nearest one) rather than report an empty result as
// if everything were in place.
import { closest } from '../../suggest.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { ServiceAccount } from '../../kube/gateway.js';
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

/**
 * For a service account that does not exist: IRSA-W025 when its namespace does not either, and the
 * nearest existing service account (in the nearest namespace then). `known` are the service
 * accounts already read (every one of the cluster: then the same name in another namespace is named
 * when the namespace has nothing near); without them those of the namespace are read.
 * Meant for a failure path only: one GET, and a LIST when needed.
 */
export async function nearestServiceAccount(
  session: ClusterSession,
  namespace: string,
  name: string,
  known?: ServiceAccount[],
): Promise<{ warning?: Warning; nearest?: { namespace: string; name: string } }> {
  const missing = await missingNamespaceNear(session, namespace);
  const where = missing ? missing.near : namespace;
  const accounts =
    known ??
    (where
      ? await session
          .kube()
          .then((k) => k.gateway.listServiceAccounts(where))
          .catch(() => [] as ServiceAccount[])
      : []);
  const names = accounts.filter((sa) => sa.namespace === where).map((sa) => sa.name);
  const near = names.includes(name) ? name : closest(name, names);
  // Every service account of the cluster at hand: the same name in another namespace (a forgotten -n).
  const elsewhere = !near && known?.find((sa) => sa.name === name && sa.namespace !== namespace);
  return {
    ...(missing ? { warning: missing.warning } : {}),
    ...(where && near
      ? { nearest: { namespace: where, name: near } }
      : elsewhere
        ? { nearest: { namespace: elsewhere.namespace, name } }
        : {}),
  };
}
