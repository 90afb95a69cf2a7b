// Checking a binding's well-known keys and scopes (before any call), and building the exact
// policies they stand for once the cluster's partition, account and region are known.
import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { closest } from '../../suggest.js';
import { parseArn } from '../names.js';
import {
  type PolicyDocument,
  type PolicyStatement,
  policySize,
  validatePolicyDocument,
} from '../policy-document.js';
import { WELL_KNOWN_POLICIES } from './catalogue.js';
import type {
  ArnField,
  ScopeField,
  ScopeValues,
  WellKnownContext,
  WellKnownPolicy,
  WellKnownScope,
} from './types.js';

/** IAM's limit for one customer-managed policy document, whitespace not counted. */
export const MANAGED_POLICY_LIMIT = 6_144;
export const POLICY_NAME_MAX_LENGTH = 128;

/** How the user gives keys and scope fields where the binding came from, for messages. */
export interface ScopeLabels {
  /** `--well-known-policies`, `bindings[3].wellKnownPolicies`. */
  keys: string;
  /** `--well-known-scope externalDNS.hostedZoneARNs=ARN`, `bindings[3].wellKnownPolicies.externalDNS.hostedZoneARNs`. */
  field(key: string, field: string, placeholder: string): string;
}

export const FLAG_SCOPE_LABELS: ScopeLabels = {
  keys: '--well-known-policies',
  field: (key, field, placeholder) => `--well-known-scope ${key}.${field}=${placeholder}`,
};

/** A field's value after checking: ARNs (or `*`), a choice, a flag. */
export type CheckedValue = string[] | string | boolean;

export interface CheckedWellKnown {
  policy: WellKnownPolicy;
  /** Only the fields given, normalised. */
  values: Record<string, CheckedValue>;
}

export interface BuiltWellKnown {
  key: string;
  /** AWS-managed policy ARNs to attach as they are. */
  managedArns: string[];
  /**
   * The documents of iamsa's customer-managed policies for this key (none: it needs none). One,
   * unless the statements exceed IAM's size for one managed policy.
   */
  documents: PolicyDocument[];
  /** Explicit `*` scopes, flagged in the plan. */
  warnings: string[];
}

export const wellKnownKeys = () => WELL_KNOWN_POLICIES.map((p) => p.key);

/** Keys are matched ignoring case, as eksctl does on its command line. */
export function findWellKnown(key: string): WellKnownPolicy | undefined {
  const k = key.toLowerCase();
  return WELL_KNOWN_POLICIES.find((p) => p.key.toLowerCase() === k);
}

const placeholderOf = (field: ScopeField) =>
  field.kind === 'arns' ? 'ARN' : field.kind === 'choice' ? field.choices.join('|') : 'true';

/**
 * An unknown well-known key (any case is a key): the nearest key as a hint, else all of them.
 * `label`: where it was given (none: the command's own argument).
 */
export function unknownWellKnown(rawKey: string, label?: string): ValidationError {
  const near = closest(rawKey, wellKnownKeys());
  const where = label ? ` in ${label}` : '';
  return new ValidationError(`unknown well-known policy "${rawKey}"${where}`, {
    hint: near
      ? `did you mean ${near}? (iamsa well-known-policies lists them all)`
      : `valid keys: ${wellKnownKeys().join(', ')} (iamsa well-known-policies lists what each grants)`,
  });
}

/** Checks every key and scope field; throws a ValidationError naming where it was given. */
export function checkWellKnown(
  given: Record<string, WellKnownScope>,
  labels: ScopeLabels,
): CheckedWellKnown[] {
  const seen = new Set<string>();
  return Object.entries(given).map(([rawKey, scope]) => {
    const policy = findWellKnown(rawKey);
    if (!policy) {
      throw unknownWellKnown(rawKey, labels.keys);
    }
    if (seen.has(policy.key)) {
      throw new ValidationError(`${labels.keys} names ${policy.key} twice`);
    }
    seen.add(policy.key);
    const fields = policy.fields ?? [];
    const values: Record<string, CheckedValue> = {};
    for (const [rawField, value] of Object.entries(scope ?? {})) {
      const field = fields.find((f) => f.name.toLowerCase() === rawField.toLowerCase());
      if (!field) {
        throw new ValidationError(
          `${policy.key} has no scope field "${rawField}" (${labels.field(policy.key, rawField, '…')})`,
          {
            hint: fields.length
              ? `its fields: ${fields.map((f) => f.name).join(', ')}`
              : `${policy.key} takes no scope`,
          },
        );
      }
      values[field.name] = checkValue(
        field,
        value,
        labels.field(policy.key, field.name, placeholderOf(field)),
      );
    }
    for (const field of fields) {
      if (field.kind === 'arns' && field.required && values[field.name] === undefined) {
        throw new ValidationError(
          `${policy.key} needs ${field.name} (the ${field.noun}s it may use): pass ${labels.field(policy.key, field.name, 'ARN')}`,
          {
            hint: `repeat it or separate ARNs with commas, e.g. ${field.example}; '*' allows every ${field.noun}, which is over-broad`,
          },
        );
      }
    }
    const missing = policy.requires?.(scopeValues(policy, values, undefined));
    if (missing) {
      const [first = ''] = missing.split(' or ');
      throw new ValidationError(
        `${policy.key} needs ${missing}: pass ${labels.field(policy.key, first, 'ARN')}`,
        {
          hint: 'repeat it or separate ARNs with commas',
        },
      );
    }
    return { policy, values };
  });
}

function checkValue(field: ScopeField, value: unknown, label: string): CheckedValue {
  const fail = (why: string) => new ValidationError(`${label}: ${why}`);
  if (field.kind === 'flag') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw fail(`must be true or false, not ${JSON.stringify(value)}`);
  }
  if (field.kind === 'choice') {
    const choice =
      typeof value === 'string'
        ? field.choices.find((c) => c.toLowerCase() === value.toLowerCase())
        : undefined;
    if (choice === undefined)
      throw fail(`must be one of ${field.choices.join(', ')}, not ${JSON.stringify(value)}`);
    return choice;
  }
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) =>
    typeof v === 'string' ? v.split(',').map((s) => s.trim()) : [v],
  );
  const arns: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') throw fail(`must be ARNs, not ${JSON.stringify(item)}`);
    if (item === '') throw fail('an empty value; give an ARN (or leave the field out)');
    if (item !== '*') checkArn(field, item, fail);
    if (!arns.includes(item)) arns.push(item);
  }
  if (!arns.length) throw fail('an empty list; give at least one ARN (or leave the field out)');
  return arns;
}

function checkArn(field: ArnField, arn: string, fail: (why: string) => ValidationError): void {
  const parts = parseArn(arn);
  if (
    !parts ||
    parts.service !== field.service ||
    !parts.resource.startsWith(field.resourcePrefix) ||
    parts.resource === field.resourcePrefix
  ) {
    throw fail(`${JSON.stringify(arn)} is not the ARN of a ${field.noun}, e.g. ${field.example}`);
  }
}

/** Placeholders for when no cluster is given (`iamsa well-known-policies KEY`). */
export const PLACEHOLDER_CONTEXT: WellKnownContext = {
  partition: 'aws',
  accountId: '<account>',
  region: '<region>',
  clusterName: '<cluster>',
};

function scopeValues(
  policy: WellKnownPolicy,
  values: Record<string, CheckedValue>,
  ctx: WellKnownContext | undefined,
): ScopeValues {
  const field = (name: string) => {
    const f = policy.fields?.find((x) => x.name === name);
    if (!f) throw new Error(`${policy.key} has no field ${name}`); // a bug in a policy module
    return f;
  };
  return {
    list(name) {
      const f = field(name);
      const v = values[name];
      if (f.kind !== 'arns' || !Array.isArray(v)) return [];
      return v.includes('*') && ctx ? [f.everything(ctx)] : v;
    },
    choice(name) {
      const f = field(name);
      const v = values[name];
      return typeof v === 'string' ? v : f.kind === 'choice' ? f.default : '';
    },
    flag: (name) => (field(name), values[name] === true),
  };
}

const managedArn = (partition: string, name: string) => `arn:${partition}:iam::aws:policy/${name}`;

/** The AWS-managed ARNs a key attaches with its default scope (what removing the key detaches). */
export function defaultManagedArns(policy: WellKnownPolicy, partition: string): string[] {
  return (policy.managed?.(scopeValues(policy, {}, undefined)) ?? []).map((name) =>
    managedArn(partition, name),
  );
}

/** The managed ARNs and the document a checked key stands for on this cluster. */
/** The roles a key's defaults depend on, to look up into `ctx.roles` before building it. */
export function rolesToLookUp(checked: CheckedWellKnown, ctx: WellKnownContext): string[] {
  return checked.policy.lookUpRoles?.(scopeValues(checked.policy, checked.values, ctx), ctx) ?? [];
}

export function buildWellKnown(checked: CheckedWellKnown, ctx: WellKnownContext): BuiltWellKnown {
  const { policy, values } = checked;
  const scope = scopeValues(policy, values, ctx);
  const warnings: string[] = [];
  for (const f of policy.fields ?? []) {
    const v = values[f.name];
    if (f.kind !== 'arns' || !Array.isArray(v)) continue;
    if (v.includes('*')) {
      warnings.push(
        `well-known policy ${policy.key}: ${f.name} '*' covers every ${f.noun} of the account, which is over-broad; name the ones it needs`,
      );
    }
    if (/^\d{12}$/.test(ctx.accountId)) {
      const foreign = v.filter((a) => a !== '*' && parseArn(a)?.partition !== ctx.partition);
      if (foreign.length) {
        throw new ValidationError(
          `${policy.key}.${f.name}: ${foreign.join(', ')} is not in partition ${ctx.partition}, the cluster's`,
          { hint: `use ARNs starting arn:${ctx.partition}:` },
        );
      }
    }
  }
  const managedArns = (policy.managed?.(scope) ?? []).map((name) =>
    managedArn(ctx.partition, name),
  );
  warnings.push(...(policy.notes?.(scope, ctx) ?? []));
  const statements = policy.statements?.(scope, ctx) ?? [];
  const source = `the ${policy.key} well-known policy`;
  const documents = splitStatements(statements, source).map((part) =>
    validatePolicyDocument({ Version: '2012-10-17', Statement: part }, source),
  );
  return { key: policy.key, managedArns, documents, warnings };
}

/**
 * Statements in order, cut into as few documents as IAM's managed-policy size allows (Karpenter's
 * policy with a long cluster name needs two; so do long lists of ARNs).
 */
function splitStatements(statements: PolicyStatement[], source: string): PolicyStatement[][] {
  const parts: PolicyStatement[][] = [];
  let current: PolicyStatement[] = [];
  const fits = (list: PolicyStatement[]) =>
    policySize({ Version: '2012-10-17', Statement: list }) <= MANAGED_POLICY_LIMIT;
  for (const statement of statements) {
    if (!fits([statement])) {
      throw new ValidationError(
        `${source} has a statement over IAM's ${MANAGED_POLICY_LIMIT.toLocaleString('en-US')} characters for a managed policy`,
        { hint: 'name fewer ARNs (a wildcard ARN like arn:aws:s3:::team-* covers many)' },
      );
    }
    if (fits([...current, statement])) current.push(statement);
    else {
      parts.push(current);
      current = [statement];
    }
  }
  if (current.length) parts.push(current);
  return parts;
}

/**
 * The name of iamsa's customer-managed policy for a key of a role: `<role>-<key>` when the role's
 * name already starts with `iamsa-` (the default names do), else `iamsa-<role>-<key>`; past IAM's
 * 128 characters, its readable start plus a hash of the whole (as defaultRoleName does). Parts
 * after the first (a policy split for size) end in `-2`, `-3`. docs/decisions/0009 says why.
 */
export function wellKnownPolicyName(roleName: string, key: string, part = 1): string {
  const base = roleName.startsWith('iamsa-') ? roleName : `iamsa-${roleName}`;
  return boundedPolicyName(base, roleName, key, part);
}

/**
 * The name before 0009 (`iamsa-<role>-<key>` whatever the role's name: `iamsa-iamsa-...`). Plans
 * look for it too, so a policy of the old name that is this binding's is replaced, not left over.
 */
export function legacyWellKnownPolicyName(roleName: string, key: string, part = 1): string {
  return boundedPolicyName(`iamsa-${roleName}`, roleName, key, part);
}

function boundedPolicyName(base: string, roleName: string, key: string, part: number): string {
  const suffix = part > 1 ? `-${part}` : '';
  const readable = `${base}-${key}${suffix}`;
  if (readable.length <= POLICY_NAME_MAX_LENGTH) return readable;
  const hash = createHash('sha256')
    .update(`${roleName}/${key}${suffix}`)
    .digest('hex')
    .slice(0, 10);
  return `${readable.slice(0, POLICY_NAME_MAX_LENGTH - 11)}-${hash}`;
}

/** `key.field=value` flags (repeatable; lists also comma-separated) as structured scopes. */
export function parseScopeFlags(
  keys: string[],
  scopes: string[],
  labels: { keys: string; scope: string },
): Record<string, WellKnownScope> {
  const result: Record<string, WellKnownScope> = {};
  for (const raw of keys.flatMap((k) => k.split(',')).map((k) => k.trim())) {
    if (raw === '') throw new ValidationError(`${labels.keys}: an empty key; give e.g. autoScaler`);
    const key = findWellKnown(raw)?.key ?? raw;
    result[key] ??= {};
  }
  for (const flag of scopes) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(flag);
    if (!m) {
      throw new ValidationError(
        `${labels.scope} ${JSON.stringify(flag)}: expected key.field=value, e.g. externalDNS.hostedZoneARNs=arn:aws:route53:::hostedzone/Z0123`,
      );
    }
    const [, rawKey = '', field = '', value = ''] = m;
    const known = findWellKnown(rawKey)?.key;
    const key = known ?? rawKey;
    const scope = result[key];
    if (!scope) {
      // A key that is no well-known one is most likely a typo: the nearest key, never the typo.
      const near =
        known ??
        closest(
          rawKey,
          WELL_KNOWN_POLICIES.map((p) => p.key),
        );
      const what = known ? `${key} is not in ${labels.keys}` : `${key} is not a well-known key`;
      const add = near && !result[near] ? `add ${labels.keys} ${near}` : '';
      throw new ValidationError(`${labels.scope} ${flag}: ${what}`, {
        hint:
          near && near !== key
            ? `did you mean ${near}.${field}?${add ? ` (and ${add})` : ''}`
            : add || 'iamsa well-known-policies lists the keys',
      });
    }
    const previous = scope[field];
    scope[field] =
      previous === undefined
        ? value
        : [...(Array.isArray(previous) ? previous : [String(previous)]), value];
  }
  return result;
}

/** The scopes as `key.field=value` flags again (one per list item), for a printed command line. */
export function scopeFlags(policies: Record<string, WellKnownScope>): string[] {
  return Object.entries(policies).flatMap(([key, scope]) =>
    Object.entries(scope).flatMap(([field, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => `${key}.${field}=${String(v)}`),
    ),
  );
}

/**
 * Whether a policy name is one wellKnownPolicyName makes: `iamsa-<role>-<key>[-N]` for a key of
 * the catalogue, or a name cut to 128 characters with its hash. Such a policy belongs to the
 * binding it was made for: the wizard does not offer it to others.
 */
export function isWellKnownPolicyName(name: string): boolean {
  if (!name.startsWith('iamsa-')) return false;
  if (name.length === POLICY_NAME_MAX_LENGTH && /-[0-9a-f]{10}$/.test(name)) return true;
  const bare = name.replace(/-\d+$/, '');
  return WELL_KNOWN_POLICIES.some((p) => bare.endsWith(`-${p.key}`) || name.endsWith(`-${p.key}`));
}
