// Narrow Kubernetes adapter: namespaces and service accounts, nothing else.
import { kubeStatusCode, translateKubeError } from './errors.js';
import { createRestClient, type RestTarget } from './rest.js';

export interface ServiceAccount {
  namespace: string;
  name: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  resourceVersion?: string;
}

export interface MetadataChange {
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface KubeGateway {
  namespaceExists(namespace: string): Promise<boolean>;
  listNamespaces(): Promise<string[]>;
  createNamespace(namespace: string): Promise<void>;
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccount | undefined>;
  listServiceAccounts(namespace: string): Promise<ServiceAccount[]>;
  createServiceAccount(namespace: string, name: string, metadata: MetadataChange): Promise<void>;
  /** Merge-patches metadata; with resourceVersion the server refuses if the object changed since. */
  patchServiceAccount(
    namespace: string,
    name: string,
    metadata: MetadataChange,
    resourceVersion?: string,
  ): Promise<void>;
}

interface KubeObject {
  metadata?: {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    resourceVersion?: string;
  };
}

const toServiceAccount = (sa: KubeObject): ServiceAccount => ({
  namespace: sa.metadata?.namespace ?? '',
  name: sa.metadata?.name ?? '',
  annotations: { ...(sa.metadata?.annotations ?? {}) },
  labels: { ...(sa.metadata?.labels ?? {}) },
  resourceVersion: sa.metadata?.resourceVersion,
});

const enc = encodeURIComponent;
const saPath = (namespace: string, name?: string) =>
  `/api/v1/namespaces/${enc(namespace)}/serviceaccounts${name ? `/${enc(name)}` : ''}`;

export function createKubeGateway(target: RestTarget): KubeGateway {
  const call = createRestClient(target);
  const run = async <T>(
    doing: string,
    method: string,
    path: string,
    body?: unknown,
    type?: string,
  ) => {
    try {
      return (await call(method, path, body, type)).body as T;
    } catch (error) {
      throw translateKubeError(error, doing, target.server);
    }
  };
  const optional = async <T>(doing: string, path: string): Promise<T | undefined> => {
    try {
      return (await call('GET', path)).body as T;
    } catch (error) {
      if (kubeStatusCode(error) === 404) return undefined;
      throw translateKubeError(error, doing, target.server);
    }
  };
  return {
    async namespaceExists(namespace) {
      return (
        (await optional(
          `reading namespace ${namespace}`,
          `/api/v1/namespaces/${enc(namespace)}`,
        )) !== undefined
      );
    },
    async listNamespaces() {
      const list = await run<{ items?: KubeObject[] }>(
        'listing namespaces',
        'GET',
        '/api/v1/namespaces',
      );
      return (list.items ?? []).map((n) => n.metadata?.name ?? '').filter(Boolean);
    },
    async createNamespace(namespace) {
      await run(`creating namespace ${namespace}`, 'POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace },
      });
    },
    async getServiceAccount(namespace, name) {
      const sa = await optional<KubeObject>(
        `reading service account ${namespace}/${name}`,
        saPath(namespace, name),
      );
      return sa ? toServiceAccount(sa) : undefined;
    },
    async listServiceAccounts(namespace) {
      const list = await run<{ items?: KubeObject[] }>(
        `listing service accounts in ${namespace}`,
        'GET',
        saPath(namespace),
      );
      return (list.items ?? []).map(toServiceAccount);
    },
    async createServiceAccount(namespace, name, metadata) {
      await run(`creating service account ${namespace}/${name}`, 'POST', saPath(namespace), {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace, ...metadata },
      });
    },
    async patchServiceAccount(namespace, name, metadata, resourceVersion) {
      const body = { metadata: { ...metadata, ...(resourceVersion ? { resourceVersion } : {}) } };
      await run(
        `updating service account ${namespace}/${name}`,
        'PATCH',
        saPath(namespace, name),
        body,
        'application/merge-patch+json',
      );
    },
  };
}
