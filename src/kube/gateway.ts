// Narrow Kubernetes adapter: namespaces, service accounts, reading pods, and workloads.
import { PreconditionError } from '../errors.js';
import { kubeStatusCode, TERMINATING_HINT, translateKubeError } from './errors.js';
import { createRestClient, type RestTarget } from './rest.js';
import {
  type RawObject,
  toRbacBinding,
  toWorkload,
  WORKLOAD_PATHS,
  type WorkloadGateway,
  type WorkloadKind,
  workloadPatch,
  workloadPath,
} from './workloads.js';

export interface ServiceAccount {
  namespace: string;
  name: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  resourceVersion?: string;
  creationTimestamp?: string;
  /** When the role annotation was last written, from managedFields (real API servers keep them). */
  roleAnnotatedAt?: string;
}

export interface MetadataChange {
  /** `null` removes the key (a JSON merge patch). */
  annotations?: Record<string, string | null>;
  labels?: Record<string, string | null>;
}

export interface PodEnvVar {
  name: string;
  /** Absent when the value comes from valueFrom (a secret, a field...). */
  value?: string;
}

export interface PodContainer {
  name: string;
  init: boolean;
  env: PodEnvVar[];
  volumeMounts: string[];
}

export interface PodVolume {
  name: string;
  /** Projected service account tokens in this volume. */
  tokens: { audience?: string; expirationSeconds?: number; path: string }[];
}

/** What iamsa reads of a pod: who it runs as and what the webhook injected. */
export interface Pod {
  namespace: string;
  name: string;
  serviceAccountName: string;
  creationTimestamp?: string;
  annotations: Record<string, string>;
  containers: PodContainer[];
  volumes: PodVolume[];
}

export interface KubeGateway extends WorkloadGateway {
  namespaceExists(namespace: string): Promise<boolean>;
  listNamespaces(): Promise<string[]>;
  createNamespace(namespace: string): Promise<void>;
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccount | undefined>;
  /** Every service account of a namespace, or of the cluster when namespace is undefined. */
  listServiceAccounts(namespace?: string): Promise<ServiceAccount[]>;
  /** Deletes it; with resourceVersion the server refuses if the object changed since. */
  deleteServiceAccount(namespace: string, name: string, resourceVersion?: string): Promise<void>;
  /** The pods of a namespace that run as this service account. */
  listPodsOf(namespace: string, serviceAccount: string): Promise<Pod[]>;
  /** Every pod of the cluster. */
  listAllPods(): Promise<Pod[]>;
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
    creationTimestamp?: string;
    managedFields?: ManagedFieldsEntry[];
  };
  spec?: {
    serviceAccountName?: string;
    containers?: KubeContainer[];
    initContainers?: KubeContainer[];
    volumes?: {
      name?: string;
      projected?: {
        sources?: {
          serviceAccountToken?: { audience?: string; expirationSeconds?: number; path?: string };
        }[];
      };
    }[];
  };
}

interface ManagedFieldsEntry {
  time?: string;
  fieldsV1?: { 'f:metadata'?: { 'f:annotations'?: Record<string, unknown> } };
}

interface KubeContainer {
  name?: string;
  env?: { name?: string; value?: string }[];
  volumeMounts?: { name?: string }[];
}

interface KubeList {
  items?: KubeObject[];
  metadata?: { continue?: string };
}

/** Page size of LIST calls: large lists come in pages, never in one huge answer. */
const PAGE = 500;

const ROLE_ANNOTATION_FIELD = 'f:eks.amazonaws.com/role-arn';

/** The latest managedFields entry that owns the role annotation: when it was last written. */
function roleAnnotatedAt(entries: ManagedFieldsEntry[] | undefined): string | undefined {
  const times = (entries ?? [])
    .filter((e) => e.time && e.fieldsV1?.['f:metadata']?.['f:annotations']?.[ROLE_ANNOTATION_FIELD])
    .map((e) => e.time as string)
    .sort();
  return times.at(-1);
}

const toServiceAccount = (sa: KubeObject): ServiceAccount => {
  const annotatedAt = roleAnnotatedAt(sa.metadata?.managedFields);
  return {
    namespace: sa.metadata?.namespace ?? '',
    name: sa.metadata?.name ?? '',
    annotations: { ...(sa.metadata?.annotations ?? {}) },
    labels: { ...(sa.metadata?.labels ?? {}) },
    resourceVersion: sa.metadata?.resourceVersion,
    ...(sa.metadata?.creationTimestamp ? { creationTimestamp: sa.metadata.creationTimestamp } : {}),
    ...(annotatedAt ? { roleAnnotatedAt: annotatedAt } : {}),
  };
};

const toContainer = (c: KubeContainer, init: boolean): PodContainer => ({
  name: c.name ?? '',
  init,
  env: (c.env ?? []).map((e) => ({
    name: e.name ?? '',
    ...(e.value !== undefined ? { value: e.value } : {}),
  })),
  volumeMounts: (c.volumeMounts ?? []).map((m) => m.name ?? ''),
});

const toPod = (p: KubeObject): Pod => ({
  namespace: p.metadata?.namespace ?? '',
  name: p.metadata?.name ?? '',
  serviceAccountName: p.spec?.serviceAccountName ?? 'default',
  ...(p.metadata?.creationTimestamp ? { creationTimestamp: p.metadata.creationTimestamp } : {}),
  annotations: { ...(p.metadata?.annotations ?? {}) },
  containers: [
    ...(p.spec?.initContainers ?? []).map((c) => toContainer(c, true)),
    ...(p.spec?.containers ?? []).map((c) => toContainer(c, false)),
  ],
  volumes: (p.spec?.volumes ?? []).map((v) => ({
    name: v.name ?? '',
    tokens: (v.projected?.sources ?? []).flatMap((src) => {
      const t = src.serviceAccountToken;
      if (!t) return [];
      return [
        {
          ...(t.audience !== undefined ? { audience: t.audience } : {}),
          ...(t.expirationSeconds !== undefined ? { expirationSeconds: t.expirationSeconds } : {}),
          path: t.path ?? '',
        },
      ];
    }),
  })),
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
      throw translateKubeError(error, doing, target.server, target.caFile);
    }
  };
  const optional = async <T>(doing: string, path: string): Promise<T | undefined> => {
    try {
      return (await call('GET', path)).body as T;
    } catch (error) {
      if (kubeStatusCode(error) === 404) return undefined;
      throw translateKubeError(error, doing, target.server, target.caFile);
    }
  };
  /** A write whose 404 means the object is already gone. */
  const gone = async (doing: string, method: string, path: string, body?: unknown) => {
    try {
      await call(method, path, body);
    } catch (error) {
      if (kubeStatusCode(error) === 404) return;
      throw translateKubeError(error, doing, target.server);
    }
  };
  /** Follows `continue` tokens until the list is complete. */
  const listAll = async (doing: string, path: string): Promise<KubeObject[]> => {
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page = await run<KubeList>(
        doing,
        'GET',
        `${path}${sep}limit=${PAGE}${token ? `&continue=${enc(token)}` : ''}`,
      );
      // A loop, not a spread: a server that ignores the limit may send more than a call takes.
      for (const item of page.items ?? []) items.push(item);
      token = page.metadata?.continue || undefined;
    } while (token);
    return items;
  };
  return {
    async namespaceExists(namespace) {
      const ns = await optional<{ status?: { phase?: string } }>(
        `reading namespace ${namespace}`,
        `/api/v1/namespaces/${enc(namespace)}`,
      );
      // Being deleted: it refuses new objects, so nothing can be bound there (checked before any write).
      if (ns?.status?.phase === 'Terminating') {
        throw new PreconditionError(`namespace ${namespace} is being terminated`, {
          hint: TERMINATING_HINT,
        });
      }
      return ns !== undefined;
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
      const path = namespace === undefined ? '/api/v1/serviceaccounts' : saPath(namespace);
      const where = namespace === undefined ? 'the cluster' : namespace;
      return (await listAll(`listing service accounts in ${where}`, path)).map(toServiceAccount);
    },
    async deleteServiceAccount(namespace, name, resourceVersion) {
      // Already gone (another run, or a lost answer to ours) is what was wanted.
      await gone(
        `deleting service account ${namespace}/${name}`,
        'DELETE',
        saPath(namespace, name),
        {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          ...(resourceVersion ? { preconditions: { resourceVersion } } : {}),
        },
      );
    },
    async listPodsOf(namespace, serviceAccount) {
      const selector = enc(`spec.serviceAccountName=${serviceAccount}`);
      const pods = await listAll(
        `listing the pods of ${namespace}/${serviceAccount}`,
        `/api/v1/namespaces/${enc(namespace)}/pods?fieldSelector=${selector}`,
      );
      return pods.map(toPod);
    },
    async listAllPods() {
      return (await listAll('listing pods in all namespaces', '/api/v1/pods')).map(toPod);
    },
    async createServiceAccount(namespace, name, metadata) {
      await run(`creating service account ${namespace}/${name}`, 'POST', saPath(namespace), {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace, ...metadata },
      });
    },
    async listWorkloads() {
      const kinds = Object.keys(WORKLOAD_PATHS) as WorkloadKind[];
      const lists = await Promise.all(
        kinds.map(async (kind) => {
          const { prefix, resource } = WORKLOAD_PATHS[kind];
          const items = await listAll(`listing ${resource}`, `${prefix}/${resource}`);
          return items.map((o) => toWorkload(kind, o as RawObject));
        }),
      );
      return lists.flat();
    },
    async patchWorkload(w, change, resourceVersion) {
      await run(
        `updating ${w.kind} ${w.namespace}/${w.name}`,
        'PATCH',
        workloadPath(w),
        workloadPatch(w.kind, change, resourceVersion),
        'application/strategic-merge-patch+json',
      );
    },
    async namespaceAnnotations() {
      const list = await run<{ items?: KubeObject[] }>(
        'listing namespaces',
        'GET',
        '/api/v1/namespaces',
      );
      return Object.fromEntries(
        (list.items ?? []).map((n) => [n.metadata?.name ?? '', { ...n.metadata?.annotations }]),
      );
    },
    async listRbacBindings() {
      const rbac = '/apis/rbac.authorization.k8s.io/v1';
      const [roleBindings, clusterRoleBindings] = await Promise.all([
        listAll('listing role bindings', `${rbac}/rolebindings`),
        listAll('listing cluster role bindings', `${rbac}/clusterrolebindings`),
      ]);
      return [
        ...roleBindings.map((o) => toRbacBinding('RoleBinding', o as RawObject)),
        ...clusterRoleBindings.map((o) => toRbacBinding('ClusterRoleBinding', o as RawObject)),
      ];
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
