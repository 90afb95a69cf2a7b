// Decoding of the Kubernetes protobuf wire format ("k8s\0" + runtime.Unknown), which kubectl 1.32+
// sends for the objects its generators build (`kubectl create namespace`, `create serviceaccount`).
// Schemas cover ObjectMeta, Namespace, ServiceAccount and the RBAC bindings; a field the schema does not know is
// accepted only when it carries the zero value (gogo-protobuf writes those for non-pointer fields).
import { badRequest, type Obj } from './status.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Scalar = 'string' | 'int' | 'bool' | 'time';
interface Field {
  name: string;
  type: Scalar | Schema | 'map';
  repeated?: boolean;
  /** A pointer field in Go: its zero value is kept rather than omitted. */
  pointer?: boolean;
}
type Schema = Record<number, Field>;

const TIME: Schema = { 1: { name: 'seconds', type: 'int' }, 2: { name: 'nanos', type: 'int' } };
const OWNER_REFERENCE: Schema = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool', pointer: true },
  7: { name: 'blockOwnerDeletion', type: 'bool', pointer: true },
};
const OBJECT_META: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  4: { name: 'selfLink', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' },
  8: { name: 'creationTimestamp', type: 'time' },
  9: { name: 'deletionTimestamp', type: 'time' },
  10: { name: 'deletionGracePeriodSeconds', type: 'int', pointer: true },
  11: { name: 'labels', type: 'map' },
  12: { name: 'annotations', type: 'map' },
  13: { name: 'ownerReferences', type: OWNER_REFERENCE, repeated: true },
  14: { name: 'finalizers', type: 'string', repeated: true },
};
const OBJECT_REFERENCE: Schema = {
  1: { name: 'kind', type: 'string' },
  2: { name: 'namespace', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'fieldPath', type: 'string' },
};

const BINDING: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'subjects',
    type: {
      1: { name: 'kind', type: 'string' },
      2: { name: 'apiGroup', type: 'string' },
      3: { name: 'name', type: 'string' },
      4: { name: 'namespace', type: 'string' },
    },
    repeated: true,
  },
  3: {
    name: 'roleRef',
    type: {
      1: { name: 'apiGroup', type: 'string' },
      2: { name: 'kind', type: 'string' },
      3: { name: 'name', type: 'string' },
    },
  },
};

const SCHEMAS: Record<string, Schema> = {
  Namespace: {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } },
    3: { name: 'status', type: { 1: { name: 'phase', type: 'string' } } },
  },
  ServiceAccount: {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'secrets', type: OBJECT_REFERENCE, repeated: true },
    3: { name: 'imagePullSecrets', type: { 1: { name: 'name', type: 'string' } }, repeated: true },
    4: { name: 'automountServiceAccountToken', type: 'bool', pointer: true },
  },
  // rbac.authorization.k8s.io/v1 (`kubectl create rolebinding` / `clusterrolebinding`).
  RoleBinding: BINDING,
  ClusterRoleBinding: BINDING,
  DeleteOptions: {
    1: { name: 'gracePeriodSeconds', type: 'int', pointer: true },
    2: {
      name: 'preconditions',
      type: {
        1: { name: 'uid', type: 'string', pointer: true },
        2: { name: 'resourceVersion', type: 'string', pointer: true },
      },
    },
    3: { name: 'orphanDependents', type: 'bool', pointer: true },
    4: { name: 'propagationPolicy', type: 'string', pointer: true },
    5: { name: 'dryRun', type: 'string', repeated: true },
  },
};

interface Raw {
  field: number;
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length; i += 1) {
    const b = buf[i] as number;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, i + 1];
    shift += 7n;
    if (shift > 63n) break;
  }
  throw badRequest('protobuf: malformed varint');
}

function readFields(buf: Buffer): Raw[] {
  const out: Raw[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    pos = afterTag;
    if (wire === 0) {
      const [v, next] = readVarint(buf, pos);
      out.push({ field, wire, varint: v });
      pos = next;
    } else if (wire === 2) {
      const [len, next] = readVarint(buf, pos);
      const end = next + Number(len);
      if (end > buf.length) throw badRequest('protobuf: truncated field');
      out.push({ field, wire, bytes: buf.subarray(next, end) });
      pos = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ field, wire, bytes: buf.subarray(pos, pos + size) });
      pos += size;
    } else {
      throw badRequest(`protobuf: unsupported wire type ${wire}`);
    }
  }
  return out;
}

const isZero = (r: Raw) => (r.wire === 0 ? r.varint === 0n : (r.bytes?.length ?? 0) === 0);

function decodeMessage(buf: Buffer, schema: Schema, path: string): Obj {
  const out: Obj = {};
  for (const raw of readFields(buf)) {
    const f = schema[raw.field];
    if (!f) {
      if (isZero(raw)) continue;
      throw badRequest(
        `protobuf: field ${raw.field} of ${path || 'the object'} is not supported by the emulator; send JSON`,
      );
    }
    const value = decodeValue(raw, f, path ? `${path}.${f.name}` : f.name);
    if (value === undefined) continue;
    if (f.type === 'map') {
      const [k, v] = value as [string, string];
      out[f.name] = { ...((out[f.name] as Obj | undefined) ?? {}), [k]: v };
    } else if (f.repeated) {
      out[f.name] = [...((out[f.name] as unknown[] | undefined) ?? []), value];
    } else {
      out[f.name] = value;
    }
  }
  return out;
}

function decodeValue(raw: Raw, f: Field, path: string): unknown {
  const keepZero = f.pointer || f.repeated;
  if (f.type === 'int' || f.type === 'bool') {
    if (raw.wire !== 0) throw badRequest(`protobuf: ${path} is not a varint`);
    const v = BigInt.asIntN(64, raw.varint ?? 0n);
    if (v === 0n && !keepZero) return undefined;
    return f.type === 'bool' ? v !== 0n : Number(v);
  }
  if (raw.wire !== 2) throw badRequest(`protobuf: ${path} is not length-delimited`);
  const bytes = raw.bytes ?? Buffer.alloc(0);
  if (f.type === 'string') {
    const s = bytes.toString('utf8');
    return s === '' && !keepZero ? undefined : s;
  }
  if (f.type === 'time') {
    const t = decodeMessage(bytes, TIME, path);
    const seconds = Number(t.seconds ?? 0);
    if (!seconds) return undefined;
    return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (f.type === 'map') {
    const entry = decodeMessage(
      bytes,
      {
        1: { name: 'k', type: 'string', pointer: true },
        2: { name: 'v', type: 'string', pointer: true },
      },
      path,
    );
    return [String(entry.k ?? ''), String(entry.v ?? '')];
  }
  const message = decodeMessage(bytes, f.type, path);
  return Object.keys(message).length === 0 && !keepZero ? undefined : message;
}

const TYPE_META: Schema = {
  1: { name: 'apiVersion', type: 'string' },
  2: { name: 'kind', type: 'string' },
};

/** The JSON form of a protobuf-encoded object of one of the supported kinds. */
export function decodeProtobuf(body: Buffer, expectedKind: string): Obj {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw badRequest(
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  // runtime.Unknown: 1 typeMeta, 2 raw, 3 contentEncoding, 4 contentType.
  const envelope = readFields(body.subarray(MAGIC.length));
  const part = (n: number) => envelope.find((r) => r.field === n && r.wire === 2)?.bytes;
  const typeMeta = decodeMessage(part(1) ?? Buffer.alloc(0), TYPE_META, 'typeMeta');
  if (part(3)?.length) throw badRequest('protobuf: content encodings are not supported');
  const kind = String(typeMeta.kind ?? expectedKind);
  const schema = SCHEMAS[kind];
  if (!schema)
    throw badRequest(`protobuf: kind ${kind} is not supported by the emulator; send JSON`);
  const obj = decodeMessage(part(2) ?? Buffer.alloc(0), schema, '');
  return { apiVersion: String(typeMeta.apiVersion ?? 'v1'), kind, ...obj };
}
