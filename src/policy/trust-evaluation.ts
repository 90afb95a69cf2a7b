// Judging an existing trust policy the way IAM would: can this service account's token assume the
// role, and if not, why, in plain words; and which statements let too many service accounts in.
import { STS_AUDIENCE, parseArn, serviceAccountSubject } from './names.js';
import {
  isPlainObject,
  normalizeStatements,
  type PolicyDocument,
  type PolicyStatement,
} from './policy-document.js';
import { WEB_IDENTITY_ACTION, type TrustTarget } from './trust-policy.js';

export interface TrustEvaluation {
  /** Whether IAM would let this service account's token assume the role. */
  admits: boolean;
  /** The first Allow statement that admits it. */
  statementIndex?: number;
  /** Why nothing admits it (empty when admits). */
  problems: string[];
  /** Dangerous statements (wildcard or missing sub, missing aud, Principal "*"), admitting or not. */
  overBroad: string[];
}

interface Claims {
  /** lower-cased issuer host path: condition keys are case-insensitive */
  host: string;
  subject: string;
  audience: string;
}

/** A claim in the token: present with a value, or absent. */
export type ClaimState = { present: true; value: string } | { present: false };

export interface PositiveCondition {
  op: Operator;
  values: string[];
}

export interface Operator {
  name: string;
  /** lower-cased, without ForAnyValue:/ForAllValues: and IfExists */
  base: string;
  set?: 'any' | 'all';
  ifExists: boolean;
}

export const POSITIVE_STRING_OPERATORS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
]);

const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
export const strings = (value: unknown): string[] =>
  asList(value).filter((item): item is string => typeof item === 'string');
export const scalars = (value: unknown): string[] =>
  asList(value)
    .filter((item) => ['string', 'number', 'boolean'].includes(typeof item))
    .map(String);
const quoteAll = (values: string[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** IAM wildcard match: `*` any run of characters, `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = [...pattern]
    .map((ch) =>
      ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'isu' : 'su').test(value);
}

export function parseOperator(name: string): Operator {
  const m = /^(ForAnyValue:|ForAllValues:)?(.*?)(IfExists)?$/i.exec(name);
  const prefix = (m?.[1] ?? '').toLowerCase();
  return {
    name,
    base: (m?.[2] ?? name).toLowerCase(),
    ...(prefix === 'foranyvalue:' ? { set: 'any' as const } : {}),
    ...(prefix === 'forallvalues:' ? { set: 'all' as const } : {}),
    ifExists: m?.[3] !== undefined,
  };
}

/**
 * The token claim a condition key reads: our sub/aud, absent (a claim of another issuer, which
 * this cluster's tokens never carry), or undefined for keys iamsa does not judge (aws:*, amr...).
 */
function claimOf(key: string, claims: Claims): ClaimState | undefined {
  const k = key.toLowerCase();
  if (k === `${claims.host}:sub`) return { present: true, value: claims.subject };
  if (k === `${claims.host}:aud`) return { present: true, value: claims.audience };
  const prefix = k.slice(0, Math.max(0, k.lastIndexOf(':')));
  if (prefix !== claims.host && prefix.includes('.')) return { present: false };
  return undefined;
}

/** The result of one operator on one key, or undefined when iamsa cannot evaluate it. */
export function testOperator(
  op: Operator,
  state: ClaimState,
  values: string[],
): boolean | undefined {
  if (op.base === 'null') {
    const wantsAbsent = values.some((v) => v.toLowerCase() === 'true');
    return wantsAbsent ? !state.present : state.present;
  }
  if (!state.present) {
    if (op.ifExists || op.set === 'all') return true;
    if (op.set === 'any') return false;
    return op.base.includes('not'); // a missing key "does not equal" anything
  }
  const v = state.value;
  switch (op.base) {
    case 'stringequals':
      return values.includes(v);
    case 'stringnotequals':
      return !values.includes(v);
    case 'stringequalsignorecase':
      return values.some((x) => x.toLowerCase() === v.toLowerCase());
    case 'stringnotequalsignorecase':
      return !values.some((x) => x.toLowerCase() === v.toLowerCase());
    case 'stringlike':
      return values.some((x) => wildcardMatch(x, v));
    case 'stringnotlike':
      return !values.some((x) => wildcardMatch(x, v));
    default:
      return undefined;
  }
}

function describeFailure(op: Operator, key: string, state: ClaimState, values: string[]): string {
  if (!state.present) {
    return `has a condition on "${key}", a claim of another issuer that this cluster's tokens do not carry`;
  }
  const claim = key.toLowerCase().endsWith(':sub') ? 'sub' : 'aud';
  const actual = JSON.stringify(state.value);
  if (op.base === 'null') {
    return `requires ${claim} to be absent (${op.name}), but tokens always carry it`;
  }
  if (op.base.includes('not')) return `excludes ${claim} ${actual} (${op.name})`;
  const expected = values.length === 1 ? quoteAll(values) : `to be one of ${quoteAll(values)}`;
  if (op.base === 'stringlike') {
    return `requires ${claim} like ${values.length === 1 ? quoteAll(values) : `one of ${quoteAll(values)}`}, which ${actual} does not match`;
  }
  return `requires ${claim} ${expected}, not ${actual}`;
}

/** All operators must hold (AND); within an operator every key must hold; values are OR-ed. */
function evaluateConditions(
  condition: unknown,
  claims: Claims,
): { ok: boolean; failures: string[] } {
  const failures: string[] = [];
  if (isPlainObject(condition)) {
    for (const [name, block] of Object.entries(condition)) {
      if (!isPlainObject(block)) continue;
      const op = parseOperator(name);
      for (const [key, raw] of Object.entries(block)) {
        const state = claimOf(key, claims);
        if (state === undefined) continue;
        const values = scalars(raw);
        const result = testOperator(op, state, values);
        if (result === undefined) {
          failures.push(`uses ${name} on "${key}", which iamsa cannot evaluate; use StringEquals`);
        } else if (!result) {
          failures.push(describeFailure(op, key, state, values));
        }
      }
    }
  }
  return { ok: failures.length === 0, failures };
}

export function trustsProvider(s: PolicyStatement, providerArn: string): boolean {
  if (s.Principal !== undefined) {
    if (s.Principal === '*') return true;
    return isPlainObject(s.Principal) && strings(s.Principal.Federated).includes(providerArn);
  }
  if (s.NotPrincipal !== undefined && s.NotPrincipal !== '*' && isPlainObject(s.NotPrincipal)) {
    return !strings(s.NotPrincipal.Federated).includes(providerArn);
  }
  return false;
}

export function allowsWebIdentity(s: PolicyStatement): boolean {
  if (s.Action !== undefined) {
    return strings(s.Action).some((p) => wildcardMatch(p, WEB_IDENTITY_ACTION, true));
  }
  if (s.NotAction !== undefined) {
    return !strings(s.NotAction).some((p) => wildcardMatch(p, WEB_IDENTITY_ACTION, true));
  }
  return false;
}

function describeOtherPrincipal(s: PolicyStatement, i: number, t: TrustTarget): string {
  const federated = isPlainObject(s.Principal) ? strings(s.Principal.Federated) : [];
  if (federated.length === 0) {
    const who =
      s.Principal !== undefined
        ? describePrincipal(s.Principal)
        : `every principal except ${describePrincipal(s.NotPrincipal)}`;
    return `statement ${i} trusts ${who}, not an OIDC provider`;
  }
  const ours = parseArn(t.providerArn);
  const described = federated.map((arn) => {
    const other = parseArn(arn);
    if (!ours || !other || !other.resource.startsWith('oidc-provider/')) return arn;
    const host = other.resource.slice('oidc-provider/'.length);
    if (host.toLowerCase() !== t.issuerHostPath.toLowerCase()) {
      return `${arn} (another issuer: ${host})`;
    }
    if (other.accountId !== ours.accountId) {
      return `${arn} (this issuer in account ${other.accountId}, not ${ours.accountId})`;
    }
    if (other.partition !== ours.partition) {
      return `${arn} (partition ${other.partition}, not ${ours.partition})`;
    }
    return `${arn} (differs in letter case)`;
  });
  return `statement ${i} trusts ${described.join(', ')}, not ${t.providerArn}`;
}

/** A principal in words, `Service ec2.amazonaws.com, AWS arn:...`: problems are lines, not JSON. */
function describePrincipal(principal: unknown): string {
  if (principal === '*') return 'every principal ("*")';
  const named = isPlainObject(principal)
    ? Object.entries(principal).flatMap(([kind, ids]) => strings(ids).map((id) => `${kind} ${id}`))
    : [];
  return named.length ? named.join(', ') : 'no principal';
}

function describeActions(s: PolicyStatement, i: number): string {
  if (s.Action !== undefined) {
    return `statement ${i} allows ${JSON.stringify(s.Action)}, not ${WEB_IDENTITY_ACTION}`;
  }
  if (s.NotAction !== undefined) {
    return `statement ${i} allows every action except ${JSON.stringify(s.NotAction)}, which excludes ${WEB_IDENTITY_ACTION}`;
  }
  return `statement ${i} has no "Action"; add "Action": "${WEB_IDENTITY_ACTION}"`;
}

/** The positive string conditions on one key (case-insensitive), with their operators. */
export function positiveConditions(
  condition: unknown,
  key: string,
  operators: ReadonlySet<string> = POSITIVE_STRING_OPERATORS,
): PositiveCondition[] {
  const found: PositiveCondition[] = [];
  if (!isPlainObject(condition)) return found;
  for (const [name, block] of Object.entries(condition)) {
    const op = parseOperator(name);
    if (!operators.has(op.base) || !isPlainObject(block)) continue;
    for (const [k, raw] of Object.entries(block)) {
      if (k.toLowerCase() === key.toLowerCase()) found.push({ op, values: scalars(raw) });
    }
  }
  return found;
}

/**
 * Whether the conditions require a claim of an issuer other than `host`: tokens from `host` then
 * never satisfy the statement (a statement trusting two providers but conditioning only on the
 * first one's keys is not open to the second).
 */
export function requiresOtherIssuer(condition: unknown, host: string): boolean {
  if (!isPlainObject(condition)) return false;
  const claims: Claims = { host: host.toLowerCase(), subject: '', audience: '' };
  return Object.entries(condition).some(([name, block]) => {
    const op = parseOperator(name);
    if (!isPlainObject(block) || op.base === 'null') return false;
    return Object.keys(block).some((key) => {
      const state = claimOf(key, claims);
      return state?.present === false && testOperator(op, state, []) === false;
    });
  });
}

/** The classic dangerous trusts in one Allow web-identity statement. */
function overBroadFindings(s: PolicyStatement, i: number, claims: Claims): string[] {
  const findings: string[] = [];
  const hosts: string[] = [];
  if (s.Principal === '*') {
    findings.push(
      `statement ${i} trusts every principal ("Principal": "*"); name the cluster's OIDC provider in "Principal": {"Federated": ...} instead`,
    );
    hosts.push(claims.host);
  } else if (isPlainObject(s.Principal)) {
    for (const arn of strings(s.Principal.Federated)) {
      const resource = parseArn(arn)?.resource ?? '';
      if (resource.startsWith('oidc-provider/'))
        hosts.push(resource.slice('oidc-provider/'.length));
    }
  }
  for (const host of hosts.filter((h) => !requiresOtherIssuer(s.Condition, h))) {
    const ours = host.toLowerCase() === claims.host;
    const subject = ours ? claims.subject : 'system:serviceaccount:<namespace>:<name>';
    const subs = positiveConditions(s.Condition, `${host}:sub`);
    if (subs.length === 0) {
      findings.push(
        `statement ${i} has no condition on "${host}:sub": every service account of that cluster can assume this role; add StringEquals "${host}:sub": "${subject}"`,
      );
    }
    for (const { op, values } of subs) {
      if (op.base !== 'stringlike') continue;
      for (const value of values.filter((v) => /[*?]/.test(v))) {
        findings.push(
          `statement ${i} matches "${host}:sub" with ${op.name} ${JSON.stringify(value)}: every service account it matches can assume this role; use StringEquals with "${subject}"`,
        );
      }
    }
    const auds = positiveConditions(s.Condition, `${host}:aud`);
    const audience = ours ? claims.audience : STS_AUDIENCE;
    if (auds.length === 0) {
      findings.push(
        `statement ${i} has no condition on "${host}:aud"; add StringEquals "${host}:aud": "${audience}"`,
      );
    }
    for (const { op, values } of auds) {
      if (op.base !== 'stringlike') continue;
      for (const value of values.filter((v) => /[*?]/.test(v))) {
        findings.push(
          `statement ${i} matches "${host}:aud" with ${op.name} ${JSON.stringify(value)}: tokens for other audiences are accepted too; use StringEquals with "${audience}"`,
        );
      }
    }
  }
  return findings;
}

/**
 * Whether IAM would let the service account's token assume a role with this trust policy, as IAM
 * evaluates it: an Allow statement trusting the provider, allowing AssumeRoleWithWebIdentity, with
 * conditions that hold for the token's sub and aud; and no Deny statement that matches. Conditions
 * on keys iamsa cannot know (aws:*, other claims) are assumed to hold. `admits` can be true for an
 * over-broad statement: check `overBroad` too before calling a trust good.
 */
export function evaluateTrust(doc: PolicyDocument, t: TrustTarget): TrustEvaluation {
  const claims: Claims = {
    host: t.issuerHostPath.toLowerCase(),
    subject: serviceAccountSubject(t.namespace, t.serviceAccount),
    audience: t.audience ?? STS_AUDIENCE,
  };
  const statements = normalizeStatements(doc);
  const problems: string[] = [];
  const otherPrincipals: string[] = [];
  const denials: string[] = [];
  const overBroad = new Set<string>();
  let trusted = false;
  let admitting: number | undefined;

  statements.forEach((s, i) => {
    const allow = s.Effect === 'Allow';
    if (allow && allowsWebIdentity(s)) {
      for (const finding of overBroadFindings(s, i, claims)) overBroad.add(finding);
    }
    if (!trustsProvider(s, t.providerArn)) {
      if (allow) otherPrincipals.push(describeOtherPrincipal(s, i, t));
      return;
    }
    if (allow) trusted = true;
    if (!allowsWebIdentity(s)) {
      if (allow) problems.push(describeActions(s, i));
      return;
    }
    const conditions = evaluateConditions(s.Condition, claims);
    if (!allow) {
      if (conditions.ok)
        denials.push(`statement ${i} denies this service account ("Effect": "Deny")`);
      return;
    }
    if (conditions.ok) admitting ??= i;
    else problems.push(...conditions.failures.map((failure) => `statement ${i} ${failure}`));
  });

  const result = (admits: boolean, list: string[]): TrustEvaluation => ({
    admits,
    ...(admits && admitting !== undefined ? { statementIndex: admitting } : {}),
    problems: list,
    overBroad: [...overBroad],
  });
  if (denials.length > 0) return result(false, denials);
  if (admitting !== undefined) return result(true, []);
  if (!trusted) {
    return result(false, [
      ...otherPrincipals,
      // A finding is one short line; callers that can show it print the statement to add apart
      // (buildTrustStatement in trust-policy.ts), as the --attach-role-arn error does in its detail.
      `no statement trusts the OIDC provider ${t.providerArn}`,
    ]);
  }
  return result(false, problems);
}
