// The four PATCH flavours: JSON merge patch (RFC 7386), strategic merge patch (merge patch plus
// merge keys and $-directives for the lists these kinds have), JSON patch (RFC 6902), and the
// body of a server-side apply (merged like a merge patch; no field ownership).
import { isDeepStrictEqual } from 'node:util';
import { badRequest, StatusError, type Obj } from './status.js';
import { isObj } from './validate.js';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export const clone = <T>(v: T): T => structuredClone(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** patchMergeKey of the lists that carry one in core/v1 (Pod, ServiceAccount, ObjectMeta). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  secrets: 'name',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};
/** Lists of scalars with patchStrategy merge: union rather than replace. */
const MERGE_SCALAR_LISTS = new Set(['finalizers']);

export function strategicMergePatch(target: unknown, patch: unknown, path = ''): unknown {
  if (!isObj(patch)) return clone(patch);
  const directive = patch.$patch;
  const body = Object.fromEntries(Object.entries(patch).filter(([k]) => !k.startsWith('$')));
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return clone(body);
  if (directive !== undefined && directive !== 'merge') {
    throw badRequest(`Unknown patch type: ${String(directive)}`);
  }
  const out: Obj = isObj(target) ? { ...target } : {};
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    const prefix = '$deleteFromPrimitiveList/';
    if (k.startsWith(prefix) && Array.isArray(v)) {
      const field = k.slice(prefix.length);
      const current = out[field];
      if (Array.isArray(current)) {
        out[field] = current.filter((x) => !v.some((d) => isDeepStrictEqual(d, x)));
      }
    }
  }
  for (const [k, v] of Object.entries(body)) {
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      out[k] = mergeList(path ? `${path}.${k}` : k, k, out[k], v);
    } else {
      const merged = strategicMergePatch(out[k], v, path ? `${path}.${k}` : k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  return out;
}

function mergeList(path: string, field: string, current: unknown, patch: unknown[]): unknown[] {
  // ServiceAccount.imagePullSecrets is atomic; PodSpec.imagePullSecrets merges by name.
  const key = path === 'imagePullSecrets' ? undefined : MERGE_KEYS[field];
  const base = Array.isArray(current) ? [...current] : [];
  if (MERGE_SCALAR_LISTS.has(field)) {
    for (const x of patch) if (!base.some((b) => isDeepStrictEqual(b, x))) base.push(clone(x));
    return base;
  }
  if (!key || !patch.every(isObj)) return clone(patch);
  if (patch.some((p) => isObj(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObj(p) && p.$patch === 'replace')).map(clone);
  }
  for (const item of patch as Obj[]) {
    const index = base.findIndex((b) => isObj(b) && isDeepStrictEqual(b[key], item[key]));
    if (item.$patch === 'delete') {
      if (index >= 0) base.splice(index, 1);
    } else if (index >= 0) {
      base[index] = strategicMergePatch(base[index], item, path);
    } else {
      base.push(strategicMergePatch({}, item, path));
    }
  }
  return base;
}

// ---- RFC 6902 ----

/** A JSON patch that decoded but does not apply: the server answers 422. */
export class JsonPatchError extends StatusError {
  constructor(message: string) {
    super(422, 'Invalid', message);
  }
}

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw new JsonPatchError('path must be a string');
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer: "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Obj | unknown[];

function arrayIndex(list: unknown[], token: string, forAdd: boolean, path: string): number {
  if (forAdd && token === '-') return list.length;
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw new JsonPatchError(`invalid array index "${token}" in ${path}`);
  const i = Number(token);
  if (i > list.length || (!forAdd && i === list.length)) {
    throw new JsonPatchError(`index out of range: ${i} in ${path}`);
  }
  return i;
}

function parentOf(doc: unknown, tokens: string[], path: string): [Container, string] {
  let node: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(node, t, false, path)];
    else if (isObj(node) && t in node) node = node[t];
    else throw new JsonPatchError(`doc is missing path: "${path}"`);
  }
  if (!Array.isArray(node) && !isObj(node))
    throw new JsonPatchError(`doc is missing path: "${path}"`);
  return [node, tokens[tokens.length - 1] ?? ''];
}

function getAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (!tokens.length) return doc;
  const [parent, last] = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, last, false, path)];
  if (!(last in parent)) throw new JsonPatchError(`doc is missing path: "${path}"`);
  return parent[last];
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (!tokens.length) throw new JsonPatchError('cannot remove the whole document');
  const [parent, last] = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, false, path), 1)[0];
  if (!(last in parent)) {
    throw new JsonPatchError(`remove operation does not apply: doc is missing path: "${path}"`);
  }
  const old = parent[last];
  delete parent[last];
  return old;
}

function addAt(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (!tokens.length) return clone(value);
  const [parent, last] = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, path), 0, clone(value));
  else parent[last] = clone(value);
  return doc;
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let out = clone(doc);
  for (const op of ops) {
    if (!isObj(op)) throw new JsonPatchError('invalid operation');
    const path = op.path as string;
    switch (op.op) {
      case 'add':
        if (!('value' in op)) throw new JsonPatchError('add operation has no value');
        out = addAt(out, path, op.value);
        break;
      case 'remove':
        removeAt(out, path);
        break;
      case 'replace': {
        if (!('value' in op)) throw new JsonPatchError('replace operation has no value');
        if (parsePointer(path).length === 0) {
          out = clone(op.value);
          break;
        }
        try {
          getAt(out, path);
        } catch {
          throw new JsonPatchError(
            `replace operation does not apply: doc is missing key: ${path}: missing value`,
          );
        }
        removeAt(out, path);
        out = addAt(out, path, op.value);
        break;
      }
      case 'move': {
        const from = op.from as string;
        if (typeof path === 'string' && path.startsWith(`${from}/`)) {
          throw new JsonPatchError(`move operation: cannot move ${from} into its own child`);
        }
        const value = removeAt(out, from);
        out = addAt(out, path, value);
        break;
      }
      case 'copy':
        out = addAt(out, path, getAt(out, op.from as string));
        break;
      case 'test': {
        let actual: unknown;
        try {
          actual = getAt(out, path);
        } catch {
          throw new JsonPatchError(`testing value ${path} failed: test operation failed`);
        }
        if (!isDeepStrictEqual(actual, op.value)) {
          throw new JsonPatchError(`testing value ${path} failed: test failed`);
        }
        break;
      }
      default:
        throw new JsonPatchError(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return out;
}
