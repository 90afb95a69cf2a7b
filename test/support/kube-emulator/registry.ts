// The REST semantics of the core/v1 registry for the served kinds, free of HTTP: create, get,
// list, update, patch, delete, deletecollection, with admission, validation and preconditions.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { injectWebIdentity } from './eks-webhook.js';
import { clone, jsonPatch, mergePatch, type PatchType, strategicMergePatch } from './patch.js';
import { nameCauses, RESOURCES } from './kinds.js';
import type { ResourceDef } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import {
  namespaceTerminating,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  internal,
  invalid,
  notFound,
  type Obj,
  STALE,
  StatusError,
} from './status.js';
import type { Store } from './store.js';
import {
  decodeTyped,
  parseFieldValidation,
  validateMetadataMaps,
  isObj,
  throwIfInvalid,
} from './validate.js';

export interface RegistryOptions {
  /** When set, pods get what the EKS pod identity webhook injects for IRSA. */
  eksRegion?: string;
}

export interface Outcome {
  code: number;
  body: Obj;
  warnings: string[];
}

export interface ListResult {
  items: Obj[];
  metadata: Obj;
}

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

const meta = (o: Obj): Obj => {
  if (!isObj(o.metadata)) o.metadata = {};
  return o.metadata as Obj;
};
const groupOf = (def: ResourceDef) =>
  def.apiVersion.includes('/') ? (def.apiVersion.split('/')[0] ?? '') : '';
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function dryRunOf(query: URLSearchParams, optionsKind: string): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') {
      throw invalid(
        optionsKind,
        '',
        [
          {
            reason: 'FieldValueNotSupported',
            message: `Unsupported value: "${v}": supported values: "All"`,
            field: 'dryRun',
          },
        ],
        'meta.k8s.io',
      );
    }
  }
  return values.length > 0;
}

/** The request body as an object, or a 400 like the server's decoder gives. */
export function decodeBody(raw: string, yaml: boolean): Obj {
  let value: unknown;
  try {
    value = yaml ? parseYaml(raw) : JSON.parse(raw);
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
  if (!isObj(value)) {
    throw badRequest(
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  }
  return value;
}

function checkTypeMeta(def: ResourceDef, o: Obj): void {
  if (o.apiVersion !== undefined && o.apiVersion !== def.apiVersion) {
    throw badRequest(
      `the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${def.apiVersion})`,
    );
  }
  if (o.kind !== undefined && o.kind !== def.kind) {
    throw badRequest(
      `the kind in the data (${String(o.kind)}) does not match the expected kind (${def.kind})`,
    );
  }
}

/** rest.EnsureObjectNamespaceMatchesRequestNamespace. */
function ensureNamespace(def: ResourceDef, o: Obj, namespace: string | undefined): void {
  const m = meta(o);
  if (!def.namespaced) {
    delete m.namespace;
    return;
  }
  if (m.namespace !== undefined && m.namespace !== '' && m.namespace !== namespace) {
    throw badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  m.namespace = namespace;
}

export class Registry {
  constructor(
    private readonly store: Store,
    private readonly options: RegistryOptions = {},
  ) {}

  /** A namespace plus its "default" service account, as the controllers would add it. */
  seedNamespace(name: string): void {
    const ns: Obj = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    RESOURCES.namespaces.defaults(ns);
    this.stamp(ns);
    this.store.put('namespaces', undefined, name, ns);
    this.seedDefaultServiceAccount(name);
  }

  private seedDefaultServiceAccount(namespace: string): void {
    if (this.store.get('serviceaccounts', namespace, 'default')) return;
    const sa: Obj = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace },
    };
    this.stamp(sa);
    this.store.put('serviceaccounts', namespace, 'default', sa);
  }

  private stamp(o: Obj): void {
    const m = meta(o);
    m.uid = randomUUID();
    m.creationTimestamp = timestamp();
    m.resourceVersion = this.store.nextResourceVersion();
  }

  private requireNamespace(def: ResourceDef, namespace: string | undefined): void {
    if (def.namespaced && !this.store.get('namespaces', undefined, namespace ?? '')) {
      throw notFound('namespaces', namespace ?? '');
    }
  }

  /** Deleted but held by a finalizer: it stays, Terminating, and refuses new content. */
  terminateNamespace(name: string): void {
    const ns = this.store.get('namespaces', undefined, name);
    if (!ns) throw notFound('namespaces', name);
    meta(ns).deletionTimestamp = timestamp();
    ns.status = { phase: 'Terminating' };
    meta(ns).resourceVersion = this.store.nextResourceVersion();
    this.store.put('namespaces', undefined, name, ns);
  }

  private isTerminating(namespace: string): boolean {
    const ns = this.store.get('namespaces', undefined, namespace);
    return (ns?.status as Obj | undefined)?.phase === 'Terminating';
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): Obj {
    const found = this.store.get(def.resource, namespace, name);
    if (!found) throw notFound(def.resource, name);
    return found;
  }

  list(def: ResourceDef, namespace: string | undefined, query: URLSearchParams): ListResult {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fieldLabels: Record<string, (o: Obj) => string> = {
      'metadata.name': (o) => str(meta(o).name),
      ...(def.namespaced ? { 'metadata.namespace': (o: Obj) => str(meta(o).namespace) } : {}),
      ...def.fieldLabels,
    };
    const fields = parseFieldSelector(query.get('fieldSelector'), fieldLabels);
    const resourceVersion = this.store.resourceVersion;
    let items = this.store
      .list(def.resource, namespace)
      .filter((o) => labels((meta(o).labels as Record<string, string>) ?? {}) && fields(o));
    const keyOf = (o: Obj) => `${str(meta(o).namespace)}/${str(meta(o).name)}`;
    const token = query.get('continue');
    if (token) {
      let start: string;
      try {
        start = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start: string })
          .start;
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      items = items.filter((o) => keyOf(o) > start);
    }
    const metadata: Obj = { resourceVersion };
    const limit = Number(query.get('limit') ?? 0);
    if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      const last = items[items.length - 1] as Obj;
      metadata.continue = Buffer.from(
        JSON.stringify({ v: 'meta.k8s.io/v1', rv: resourceVersion, start: keyOf(last) }),
      ).toString('base64url');
      metadata.remainingItemCount = remaining;
    }
    for (const item of items) {
      delete item.kind;
      delete item.apiVersion;
    }
    return { items, metadata };
  }

  create(
    def: ResourceDef,
    namespace: string | undefined,
    body: Obj,
    query: URLSearchParams,
  ): Outcome {
    const dryRun = dryRunOf(query, 'CreateOptions');
    const mode = parseFieldValidation(query.get('fieldValidation'));
    checkTypeMeta(def, body);
    const warnings = decodeTyped(body, def.kind, def.fields, mode);
    ensureNamespace(def, body, namespace);
    const m = meta(body);
    if (!str(m.name) && str(m.generateName)) {
      let suffix = '';
      for (let i = 0; i < 5; i += 1)
        suffix += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
      m.name = `${str(m.generateName)}${suffix}`;
    }
    this.requireNamespace(def, namespace);
    if (def.namespaced && this.isTerminating(namespace ?? '')) {
      throw namespaceTerminating(def.resource, str(m.name), namespace ?? '');
    }
    body.apiVersion = def.apiVersion;
    body.kind = def.kind;
    delete m.managedFields;
    def.defaults(body);
    if (def.resource === 'pods') this.admitPod(body, namespace ?? '');
    const name = str(m.name);
    throwIfInvalid(
      def.kind,
      name,
      [...nameCauses(def, body), ...validateMetadataMaps(m), ...def.validate(body)],
      groupOf(def),
    );
    if (this.store.get(def.resource, namespace, name)) throw alreadyExists(def.resource, name);
    if (str(m.resourceVersion))
      throw internal('resourceVersion should not be set on objects to be created');
    m.uid = randomUUID();
    m.creationTimestamp = timestamp();
    delete m.deletionTimestamp;
    delete m.generation;
    // Kinds with a spec the controllers act on start at generation 1.
    if (def.apiVersion === 'apps/v1' || def.apiVersion === 'batch/v1') m.generation = 1;
    if (!dryRun) {
      m.resourceVersion = this.store.nextResourceVersion();
      this.store.put(def.resource, namespace, name, body);
      if (def.resource === 'namespaces') this.seedDefaultServiceAccount(name);
    }
    return { code: 201, body, warnings };
  }

  /** ServiceAccount admission (the account must exist) and, on EKS, the IRSA webhook. */
  private admitPod(pod: Obj, namespace: string): void {
    const spec = pod.spec as Obj;
    const saName = str(spec.serviceAccountName) || 'default';
    const sa = this.store.get('serviceaccounts', namespace, saName);
    if (!sa) {
      throw forbidden(
        'pods',
        str(meta(pod).name),
        `error looking up service account ${namespace}/${saName}: serviceaccount "${saName}" not found`,
      );
    }
    if (this.options.eksRegion) injectWebIdentity(pod, sa, this.options.eksRegion);
  }

  update(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    body: Obj,
    query: URLSearchParams,
  ): Outcome {
    const dryRun = dryRunOf(query, 'UpdateOptions');
    const mode = parseFieldValidation(query.get('fieldValidation'));
    checkTypeMeta(def, body);
    const warnings = decodeTyped(body, def.kind, def.fields, mode);
    ensureNamespace(def, body, namespace);
    const old = this.store.get(def.resource, namespace, name);
    if (!old) throw notFound(def.resource, name);
    return { ...this.commitUpdate(def, namespace, name, body, old, dryRun), warnings };
  }

  patch(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    raw: string,
    query: URLSearchParams,
  ): Outcome {
    const dryRun = dryRunOf(query, 'PatchOptions');
    const mode = parseFieldValidation(query.get('fieldValidation'));
    const isApply = type === 'application/apply-patch+yaml';
    const patchOptionsInvalid = (field: string, reason: string, message: string) =>
      invalid('PatchOptions', '', [{ reason, message, field }], 'meta.k8s.io');
    if (isApply && !query.get('fieldManager')) {
      throw patchOptionsInvalid(
        'fieldManager',
        'FieldValueRequired',
        'Required value: is required for apply patch',
      );
    }
    if (!isApply && query.has('force')) {
      throw patchOptionsInvalid(
        'force',
        'FieldValueForbidden',
        'Forbidden: may not be specified for non-apply patch',
      );
    }
    const old = this.store.get(def.resource, namespace, name);
    let next: unknown;
    if (isApply) {
      const applied = decodeBody(raw, true);
      if (!applied.apiVersion || !applied.kind) {
        throw badRequest(`Object 'Kind' is missing in '${raw.trim().slice(0, 200)}'`);
      }
      checkTypeMeta(def, applied);
      const appliedName = str(meta(applied).name);
      if (appliedName !== name) {
        throw badRequest(
          `the name of the object (${appliedName}) does not match the name on the URL (${name})`,
        );
      }
      if (!old) {
        const created = this.create(def, namespace, applied, query);
        return created;
      }
      next = mergePatch(old, applied);
    } else {
      if (!old) throw notFound(def.resource, name);
      let patch: unknown;
      try {
        patch = JSON.parse(raw);
      } catch (error) {
        throw badRequest(`error decoding patch: ${(error as Error).message}`);
      }
      if (type === 'application/json-patch+json') next = jsonPatch(old, patch);
      else if (!isObj(patch))
        throw badRequest('error decoding patch: the patch is not a JSON object');
      else if (type === 'application/merge-patch+json') next = mergePatch(old, patch);
      else next = strategicMergePatch(old, patch);
    }
    if (!isObj(next)) throw badRequest('the patched object is not a JSON object');
    checkTypeMeta(def, next);
    const warnings = decodeTyped(next, def.kind, def.fields, mode);
    ensureNamespace(def, next, namespace);
    return { ...this.commitUpdate(def, namespace, name, next, old as Obj, dryRun), warnings };
  }

  private commitUpdate(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    next: Obj,
    old: Obj,
    dryRun: boolean,
  ): Omit<Outcome, 'warnings'> {
    const m = meta(next);
    const oldMeta = meta(old);
    if (str(m.name) !== name) {
      throw badRequest(
        `the name of the object (${str(m.name)}) does not match the name on the URL (${name})`,
      );
    }
    if (str(m.resourceVersion) && m.resourceVersion !== oldMeta.resourceVersion) {
      throw conflict(def.resource, name, STALE);
    }
    if (str(m.uid) && m.uid !== oldMeta.uid) {
      throw conflict(
        def.resource,
        name,
        `Precondition failed: UID in precondition: ${str(m.uid)}, UID in object meta: ${str(oldMeta.uid)}`,
      );
    }
    next.apiVersion = def.apiVersion;
    next.kind = def.kind;
    m.uid = oldMeta.uid;
    m.creationTimestamp = oldMeta.creationTimestamp;
    m.resourceVersion = oldMeta.resourceVersion;
    delete m.managedFields;
    delete m.generateName;
    if (oldMeta.generateName) m.generateName = oldMeta.generateName;
    if (oldMeta.deletionTimestamp) m.deletionTimestamp = oldMeta.deletionTimestamp;
    else delete m.deletionTimestamp;
    def.keepOnUpdate(next, old);
    throwIfInvalid(
      def.kind,
      name,
      [...validateMetadataMaps(m), ...def.validate(next, old)],
      groupOf(def),
    );
    if (isDeepStrictEqual(next, old)) return { code: 200, body: old };
    if (!dryRun) {
      m.resourceVersion = this.store.nextResourceVersion();
      this.store.put(def.resource, namespace, name, next);
    }
    return { code: 200, body: next };
  }

  delete(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    options: Obj,
    query: URLSearchParams,
  ): Outcome {
    const bodyDryRun = Array.isArray(options.dryRun) && options.dryRun.includes('All');
    const dryRun = dryRunOf(query, 'DeleteOptions') || bodyDryRun;
    const old = this.store.get(def.resource, namespace, name);
    if (!old) throw notFound(def.resource, name);
    const oldMeta = meta(old);
    const pre = isObj(options.preconditions) ? options.preconditions : {};
    if (str(pre.uid) && pre.uid !== oldMeta.uid) {
      throw conflict(
        def.resource,
        name,
        `Precondition failed: UID in precondition: ${str(pre.uid)}, UID in object meta: ${str(oldMeta.uid)}`,
      );
    }
    if (str(pre.resourceVersion) && pre.resourceVersion !== oldMeta.resourceVersion) {
      throw conflict(
        def.resource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${str(pre.resourceVersion)}, ResourceVersion in object meta: ${str(oldMeta.resourceVersion)}`,
      );
    }
    if (def.resource === 'namespaces' && PROTECTED_NAMESPACES.has(name)) {
      throw forbidden('namespaces', name, 'this namespace may not be deleted');
    }
    const gone = clone(old);
    if (def.resource !== 'serviceaccounts') meta(gone).deletionTimestamp = timestamp();
    if (def.resource === 'namespaces') gone.status = { phase: 'Terminating' };
    if (def.resource === 'pods')
      meta(gone).deletionGracePeriodSeconds = Number(
        (old.spec as Obj).terminationGracePeriodSeconds ?? 30,
      );
    if (dryRun) return { code: 200, body: gone, warnings: [] };
    meta(gone).resourceVersion = this.store.nextResourceVersion();
    this.store.delete(def.resource, namespace, name);
    if (def.resource === 'namespaces') {
      for (const d of Object.values(RESOURCES).filter((r) => r.namespaced)) {
        for (const o of this.store.list(d.resource, name))
          this.store.delete(d.resource, name, str(meta(o).name));
      }
    }
    return { code: 200, body: gone, warnings: [] };
  }

  deleteCollection(
    def: ResourceDef,
    namespace: string | undefined,
    options: Obj,
    query: URLSearchParams,
  ): Obj {
    if (!def.namespaced)
      throw new StatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
        {},
      );
    const { items } = this.list(def, namespace, query);
    const deleted = items.map(
      (o) => this.delete(def, str(meta(o).namespace), str(meta(o).name), options, query).body,
    );
    for (const item of deleted) {
      delete item.kind;
      delete item.apiVersion;
    }
    return {
      kind: `${def.kind}List`,
      apiVersion: def.apiVersion,
      metadata: { resourceVersion: this.store.resourceVersion },
      items: deleted,
    };
  }
}
