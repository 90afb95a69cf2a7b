// Every kind the emulator serves, by resource name, and the group/versions they make up.
import { namespaces, pods, type ResourceDef, serviceaccounts } from './resources.js';
import type { Resource } from './store.js';
import type { Obj } from './status.js';
import { validateName } from './validate.js';
import {
  clusterrolebindings,
  cronjobs,
  daemonsets,
  deployments,
  jobs,
  replicasets,
  rolebindings,
  statefulsets,
} from './workloads.js';

export const RESOURCES: Record<Resource, ResourceDef> = {
  namespaces,
  serviceaccounts,
  pods,
  deployments,
  statefulsets,
  daemonsets,
  replicasets,
  jobs,
  cronjobs,
  rolebindings,
  clusterrolebindings,
};

/** The group/versions beyond core v1, in discovery order. */
export const GROUP_VERSIONS = ['apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1'];

/** The kind a path names: its resource under this group/version ('v1' for /api/v1). */
export const resourceDef = (name: string, apiVersion = 'v1'): ResourceDef | undefined =>
  Object.hasOwn(RESOURCES, name) && RESOURCES[name as Resource].apiVersion === apiVersion
    ? RESOURCES[name as Resource]
    : undefined;

export const defsOf = (apiVersion: string): ResourceDef[] =>
  Object.values(RESOURCES).filter((d) => d.apiVersion === apiVersion);

export const nameCauses = (def: ResourceDef, o: Obj) =>
  validateName(def.nameRule, (o.metadata ?? {}) as Obj);
