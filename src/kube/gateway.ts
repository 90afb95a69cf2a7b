// Narrow Kubernetes adapter: namespaces and service accounts, nothing else.
import {
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  type V1ServiceAccount,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { kubeStatusCode, translateKubeError } from './errors.js';

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
  /** The API server address in use. */
  server: string;
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

const toServiceAccount = (sa: V1ServiceAccount): ServiceAccount => ({
  namespace: sa.metadata?.namespace ?? '',
  name: sa.metadata?.name ?? '',
  annotations: { ...(sa.metadata?.annotations ?? {}) },
  labels: { ...(sa.metadata?.labels ?? {}) },
  resourceVersion: sa.metadata?.resourceVersion,
});

export function createKubeGateway(kc: KubeConfig, server: string): KubeGateway {
  const api = kc.makeApiClient(CoreV1Api);
  const run = async <T>(doing: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw translateKubeError(error, doing, server);
    }
  };
  const optional = async <T>(doing: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      if (kubeStatusCode(error) === 404) return undefined;
      throw translateKubeError(error, doing, server);
    }
  };
  return {
    server,
    async namespaceExists(namespace) {
      const ns = await optional(`reading namespace ${namespace}`, () =>
        api.readNamespace({ name: namespace }),
      );
      return ns !== undefined;
    },
    async listNamespaces() {
      const list = await run('listing namespaces', () => api.listNamespace());
      return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
    },
    async createNamespace(namespace) {
      await run(`creating namespace ${namespace}`, () =>
        api.createNamespace({
          body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
        }),
      );
    },
    async getServiceAccount(namespace, name) {
      const sa = await optional(`reading service account ${namespace}/${name}`, () =>
        api.readNamespacedServiceAccount({ name, namespace }),
      );
      return sa ? toServiceAccount(sa) : undefined;
    },
    async listServiceAccounts(namespace) {
      const list = await run(`listing service accounts in ${namespace}`, () =>
        api.listNamespacedServiceAccount({ namespace }),
      );
      return list.items.map(toServiceAccount);
    },
    async createServiceAccount(namespace, name, metadata) {
      await run(`creating service account ${namespace}/${name}`, () =>
        api.createNamespacedServiceAccount({
          namespace,
          body: {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: { name, namespace, ...metadata },
          },
        }),
      );
    },
    async patchServiceAccount(namespace, name, metadata, resourceVersion) {
      const body = { metadata: { ...metadata, ...(resourceVersion ? { resourceVersion } : {}) } };
      await run(`updating service account ${namespace}/${name}`, () =>
        api.patchNamespacedServiceAccount(
          { name, namespace, body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      );
    },
  };
}
