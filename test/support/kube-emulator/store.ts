// In-memory object storage with one global, increasing resourceVersion, like etcd's revision.
import { clone } from './patch.js';
import type { Obj } from './status.js';

export type Resource =
  | 'namespaces'
  | 'serviceaccounts'
  | 'pods'
  | 'deployments'
  | 'statefulsets'
  | 'daemonsets'
  | 'replicasets'
  | 'jobs'
  | 'cronjobs'
  | 'rolebindings'
  | 'clusterrolebindings';

const keyOf = (resource: Resource, namespace: string | undefined, name: string) =>
  `${resource}/${namespace ?? ''}/${name}`;

export class Store {
  private revision = 0;
  private readonly objects = new Map<string, Obj>();

  /** The current revision, as lists report it. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Takes the next revision; every write gets its own. */
  nextResourceVersion(): string {
    this.revision += 1;
    return String(this.revision);
  }

  get(resource: Resource, namespace: string | undefined, name: string): Obj | undefined {
    const found = this.objects.get(keyOf(resource, namespace, name));
    return found ? clone(found) : undefined;
  }

  /** Copies, sorted by namespace then name, as etcd's key order gives them. */
  list(resource: Resource, namespace?: string): Obj[] {
    const prefix = namespace === undefined ? `${resource}/` : `${resource}/${namespace}/`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => clone(v));
  }

  put(resource: Resource, namespace: string | undefined, name: string, obj: Obj): void {
    this.objects.set(keyOf(resource, namespace, name), clone(obj));
  }

  delete(resource: Resource, namespace: string | undefined, name: string): boolean {
    return this.objects.delete(keyOf(resource, namespace, name));
  }

  clear(): void {
    this.objects.clear();
  }
}
