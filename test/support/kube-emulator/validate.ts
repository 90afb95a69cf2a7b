// Object validation as apimachinery does it: names, labels, annotations, field types, and the
// server-side field validation (Strict / Warn / Ignore) of unknown fields.
import { badRequest, invalid, type Obj, type StatusCause } from './status.js';

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const tooLong = (max: number) => `must be no more than ${max} characters`;

export function dnsSubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(tooLong(253));
  if (!SUBDOMAIN.test(value)) errs.push(SUBDOMAIN_MSG);
  return errs;
}

export function dnsLabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(tooLong(63));
  if (!LABEL.test(value)) errs.push(LABEL_MSG);
  return errs;
}

function qualifiedNameErrors(value: string): string[] {
  const slash = value.split('/');
  if (slash.length > 2) {
    return [
      `a qualified name ${QUALIFIED_MSG.slice('name part '.length)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const [prefix, name] = slash.length === 2 ? [slash[0] ?? '', slash[1] ?? ''] : ['', value];
  const errs: string[] = [];
  if (slash.length === 2) {
    if (!prefix) errs.push('prefix part must be non-empty');
    else errs.push(...dnsSubdomainErrors(prefix).map((e) => `prefix part ${e}`));
  }
  if (!name) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${tooLong(63)}`);
  if (name && !QUALIFIED_NAME.test(name)) errs.push(QUALIFIED_MSG);
  return errs;
}

export const invalidValue = (field: string, value: unknown, details: string[]): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${details.join('; ')}`,
  field,
});

export const required = (field: string, detail: string): StatusCause => ({
  reason: 'FieldValueRequired',
  message: `Required value: ${detail}`,
  field,
});

export const immutable = (field: string, value: unknown): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: field is immutable`,
  field,
});

/** metadata.labels and metadata.annotations. */
export function validateMetadataMaps(metadata: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const labels = isObj(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
  for (const [k, v] of Object.entries(labels)) {
    const keyErrs = qualifiedNameErrors(k);
    if (keyErrs.length) causes.push(invalidValue('metadata.labels', k, keyErrs));
    const valErrs: string[] = [];
    if (v.length > 63) valErrs.push(tooLong(63));
    if (!LABEL_VALUE.test(v)) valErrs.push(LABEL_VALUE_MSG);
    if (valErrs.length) causes.push(invalidValue('metadata.labels', v, valErrs));
  }
  const annotations = isObj(metadata.annotations)
    ? (metadata.annotations as Record<string, string>)
    : {};
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    const keyErrs = qualifiedNameErrors(k.toLowerCase());
    if (keyErrs.length) causes.push(invalidValue('metadata.annotations', k, keyErrs));
    size += k.length + v.length;
  }
  if (size > 256 * 1024) {
    causes.push({
      reason: 'FieldValueTooLong',
      message: 'Too long: may not be more than 262144 bytes',
      field: 'metadata.annotations',
    });
  }
  return causes;
}

/** Name rules: a DNS-1123 label for namespaces, a subdomain for the rest. */
export function validateName(rule: 'label' | 'subdomain', metadata: Obj): StatusCause[] {
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') {
    return [required('metadata.name', 'name or generateName is required')];
  }
  const errs = rule === 'label' ? dnsLabelErrors(name) : dnsSubdomainErrors(name);
  return errs.length ? [invalidValue('metadata.name', name, errs)] : [];
}

export function throwIfInvalid(
  kind: string,
  name: string,
  causes: StatusCause[],
  group = '',
): void {
  if (causes.length) throw invalid(kind, name, causes, group);
}

// ---- decoding: field types and unknown fields ----

const META_FIELDS: Record<string, 'string' | 'map' | 'int' | 'list' | 'any'> = {
  name: 'string',
  generateName: 'string',
  namespace: 'string',
  selfLink: 'string',
  uid: 'string',
  resourceVersion: 'string',
  generation: 'int',
  creationTimestamp: 'any',
  deletionTimestamp: 'any',
  deletionGracePeriodSeconds: 'int',
  labels: 'map',
  annotations: 'map',
  ownerReferences: 'list',
  finalizers: 'list',
  managedFields: 'list',
};

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(value: string | null): FieldValidation {
  if (value === null || value === '' || value === 'Warn') return 'Warn';
  if (value === 'Strict' || value === 'Ignore') return value;
  throw badRequest(
    `fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(value)}`,
  );
}

/**
 * Decodes a body into the typed object the way the server's strict JSON decoder does: wrong
 * types are a 400, unknown top-level and metadata fields are dropped (Ignore), dropped with a
 * warning (Warn) or refused (Strict). Returns the warnings.
 */
export function decodeTyped(
  obj: Obj,
  kind: string,
  topLevel: readonly string[],
  mode: FieldValidation,
): string[] {
  const cannot = (why: string) =>
    badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: ${why}`);
  const unknown: string[] = [];
  for (const key of Object.keys(obj)) {
    if (!topLevel.includes(key)) {
      unknown.push(key);
      delete obj[key];
    }
  }
  const metadata = obj.metadata;
  if (metadata !== undefined && metadata !== null && !isObj(metadata)) {
    throw cannot(
      `json: cannot unmarshal ${jsonType(metadata)} into Go struct field ${kind}.metadata of type v1.ObjectMeta`,
    );
  }
  if (isObj(metadata)) {
    for (const [key, value] of Object.entries(metadata)) {
      const type = META_FIELDS[key];
      if (!type) {
        unknown.push(`metadata.${key}`);
        delete metadata[key];
        continue;
      }
      if (value === null) {
        delete metadata[key];
        continue;
      }
      const goType = { string: 'string', int: 'int64', list: '[]', map: 'map[string]string' };
      const ok =
        type === 'any' ||
        (type === 'string' && typeof value === 'string') ||
        (type === 'int' && Number.isInteger(value)) ||
        (type === 'list' && Array.isArray(value)) ||
        (type === 'map' && isObj(value));
      if (!ok) {
        throw cannot(
          `json: cannot unmarshal ${jsonType(value)} into Go struct field ObjectMeta.metadata.${key} of type ${goType[type as keyof typeof goType]}`,
        );
      }
      if (type === 'map') {
        for (const v of Object.values(value as Obj)) {
          if (typeof v !== 'string') {
            throw cannot(
              `json: cannot unmarshal ${jsonType(v)} into Go struct field ObjectMeta.metadata.${key} of type string`,
            );
          }
        }
      }
    }
  }
  if (unknown.length === 0 || mode === 'Ignore') return [];
  if (mode === 'Strict') {
    const list = unknown.map((f) => `unknown field "${f}"`);
    throw cannot(`strict decoding error: ${list.join(', ')}`);
  }
  return unknown.map((f) => `unknown field "${f}"`);
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}
