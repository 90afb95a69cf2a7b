// The workload side of the Kubernetes adapter: every object that makes pods (apps/v1, batch/v1,
// bare Pods) with its pod template's annotations and service account, a strategic merge patch of
// that template (what `kubectl patch` sends), namespace annotations, and the RBAC bindings that
// name service accounts.

export type WorkloadKind =
  'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob' | 'Pod';

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export interface Workload extends WorkloadRef {
  /** The object's own annotations (not its pods'). */
  annotations: Record<string, string>;
  /** The pod template's annotations (a Pod's own). */
  templateAnnotations: Record<string, string>;
  /** The pod template's service account ('default' when unset). */
  serviceAccountName: string;
  /** ownerReferences: a Deployment's ReplicaSets, a CronJob's Jobs, a controller's Pods. */
  owners: { kind: string; name: string }[];
  resourceVersion?: string;
}

export interface WorkloadChange {
  /** The object's own annotations (merge: null removes). */
  annotations?: Record<string, string | null>;
  /** The pod template's annotations (merge: null removes). */
  templateAnnotations?: Record<string, string | null>;
  /** The pod template's service account (null: back to unset, i.e. 'default'). */
  serviceAccountName?: string | null;
}

export interface RbacBinding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  /** Unset for a ClusterRoleBinding. */
  namespace?: string;
  name: string;
  /** `ClusterRole/view`. */
  roleRef: string;
  subjects: { kind: string; name: string; namespace?: string }[];
}

export interface WorkloadGateway {
  /** Every workload of the cluster, bare and owned Pods included. */
  listWorkloads(): Promise<Workload[]>;
  /** Strategic-merge-patches the object and its pod template; refused if it changed since. */
  patchWorkload(w: WorkloadRef, change: WorkloadChange, resourceVersion?: string): Promise<void>;
  /** Each namespace's annotations, by name. */
  namespaceAnnotations(): Promise<Record<string, Record<string, string>>>;
  /** Every RoleBinding and ClusterRoleBinding. */
  listRbacBindings(): Promise<RbacBinding[]>;
}

interface Meta {
  name?: string;
  namespace?: string;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  ownerReferences?: { kind?: string; name?: string }[];
}
interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
}
interface Template {
  metadata?: Meta;
  spec?: PodSpec;
}
export interface RawObject {
  metadata?: Meta;
  spec?: PodSpec & {
    template?: Template;
    jobTemplate?: { spec?: { template?: Template } };
  };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
  roleRef?: { kind?: string; name?: string };
}

/** Where each kind lives in the API. */
export const WORKLOAD_PATHS: Record<WorkloadKind, { prefix: string; resource: string }> = {
  Deployment: { prefix: '/apis/apps/v1', resource: 'deployments' },
  StatefulSet: { prefix: '/apis/apps/v1', resource: 'statefulsets' },
  DaemonSet: { prefix: '/apis/apps/v1', resource: 'daemonsets' },
  ReplicaSet: { prefix: '/apis/apps/v1', resource: 'replicasets' },
  Job: { prefix: '/apis/batch/v1', resource: 'jobs' },
  CronJob: { prefix: '/apis/batch/v1', resource: 'cronjobs' },
  Pod: { prefix: '/api/v1', resource: 'pods' },
};

const enc = encodeURIComponent;
export const workloadPath = (w: WorkloadRef) => {
  const p = WORKLOAD_PATHS[w.kind];
  return `${p.prefix}/namespaces/${enc(w.namespace)}/${p.resource}/${enc(w.name)}`;
};

const templateOf = (kind: WorkloadKind, o: RawObject): Template | undefined =>
  kind === 'Pod'
    ? { metadata: o.metadata ?? {}, spec: o.spec ?? {} }
    : kind === 'CronJob'
      ? o.spec?.jobTemplate?.spec?.template
      : o.spec?.template;

export function toWorkload(kind: WorkloadKind, o: RawObject): Workload {
  const t = templateOf(kind, o);
  return {
    kind,
    namespace: o.metadata?.namespace ?? '',
    name: o.metadata?.name ?? '',
    annotations: { ...(o.metadata?.annotations ?? {}) },
    templateAnnotations: { ...(t?.metadata?.annotations ?? {}) },
    serviceAccountName: t?.spec?.serviceAccountName || t?.spec?.serviceAccount || 'default',
    owners: (o.metadata?.ownerReferences ?? []).map((r) => ({
      kind: r.kind ?? '',
      name: r.name ?? '',
    })),
    ...(o.metadata?.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}),
  };
}

/** The strategic merge patch of a change: the template sits under jobTemplate for CronJobs. */
export function workloadPatch(
  kind: WorkloadKind,
  change: WorkloadChange,
  resourceVersion?: string,
): Record<string, unknown> {
  const template: Record<string, unknown> = {};
  if (change.templateAnnotations) template.metadata = { annotations: change.templateAnnotations };
  if (change.serviceAccountName !== undefined) {
    template.spec = { serviceAccountName: change.serviceAccountName };
  }
  const metadata = {
    ...(change.annotations ? { annotations: change.annotations } : {}),
    ...(resourceVersion ? { resourceVersion } : {}),
  };
  const spec = kind === 'CronJob' ? { jobTemplate: { spec: { template } } } : { template };
  return {
    ...(Object.keys(metadata).length ? { metadata } : {}),
    ...(Object.keys(template).length ? { spec } : {}),
  };
}

export function toRbacBinding(kind: RbacBinding['kind'], o: RawObject): RbacBinding {
  return {
    kind,
    ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata?.name ?? '',
    roleRef: `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}`,
    subjects: (o.subjects ?? []).map((s) => ({
      kind: s.kind ?? '',
      name: s.name ?? '',
      ...(s.namespace ? { namespace: s.namespace } : {}),
    })),
  };
}
