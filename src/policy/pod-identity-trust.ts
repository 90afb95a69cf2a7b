// Role trust for EKS Pod Identity: the one statement for the service principal
// pods.eks.amazonaws.com (sts:AssumeRole and sts:TagSession), narrowed to the cluster's account and
// ARN so another account's or cluster's association cannot use the role; and judging a trust the
// way IAM would for a Pod Identity session of one cluster.
import {
  normalizeStatements,
  type PolicyDocument,
  type PolicyStatement,
} from './policy-document.js';
import { isPlainObject } from './policy-document.js';
import { TAG_MECHANISM } from './ownership.js';
import { parseTrustPolicy, sameTrustStatement } from './trust-policy.js';
import {
  type ClaimState,
  type Operator,
  parseOperator,
  POSITIVE_STRING_OPERATORS,
  positiveConditions,
  scalars,
  strings,
  testOperator,
  type TrustEvaluation,
  wildcardMatch,
} from './trust-evaluation.js';

export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';
export const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'] as const;
export const SOURCE_ACCOUNT_KEY = 'aws:SourceAccount';
export const SOURCE_ARN_KEY = 'aws:SourceArn';

export interface PodIdentityTrustTarget {
  accountId: string;
  /** The clusters whose associations may use the role (one, or several for a shared role). */
  clusterArns: string[];
}

/** What a Pod Identity session of one service account of one cluster brings to IAM. */
export interface PodIdentitySession {
  accountId: string;
  clusterArn: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  /** With session tags disabled, no aws:RequestTag/* key is present. */
  sessionTags?: boolean;
}

const one = (values: string[]): string | string[] =>
  values.length === 1 ? (values[0] ?? '') : [...values].sort();

export function buildPodIdentityTrustStatement(t: PodIdentityTrustTarget): PolicyStatement {
  return {
    Effect: 'Allow',
    Principal: { Service: POD_IDENTITY_PRINCIPAL },
    Action: [...POD_IDENTITY_ACTIONS],
    Condition: {
      StringEquals: { [SOURCE_ACCOUNT_KEY]: t.accountId },
      ArnEquals: { [SOURCE_ARN_KEY]: one(t.clusterArns) },
    },
  };
}

export function buildPodIdentityTrustPolicy(t: PodIdentityTrustTarget): PolicyDocument {
  return { Version: '2012-10-17', Statement: [buildPodIdentityTrustStatement(t)] };
}

/** Whether a statement names the Pod Identity service principal (or every principal). */
export function trustsPodIdentity(s: PolicyStatement): boolean {
  if (s.Principal !== undefined) {
    if (s.Principal === '*') return true;
    return (
      isPlainObject(s.Principal) && strings(s.Principal.Service).includes(POD_IDENTITY_PRINCIPAL)
    );
  }
  if (s.NotPrincipal !== undefined && isPlainObject(s.NotPrincipal)) {
    return !strings(s.NotPrincipal.Service).includes(POD_IDENTITY_PRINCIPAL);
  }
  return false;
}

/**
 * Whether an Allow statement of a role's trust (as IAM returns it) names the Pod Identity service
 * principal or everyone: whoever an association names gets that role. A trust that does not parse
 * admits nothing here.
 */
export function trustAdmitsPodIdentity(role: { name: string; trustPolicy: string }): boolean {
  try {
    const trust = parseTrustPolicy(role.trustPolicy, `the trust policy of role ${role.name}`);
    return normalizeStatements(trust).some((s) => s.Effect === 'Allow' && trustsPodIdentity(s));
  } catch {
    return false;
  }
}

/** A role iamsa made for Pod Identity (or is migrating to it): by its tag or its trust. */
export const isPodIdentityRole = (role: {
  name: string;
  trustPolicy: string;
  tags: Record<string, string>;
}): boolean => role.tags[TAG_MECHANISM] === 'pod-identity' || trustAdmitsPodIdentity(role);

/**
 * The Allow statements of a trust that name the Pod Identity service principal (or everyone) other
 * than `narrowed`, iamsa's statement for the role's cluster: on a role iamsa owns they are drift,
 * since they let associations of other clusters (or accounts) use the role.
 */
export function unnarrowedPodIdentityStatements(
  doc: PolicyDocument,
  narrowed: PolicyStatement,
): PolicyStatement[] {
  return doc.Statement.filter(
    (s) => s.Effect === 'Allow' && trustsPodIdentity(s) && !sameTrustStatement(s, narrowed),
  );
}

const allows = (s: PolicyStatement, action: string): boolean =>
  s.Action !== undefined
    ? strings(s.Action).some((p) => wildcardMatch(p, action, true))
    : s.NotAction !== undefined &&
      !strings(s.NotAction).some((p) => wildcardMatch(p, action, true));

/** The context keys of the session, lower-cased; keys iamsa cannot know are left out. */
function contextOf(t: PodIdentitySession): Map<string, string> {
  const keys = new Map<string, string>([
    ['aws:sourceaccount', t.accountId],
    ['aws:sourcearn', t.clusterArn],
  ]);
  if (t.sessionTags !== false) {
    keys.set('aws:requesttag/eks-cluster-arn', t.clusterArn);
    keys.set('aws:requesttag/eks-cluster-name', t.clusterName);
    keys.set('aws:requesttag/kubernetes-namespace', t.namespace);
    keys.set('aws:requesttag/kubernetes-service-account', t.serviceAccount);
  }
  return keys;
}

/** aws:SourceArn is an ARN: the Arn* operators apply too (both take wildcards, like StringLike). */
const POSITIVE_OPERATORS = new Set([...POSITIVE_STRING_OPERATORS, 'arnequals', 'arnlike']);

function test(op: Operator, state: ClaimState, values: string[]): boolean | undefined {
  if (!op.base.startsWith('arn')) return testOperator(op, state, values);
  const like = { ...op, base: op.base.includes('not') ? 'stringnotlike' : 'stringlike' };
  return state.present && !state.value.startsWith('arn:')
    ? op.base.includes('not')
    : testOperator(like, state, values);
}

const KNOWN_ABSENT_WITHOUT_TAGS =
  /^aws:requesttag\/(eks-cluster-(arn|name)|kubernetes-(namespace|service-account|pod-name|pod-uid))$/;

function conditionFailures(condition: unknown, t: PodIdentitySession): string[] {
  const context = contextOf(t);
  const failures: string[] = [];
  if (!isPlainObject(condition)) return failures;
  for (const [name, block] of Object.entries(condition)) {
    if (!isPlainObject(block)) continue;
    const op = parseOperator(name);
    for (const [key, raw] of Object.entries(block)) {
      const k = key.toLowerCase();
      const value = context.get(k);
      let state: ClaimState | undefined;
      if (value !== undefined) state = { present: true, value };
      else if (t.sessionTags === false && KNOWN_ABSENT_WITHOUT_TAGS.test(k)) {
        state = { present: false };
      }
      // Keys iamsa cannot know (pod name, principal tags...) are assumed to hold.
      if (state === undefined) continue;
      const values = scalars(raw);
      const result = test(op, state, values);
      if (result === undefined) {
        failures.push(`uses ${name} on "${key}", which iamsa cannot evaluate`);
      } else if (!result) {
        failures.push(
          state.present
            ? `requires ${key} ${name} ${JSON.stringify(values.length === 1 ? values[0] : values)}, not ${JSON.stringify(state.value)}`
            : `requires ${key}, which is absent with session tags disabled`,
        );
      }
    }
  }
  return failures;
}

/**
 * Whether IAM would let a Pod Identity session of this cluster's service account assume a role
 * with this trust: an Allow statement for pods.eks.amazonaws.com allowing sts:AssumeRole and
 * sts:TagSession with conditions that hold, and no matching Deny. `overBroad` lists statements
 * that let other clusters' associations in (no aws:SourceArn or aws:SourceAccount condition).
 */
export function evaluatePodIdentityTrust(
  doc: PolicyDocument,
  t: PodIdentitySession,
): TrustEvaluation {
  const problems: string[] = [];
  const denials: string[] = [];
  const overBroad: string[] = [];
  let admitting: number | undefined;
  let trusted = false;
  normalizeStatements(doc).forEach((s, i) => {
    if (!trustsPodIdentity(s)) return;
    const allow = s.Effect === 'Allow';
    const missing = POD_IDENTITY_ACTIONS.filter((a) => !allows(s, a));
    if (allow) {
      trusted = true;
      if (s.Principal === '*') {
        overBroad.push(
          `statement ${i} trusts every principal ("Principal": "*"); name {"Service": "${POD_IDENTITY_PRINCIPAL}"} instead`,
        );
      }
      if (!positiveConditions(s.Condition, SOURCE_ARN_KEY, POSITIVE_OPERATORS).length) {
        overBroad.push(
          `statement ${i} has no condition on ${SOURCE_ARN_KEY}: the Pod Identity associations of every cluster${positiveConditions(s.Condition, SOURCE_ACCOUNT_KEY, POSITIVE_OPERATORS).length ? ' of the account' : ' in any account'} can use this role; add ArnEquals "${SOURCE_ARN_KEY}": "${t.clusterArn}"`,
        );
      }
    }
    const failures = conditionFailures(s.Condition, t);
    if (!allow) {
      if (missing.length < POD_IDENTITY_ACTIONS.length && !failures.length) {
        denials.push(
          `statement ${i} denies Pod Identity sessions of this cluster ("Effect": "Deny")`,
        );
      }
      return;
    }
    if (missing.length) {
      problems.push(
        `statement ${i} does not allow ${missing.join(' and ')}, which Pod Identity needs`,
      );
      return;
    }
    if (failures.length) problems.push(...failures.map((f) => `statement ${i} ${f}`));
    else admitting ??= i;
  });
  const result = (admits: boolean, list: string[]): TrustEvaluation => ({
    admits,
    ...(admits && admitting !== undefined ? { statementIndex: admitting } : {}),
    problems: list,
    overBroad,
  });
  if (denials.length) return result(false, denials);
  if (admitting !== undefined) return result(true, []);
  if (!trusted) {
    return result(false, [`no statement trusts the service principal ${POD_IDENTITY_PRINCIPAL}`]);
  }
  return result(false, problems);
}
