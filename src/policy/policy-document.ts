// IAM policy documents: types, and validation of the identity (permissions) policies users hand
// to iamsa as inline role policies. Validating here turns IAM's terse MalformedPolicyDocument into
// a message naming the file, the statement and the fix, before anything is created.
import { ValidationError } from '../errors.js';
import { parseJsonText } from './json-text.js';

export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type StringOrList = string | string[];
export type ConditionScalar = string | number | boolean;
export type ConditionValue = ConditionScalar | ConditionScalar[];
/** Operator (e.g. StringEquals) -> condition key -> value(s). */
export type ConditionBlock = Record<string, Record<string, ConditionValue>>;
export type Principal = '*' | Record<string, StringOrList>;

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Principal;
  NotPrincipal?: Principal;
  Action?: StringOrList;
  NotAction?: StringOrList;
  Resource?: StringOrList;
  NotResource?: StringOrList;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: PolicyVersion;
  Id?: string;
  Statement: PolicyStatement[];
}

export const POLICY_VERSIONS: readonly PolicyVersion[] = ['2012-10-17', '2008-10-17'];
/** IAM limit for a role's inline policies, whitespace not counted. */
export const INLINE_ROLE_POLICY_LIMIT = 10_240;

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ACTION_RE = /^[A-Za-z0-9-]+:[\w*?-]+$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses policy JSON (plain or URL-encoded) and validates it as an identity policy. */
export function parsePolicyJson(text: string, source: string): PolicyDocument {
  return validatePolicyDocument(parseJsonText(text, source), source);
}

/** `Statement` may be one object or an array; callers always get an array. */
export function normalizeStatements(doc: {
  Statement: PolicyStatement | PolicyStatement[];
}): PolicyStatement[] {
  return Array.isArray(doc.Statement) ? [...doc.Statement] : [doc.Statement];
}

/** Characters of the policy as IAM counts them against its limits: JSON without whitespace. */
export function policySize(doc: unknown): number {
  const compact = (value: unknown) => [...(JSON.stringify(value) ?? '')].length;
  if (typeof doc !== 'string') return compact(doc);
  try {
    return compact(parseJsonText(doc, 'policy'));
  } catch {
    return [...doc.replace(/\s+/g, '')].length;
  }
}

/** Checks the parts of a policy shared by identity and trust policies; returns the statements. */
export function checkDocumentShape(
  doc: unknown,
  source: string,
  options: { requireVersion: boolean },
): { Version: PolicyVersion; Id?: string; statements: Record<string, unknown>[] } {
  const fail = (message: string) => new ValidationError(`${source}: ${message}`);
  if (!isPlainObject(doc)) {
    throw fail('a policy must be a JSON object like {"Version": "2012-10-17", "Statement": [...]}');
  }
  const infinite = nonFiniteNumber(doc);
  if (infinite !== undefined) {
    throw fail(
      `the number at ${infinite} is out of range (it parses to Infinity or NaN, which would reach IAM as null); use a number within range`,
    );
  }
  for (const key of Object.keys(doc)) {
    if (!['Version', 'Id', 'Statement'].includes(key)) {
      throw fail(
        `unknown top-level element "${key}"; a policy has only "Version", "Id" and "Statement"`,
      );
    }
  }
  let version: PolicyVersion = '2008-10-17'; // IAM's default when Version is left out
  if (doc.Version === undefined) {
    if (options.requireVersion) {
      throw fail(
        'missing "Version"; add "Version": "2012-10-17" (without it IAM applies the 2008-10-17 language, which has no policy variables)',
      );
    }
  } else if (POLICY_VERSIONS.includes(doc.Version as PolicyVersion)) {
    version = doc.Version as PolicyVersion;
  } else {
    throw fail(
      `"Version" must be "2012-10-17" (or the legacy "2008-10-17"), not ${JSON.stringify(doc.Version)}`,
    );
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw fail('"Id" must be a string');
  const raw = doc.Statement;
  if (raw === undefined) throw fail('missing "Statement"; add at least one statement');
  const statements = Array.isArray(raw) ? raw : [raw];
  if (statements.length === 0) throw fail('"Statement" is empty; add at least one statement');
  statements.forEach((statement, i) => {
    if (!isPlainObject(statement)) throw fail(`statement ${i} must be a JSON object`);
    if (statement.Effect === undefined) {
      throw fail(
        `${statementLabel(statement, i)} has no "Effect"; add "Effect": "Allow" or "Effect": "Deny"`,
      );
    }
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw fail(
        `${statementLabel(statement, i)}: "Effect" must be "Allow" or "Deny", not ${JSON.stringify(statement.Effect)}`,
      );
    }
  });
  return {
    Version: version,
    ...(typeof doc.Id === 'string' ? { Id: doc.Id } : {}),
    statements: statements as Record<string, unknown>[],
  };
}

/**
 * The path of a number JSON or YAML parsed to Infinity or NaN (`1e400`, `.inf`): IAM would get
 * null. Walked with a stack, not recursion, so a deeply nested document cannot overflow it.
 */
function nonFiniteNumber(doc: unknown): string | undefined {
  const stack: [unknown, string][] = [[doc, '']];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'number' && !Number.isFinite(value)) return path || 'the top';
    if (Array.isArray(value)) value.forEach((v, i) => stack.push([v, `${path}[${i}]`]));
    else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) stack.push([v, path ? `${path}.${k}` : k]);
    }
  }
  return undefined;
}

export function statementLabel(statement: Record<string, unknown>, index: number): string {
  return typeof statement.Sid === 'string' && statement.Sid !== ''
    ? `statement ${index} ("${statement.Sid}")`
    : `statement ${index}`;
}

/** A string or a non-empty list of strings, as IAM accepts for Action, Resource and the like. */
function stringList(
  value: unknown,
  fail: (message: string) => ValidationError,
  element: string,
): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw fail(`"${element}" is an empty list; give at least one value`);
  for (const item of list) {
    if (typeof item !== 'string') {
      throw fail(
        `"${element}" must be a string or a list of strings, found ${JSON.stringify(item)}`,
      );
    }
  }
  return list as string[];
}

function checkCondition(value: unknown, fail: (message: string) => ValidationError): void {
  if (!isPlainObject(value)) {
    throw fail(
      '"Condition" must be an object like {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}',
    );
  }
  for (const [operator, block] of Object.entries(value)) {
    if (!/^(ForAnyValue:|ForAllValues:)?[A-Za-z]+$/.test(operator)) {
      throw fail(`"${operator}" is not a condition operator (e.g. StringEquals, ArnLike, Bool)`);
    }
    if (!isPlainObject(block) || Object.keys(block).length === 0) {
      throw fail(`condition operator "${operator}" must map condition keys to values`);
    }
    for (const [key, v] of Object.entries(block)) {
      const values = Array.isArray(v) ? v : [v];
      const scalar = (x: unknown) => ['string', 'number', 'boolean'].includes(typeof x);
      if (values.length === 0 || !values.every(scalar)) {
        throw fail(
          `condition "${operator}" on "${key}" must have a value or a non-empty list of values`,
        );
      }
    }
  }
}

/** Validates an identity policy (what is attached to a role as its permissions). */
export function validatePolicyDocument(doc: unknown, source: string): PolicyDocument {
  const shape = checkDocumentShape(doc, source, { requireVersion: true });
  const sids = new Map<string, number>();
  shape.statements.forEach((statement, i) => {
    const label = statementLabel(statement, i);
    const fail = (message: string) => new ValidationError(`${source}: ${label}: ${message}`);
    for (const key of Object.keys(statement)) {
      if (key === 'Principal' || key === 'NotPrincipal') {
        throw fail(
          `has "${key}", an element of resource-based policies (such as a role's trust policy); a permissions policy attached to a role must not name principals, remove it`,
        );
      }
      if (!STATEMENT_KEYS.has(key)) {
        throw fail(
          `unknown element "${key}"; a statement has Sid, Effect, Action or NotAction, Resource or NotResource, and Condition`,
        );
      }
    }
    if (statement.Sid !== undefined) {
      if (typeof statement.Sid !== 'string' || !/^[A-Za-z0-9]*$/.test(statement.Sid)) {
        throw fail(
          `"Sid" must contain only letters and digits, not ${JSON.stringify(statement.Sid)}`,
        );
      }
      const previous = sids.get(statement.Sid);
      if (previous !== undefined && statement.Sid !== '') {
        throw fail(
          `"Sid" "${statement.Sid}" is also used by statement ${previous}; Sids must be unique`,
        );
      }
      sids.set(statement.Sid, i);
    }
    const pair = (element: string, negated: string, example: string): string[] => {
      const has = statement[element] !== undefined;
      const hasNot = statement[negated] !== undefined;
      if (has && hasNot) throw fail(`has both "${element}" and "${negated}"; keep exactly one`);
      if (!has && !hasNot) throw fail(`has no "${element}"; add e.g. "${element}": ${example}`);
      return stringList(statement[has ? element : negated], fail, has ? element : negated);
    };
    for (const action of pair('Action', 'NotAction', '"s3:GetObject"')) {
      if (action !== '*' && !ACTION_RE.test(action)) {
        throw fail(
          `action ${JSON.stringify(action)} must be "*" or "service:Action" (wildcards * and ? allowed), e.g. "s3:GetObject"`,
        );
      }
    }
    for (const resource of pair('Resource', 'NotResource', '"arn:aws:s3:::my-bucket/*"')) {
      if (resource !== '*' && !resource.startsWith('arn:')) {
        throw fail(
          `resource ${JSON.stringify(resource)} must be "*" or an ARN, e.g. "arn:aws:s3:::my-bucket/*"`,
        );
      }
    }
    if (statement.Condition !== undefined) checkCondition(statement.Condition, fail);
  });
  const size = policySize(doc);
  if (size > INLINE_ROLE_POLICY_LIMIT) {
    throw new ValidationError(
      `${source}: the policy is ${size} characters without whitespace; IAM allows at most ${INLINE_ROLE_POLICY_LIMIT.toLocaleString('en-US')} for a role's inline policies together; move some statements into a managed policy and attach it by ARN`,
    );
  }
  return {
    Version: shape.Version,
    ...(shape.Id !== undefined ? { Id: shape.Id } : {}),
    Statement: shape.statements as unknown as PolicyStatement[],
  };
}
