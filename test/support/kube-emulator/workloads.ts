// The workload kinds (apps/v1, batch/v1) and RBAC bindings (rbac.authorization.k8s.io/v1) the
// emulator serves, with what the real registries do that clients notice: pod template defaulting
// and validation, metadata.generation bumped on spec changes, the immutable fields (a Job's pod
// template, a selector, a binding's roleRef), and the columns `kubectl get` prints. No controller
// runs: pods of a workload exist only when a test makes them.
import { isDeepStrictEqual } from 'node:util';
import { clone } from './patch.js';
import {
  AGE,
  col,
  defaultPodSpec,
  list,
  meta,
  NAME,
  obj,
  podSpecCauses,
  type ResourceDef,
} from './resources.js';
import type { Resource } from './store.js';
import type { Obj, StatusCause } from './status.js';
import { invalidValue, required } from './validate.js';

const FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'] as const;

const immutable = (field: string, value: unknown): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: field is immutable`,
  field,
});

/** Where the pod template sits: spec.template, or spec.jobTemplate.spec.template for CronJobs. */
const templatePath = (resource: Resource) =>
  resource === 'cronjobs' ? ['jobTemplate', 'spec', 'template'] : ['template'];

function templateOf(resource: Resource, o: Obj): Obj {
  let node = obj(o.spec);
  for (const key of templatePath(resource)) node = obj(node[key]);
  return node;
}

/** Go's omitempty: a map emptied by a patch is not served at all. */
function dropEmptyMaps(metadata: Obj): void {
  for (const k of ['annotations', 'labels']) {
    if (Object.keys(obj(metadata[k])).length === 0) delete metadata[k];
  }
}

function selectorMatches(selector: Obj, labels: Obj): boolean {
  const wanted = obj(selector.matchLabels);
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

interface WorkloadShape {
  resource: Resource;
  kind: string;
  apiVersion: string;
  shortNames: string[];
  /** Spec defaults beyond the pod template's. */
  specDefaults(spec: Obj): void;
  /** Whether spec.selector is required and must match the template's labels. */
  selector: boolean;
  status: () => Obj;
  extraCauses?(o: Obj, old?: Obj): StatusCause[];
  columns: ResourceDef['columns'];
  cells(o: Obj, age: string): unknown[];
}

function workload(w: WorkloadShape): ResourceDef {
  return {
    resource: w.resource,
    apiVersion: w.apiVersion,
    singular: w.kind.toLowerCase(),
    kind: w.kind,
    namespaced: true,
    shortNames: w.shortNames,
    nameRule: 'subdomain',
    fields: FIELDS,
    fieldLabels: {},
    defaults(o) {
      const spec = obj(o.spec);
      o.spec = spec;
      w.specDefaults(spec);
      const template = templateOf(w.resource, o);
      const podSpec = obj(template.spec);
      // Like the real defaulter: Always, which a Job's validation then refuses unless set.
      defaultPodSpec(podSpec);
      o.status = w.status();
    },
    keepOnUpdate(next, old) {
      next.status = clone(old.status);
      const spec = obj(next.spec);
      next.spec = spec;
      const template = templateOf(w.resource, next);
      defaultPodSpec(obj(template.spec));
      dropEmptyMaps(obj(template.metadata));
      const generation = Number(meta(old).generation ?? 1);
      meta(next).generation = isDeepStrictEqual(next.spec, old.spec) ? generation : generation + 1;
    },
    validate(o, old) {
      const spec = obj(o.spec);
      const at = `spec.${templatePath(w.resource).join('.')}`;
      const template = templateOf(w.resource, o);
      const causes = podSpecCauses(obj(template.spec), `${at}.spec`);
      if (w.selector) {
        const selector = obj(spec.selector);
        if (!Object.keys(selector).length) causes.push(required('spec.selector', ''));
        else if (!selectorMatches(selector, obj(obj(template.metadata).labels))) {
          causes.push(
            invalidValue(`${at}.metadata.labels`, obj(template.metadata).labels ?? {}, [
              '`selector` does not match template `labels`',
            ]),
          );
        }
        if (old && !isDeepStrictEqual(spec.selector, obj(old.spec).selector)) {
          causes.push(immutable('spec.selector', spec.selector));
        }
      }
      causes.push(...(w.extraCauses?.(o, old) ?? []));
      return causes;
    },
    columns: w.columns,
    cells: w.cells,
  };
}

const replicasColumns = [
  NAME,
  col('Ready', 'string', 'Number of the pod with ready state'),
  col(
    'Up-to-date',
    'string',
    'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
  ),
  col(
    'Available',
    'string',
    'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
  ),
  AGE,
];
const readyCells = (o: Obj, age: string) => {
  const s = obj(o.status);
  return [
    meta(o).name,
    `${Number(s.readyReplicas ?? 0)}/${Number(obj(o.spec).replicas ?? 0)}`,
    Number(s.updatedReplicas ?? 0),
    Number(s.availableReplicas ?? 0),
    age,
  ];
};

const rollingUpdate = {
  type: 'RollingUpdate',
  rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
};

export const deployments = workload({
  resource: 'deployments',
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  shortNames: ['deploy'],
  selector: true,
  specDefaults(spec) {
    spec.replicas ??= 1;
    spec.strategy ??= clone(rollingUpdate);
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
  },
  status: () => ({}),
  columns: replicasColumns,
  cells: readyCells,
});

export const statefulsets = workload({
  resource: 'statefulsets',
  kind: 'StatefulSet',
  apiVersion: 'apps/v1',
  shortNames: ['sts'],
  selector: true,
  specDefaults(spec) {
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    spec.revisionHistoryLimit ??= 10;
  },
  status: () => ({ replicas: 0, availableReplicas: 0 }),
  columns: [NAME, col('Ready', 'string', 'Number of the pod with ready state'), AGE],
  cells: (o, age) => [
    meta(o).name,
    `${Number(obj(o.status).readyReplicas ?? 0)}/${Number(obj(o.spec).replicas ?? 0)}`,
    age,
  ],
});

export const daemonsets = workload({
  resource: 'daemonsets',
  kind: 'DaemonSet',
  apiVersion: 'apps/v1',
  shortNames: ['ds'],
  selector: true,
  specDefaults(spec) {
    spec.updateStrategy ??= {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    };
    spec.revisionHistoryLimit ??= 10;
  },
  status: () => ({
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  }),
  columns: [
    NAME,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes running at least one daemon pod.'),
    col(
      'Ready',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
    ),
    AGE,
  ],
  cells: (o, age) => {
    const s = obj(o.status);
    return [
      meta(o).name,
      s.desiredNumberScheduled ?? 0,
      s.currentNumberScheduled ?? 0,
      s.numberReady ?? 0,
      age,
    ];
  },
});

export const replicasets = workload({
  resource: 'replicasets',
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  shortNames: ['rs'],
  selector: true,
  specDefaults(spec) {
    spec.replicas ??= 1;
  },
  status: () => ({ replicas: 0 }),
  columns: [NAME, col('Desired', 'integer', 'Replicas is the number of desired replicas.'), AGE],
  cells: (o, age) => [meta(o).name, obj(o.spec).replicas ?? 0, age],
});

export const jobs = workload({
  resource: 'jobs',
  kind: 'Job',
  apiVersion: 'batch/v1',
  shortNames: [],
  selector: false,
  specDefaults(spec) {
    spec.parallelism ??= 1;
    spec.completions ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
  },
  status: () => ({}),
  extraCauses(o, old) {
    const causes: StatusCause[] = [];
    const policy = obj(templateOf('jobs', o).spec).restartPolicy;
    if (policy !== 'Never' && policy !== 'OnFailure') {
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: "${String(policy)}": supported values: "OnFailure", "Never"`,
        field: 'spec.template.spec.restartPolicy',
      });
    }
    // A Job's pod template cannot change once it exists (batch/v1 validation).
    if (old && !isDeepStrictEqual(obj(o.spec).template, obj(old.spec).template)) {
      causes.push(immutable('spec.template', obj(o.spec).template));
    }
    return causes;
  },
  columns: [
    NAME,
    col('Status', 'string', 'Status of the job.'),
    col(
      'Completions',
      'string',
      'The desired number of successfully finished pods the job should be run with.',
    ),
    AGE,
  ],
  cells: (o, age) => [meta(o).name, 'Running', `0/${Number(obj(o.spec).completions ?? 1)}`, age],
});

export const cronjobs = workload({
  resource: 'cronjobs',
  kind: 'CronJob',
  apiVersion: 'batch/v1',
  shortNames: ['cj'],
  selector: false,
  specDefaults(spec) {
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
  },
  status: () => ({}),
  extraCauses(o) {
    return typeof obj(o.spec).schedule === 'string' && obj(o.spec).schedule
      ? []
      : [required('spec.schedule', '')];
  },
  columns: [
    NAME,
    col('Schedule', 'string', 'The schedule in Cron format.'),
    col('Suspend', 'boolean', 'Whether the cron job is suspended.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    AGE,
  ],
  // printBoolPtr: the server prints True/False.
  cells: (o, age) => [
    meta(o).name,
    obj(o.spec).schedule,
    obj(o.spec).suspend === true ? 'True' : 'False',
    0,
    age,
  ],
});

function binding(resource: Resource, kind: string, namespaced: boolean): ResourceDef {
  return {
    resource,
    apiVersion: 'rbac.authorization.k8s.io/v1',
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    shortNames: [],
    nameRule: 'subdomain',
    fields: ['apiVersion', 'kind', 'metadata', 'subjects', 'roleRef'],
    fieldLabels: {},
    defaults(o) {
      // rbac SetDefaults_Subject: users and groups get the RBAC group; service accounts none.
      for (const s of list(o.subjects)) {
        if (s.kind === 'User' || s.kind === 'Group') s.apiGroup ??= 'rbac.authorization.k8s.io';
      }
    },
    keepOnUpdate: () => undefined,
    validate(o, old) {
      const causes: StatusCause[] = [];
      const ref = obj(o.roleRef);
      if (!ref.name) causes.push(required('roleRef.name', ''));
      if (ref.kind !== 'Role' && ref.kind !== 'ClusterRole') {
        causes.push({
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: "${String(ref.kind ?? '')}": supported values: "Role", "ClusterRole"`,
          field: 'roleRef.kind',
        });
      }
      if (old && !isDeepStrictEqual(o.roleRef, old.roleRef)) {
        causes.push(immutable('roleRef', o.roleRef));
      }
      list(o.subjects).forEach((s, i) => {
        if (!s.name) causes.push(required(`subjects[${i}].name`, ''));
        if (s.kind === 'ServiceAccount' && namespaced === false && !s.namespace) {
          causes.push(required(`subjects[${i}].namespace`, ''));
        }
      });
      return causes;
    },
    columns: [NAME, col('Role', 'string', 'The role the binding grants.'), AGE],
    cells: (o, age) => [
      meta(o).name,
      `${String(obj(o.roleRef).kind)}/${String(obj(o.roleRef).name)}`,
      age,
    ],
  };
}

export const rolebindings = binding('rolebindings', 'RoleBinding', true);
export const clusterrolebindings = binding('clusterrolebindings', 'ClusterRoleBinding', false);
