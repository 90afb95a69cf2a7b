// Role trust policies for IRSA: build the one statement a service account needs, read what IAM
// returns, and compare trusts semantically. Judging a trust is in trust-evaluation.ts.
import { STS_AUDIENCE, serviceAccountSubject } from './names.js';
import { parseJsonText } from './json-text.js';
import {
  checkDocumentShape,
  isPlainObject,
  policySize,
  type PolicyDocument,
  type PolicyStatement,
} from './policy-document.js';

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
/** IAM's default trust policy size quota (whitespace not counted); raisable to 4,096. */
export const TRUST_POLICY_DEFAULT_LIMIT = 2048;

export interface TrustTarget {
  providerArn: string;
  issuerHostPath: string;
  namespace: string;
  serviceAccount: string;
  /** default STS_AUDIENCE */
  audience?: string;
  /**
   * A wildcard over service account names (eksctl's subjectPattern): the `sub` condition becomes
   * StringLike `system:serviceaccount:<ns>:<pattern>`. Over-broad by nature; files only.
   */
  subjectPattern?: string;
}

/** The `sub` condition as IAM receives it, for a plan: `StringLike ...:app-*` for a pattern. */
export function subjectCondition(
  t: Pick<TrustTarget, 'namespace' | 'serviceAccount' | 'subjectPattern'>,
): string {
  return t.subjectPattern !== undefined
    ? `StringLike ${serviceAccountSubject(t.namespace, t.subjectPattern)}`
    : serviceAccountSubject(t.namespace, t.serviceAccount);
}

/** Whether a name matches a StringLike pattern (`*`: any characters, `?`: one). */
export function matchesStringLike(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}

/** The statement from irsa.md, keys in the documented order. */
export function buildTrustStatement(t: TrustTarget): PolicyStatement {
  const sub = `${t.issuerHostPath}:sub`;
  const aud = { [`${t.issuerHostPath}:aud`]: t.audience ?? STS_AUDIENCE };
  return {
    Effect: 'Allow',
    Principal: { Federated: t.providerArn },
    Action: WEB_IDENTITY_ACTION,
    Condition:
      t.subjectPattern !== undefined
        ? {
            StringLike: { [sub]: serviceAccountSubject(t.namespace, t.subjectPattern) },
            StringEquals: aud,
          }
        : {
            StringEquals: {
              [sub]: serviceAccountSubject(t.namespace, t.serviceAccount),
              ...aud,
            },
          },
  };
}

/** One statement per target: a role shared by several clusters trusts each one's provider. */
export function buildTrustPolicy(...targets: TrustTarget[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: targets.map(buildTrustStatement) };
}

/**
 * Reads a trust policy: URL-encoded text (as IAM returns it), JSON text or an object. Statement
 * becomes an array; a missing Version becomes IAM's default 2008-10-17; other values are kept.
 */
export function parseTrustPolicy(textOrObject: unknown, source = 'trust policy'): PolicyDocument {
  const doc = typeof textOrObject === 'string' ? parseJsonText(textOrObject, source) : textOrObject;
  const shape = checkDocumentShape(doc, source, { requireVersion: false });
  return {
    Version: shape.Version,
    ...(shape.Id !== undefined ? { Id: shape.Id } : {}),
    Statement: shape.statements as unknown as PolicyStatement[],
  };
}

export function trustPolicySize(doc: unknown): number {
  return policySize(doc);
}

/**
 * A form in which semantically equal policies are identical: keys sorted, lists of plain values
 * treated as sets (so "a" equals ["a"] and ["b","a"] equals ["a","b"]); lists of objects (the
 * statements) keep their order.
 */
export function canonicalPolicy(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonicalPolicy);
    if (items.some((item) => typeof item === 'object' && item !== null)) {
      return items.length === 1 ? items[0] : items;
    }
    const unique = [...new Map(items.map((item) => [JSON.stringify(item), item])).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => item);
    return unique.length === 1 ? unique[0] : unique;
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonicalPolicy(value[key])]),
    );
  }
  return value;
}

/** Semantic equality of two statements of a trust policy. */
export const sameTrustStatement = (a: PolicyStatement, b: PolicyStatement): boolean =>
  JSON.stringify(canonicalPolicy(a)) === JSON.stringify(canonicalPolicy(b));

/** Semantic equality of two trust policies (text, URL-encoded text or objects). */
export function trustPoliciesEqual(a: unknown, b: unknown): boolean {
  const canon = (doc: unknown) => JSON.stringify(canonicalPolicy(parseTrustPolicy(doc)));
  return canon(a) === canon(b);
}
