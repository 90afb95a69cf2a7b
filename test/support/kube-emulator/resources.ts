// The core/v1 kinds the emulator serves: discovery facts, defaulting, update rules, validation and
// the printer columns `kubectl get` shows, each as the real core/v1 registry has them (the other
// groups are in workloads.ts, all of them in kinds.ts).
import { isDeepStrictEqual } from 'node:util';
import { clone } from './patch.js';
import type { Resource } from './store.js';
import type { Obj, StatusCause } from './status.js';
import { dnsLabelErrors, invalidValue, isObj, required } from './validate.js';

export interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface ResourceDef {
  resource: Resource;
  /** The group/version objects carry ('v1' for the core group). */
  apiVersion: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  nameRule: 'label' | 'subdomain';
  /** Top-level fields of the Go type; anything else is an unknown field. */
  fields: readonly string[];
  /** Field selectors beyond metadata.name / metadata.namespace. */
  fieldLabels: Record<string, (o: Obj) => string>;
  defaults(obj: Obj): void;
  /** What an update may not change, copied from the stored object (status, immutable spec). */
  keepOnUpdate(next: Obj, old: Obj): void;
  validate(obj: Obj, old?: Obj): StatusCause[];
  columns: Column[];
  cells(obj: Obj, age: string): unknown[];
}

export const col = (
  name: string,
  type: string,
  description: string,
  priority = 0,
  format = '',
): Column => ({
  name,
  type,
  format,
  description,
  priority,
});
export const NAME = col(
  'Name',
  'string',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  0,
  'name',
);
export const AGE = col(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
);

export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
export const meta = (o: Obj): Obj => obj(o.metadata);
const NS_LABEL = 'kubernetes.io/metadata.name';

export const namespaces: ResourceDef = {
  resource: 'namespaces',
  apiVersion: 'v1',
  singular: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  nameRule: 'label',
  fields: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  fieldLabels: { 'status.phase': (o) => String(obj(o.status).phase ?? '') },
  defaults(o) {
    o.spec = { finalizers: ['kubernetes'] };
    o.status = { phase: 'Active' };
    const m = meta(o);
    m.labels = { ...obj(m.labels), [NS_LABEL]: String(m.name) };
  },
  keepOnUpdate(next, old) {
    next.spec = clone(old.spec);
    next.status = clone(old.status);
    const m = meta(next);
    m.labels = { ...obj(m.labels), [NS_LABEL]: String(m.name) };
  },
  validate: () => [],
  columns: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
  cells: (o, age) => [meta(o).name, obj(o.status).phase ?? '', age],
};

export const serviceaccounts: ResourceDef = {
  resource: 'serviceaccounts',
  apiVersion: 'v1',
  singular: 'serviceaccount',
  kind: 'ServiceAccount',
  namespaced: true,
  shortNames: ['sa'],
  nameRule: 'subdomain',
  fields: [
    'apiVersion',
    'kind',
    'metadata',
    'secrets',
    'imagePullSecrets',
    'automountServiceAccountToken',
  ],
  fieldLabels: {},
  defaults: () => undefined,
  keepOnUpdate: () => undefined,
  validate(o) {
    const causes: StatusCause[] = [];
    list(o.imagePullSecrets).forEach((s, i) => {
      if (!s.name) causes.push(required(`imagePullSecrets[${i}].name`, ''));
    });
    return causes;
  },
  columns: [
    NAME,
    col(
      'Secrets',
      'integer',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
    ),
    AGE,
  ],
  cells: (o, age) => [meta(o).name, list(o.secrets).length, age],
};

const POD_FIELDS_MUTABLE = [
  'activeDeadlineSeconds',
  'tolerations',
  'terminationGracePeriodSeconds',
];

export function defaultContainer(c: Obj): void {
  const image = String(c.image ?? '');
  const tag = image.includes('@') ? 'digest' : /:[^/]+$/.test(image) ? image.split(':').pop() : '';
  c.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of list(c.ports)) p.protocol ??= 'TCP';
}

/** What the API server defaults in every pod spec (a pod's, or a workload's template). */
export function defaultPodSpec(spec: Obj): void {
  list(spec.containers).forEach(defaultContainer);
  list(spec.initContainers).forEach(defaultContainer);
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
}

/** The containers of a pod spec: at least one, each named (unique DNS label) with an image. */
export function podSpecCauses(spec: Obj, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = list(spec.containers);
  if (!Array.isArray(spec.containers) || containers.length === 0) {
    causes.push(required(`${at}.containers`, ''));
  }
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const field = `${at}.containers[${i}]`;
    if (typeof c.name !== 'string' || !c.name) causes.push(required(`${field}.name`, ''));
    else {
      const errs = dnsLabelErrors(c.name);
      if (errs.length) causes.push(invalidValue(`${field}.name`, c.name, errs));
      if (seen.has(c.name)) {
        causes.push({
          reason: 'FieldValueDuplicate',
          message: `Duplicate value: "${c.name}"`,
          field: `${field}.name`,
        });
      }
      seen.add(c.name);
    }
    if (typeof c.image !== 'string' || !c.image.trim()) causes.push(required(`${field}.image`, ''));
  });
  return causes;
}

export const pods: ResourceDef = {
  resource: 'pods',
  apiVersion: 'v1',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  nameRule: 'subdomain',
  fields: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  fieldLabels: {
    'spec.nodeName': (o) => String(obj(o.spec).nodeName ?? ''),
    'spec.serviceAccountName': (o) => String(obj(o.spec).serviceAccountName ?? ''),
    'status.phase': (o) => String(obj(o.status).phase ?? ''),
  },
  defaults(o) {
    const spec = obj(o.spec);
    o.spec = spec;
    defaultPodSpec(spec);
    spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
    spec.serviceAccount = spec.serviceAccountName;
    spec.enableServiceLinks ??= true;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
    spec.priority ??= 0;
    o.status = { phase: 'Pending', qosClass: 'BestEffort' };
  },
  keepOnUpdate(next, old) {
    next.status = clone(old.status);
  },
  validate(o, old) {
    const spec = obj(o.spec);
    const causes = podSpecCauses(spec, 'spec');
    if (old) {
      // Only images and a few scheduling fields of a pod spec may change after creation.
      const strip = (s: Obj) => {
        const c = clone(s);
        for (const k of POD_FIELDS_MUTABLE) delete c[k];
        for (const container of [...list(c.containers), ...list(c.initContainers)])
          delete container.image;
        return c;
      };
      if (!isDeepStrictEqual(strip(spec), strip(obj(old.spec)))) {
        causes.push({
          reason: 'FieldValueForbidden',
          message:
            'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          field: 'spec',
        });
      }
    }
    return causes;
  },
  columns: [
    NAME,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE,
    col(
      'IP',
      'string',
      'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      1,
    ),
    col(
      'Node',
      'string',
      'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.',
      1,
    ),
    col(
      'Nominated Node',
      'string',
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
      1,
    ),
    col(
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness.',
      1,
    ),
  ],
  cells(o, age) {
    const status = obj(o.status);
    const statuses = list(status.containerStatuses);
    const ready = statuses.filter((s) => s.ready === true).length;
    const restarts = statuses.reduce((n, s) => n + Number(s.restartCount ?? 0), 0);
    const total = list(obj(o.spec).containers).length;
    return [
      meta(o).name,
      `${ready}/${total}`,
      status.reason ?? status.phase ?? '',
      String(restarts),
      age,
      status.podIP ?? '<none>',
      obj(o.spec).nodeName ?? '<none>',
      status.nominatedNodeName ?? '<none>',
      '<none>',
    ];
  },
};
