// What a trust policy lets in, whoever asks: which subjects of a cluster's provider it admits
// (none named, a wildcard, exact names), whether it checks the audience, and which other
// providers it trusts. The audit's view; evaluateTrust answers for one service account.
import { parseArn } from './names.js';
import { isPlainObject, normalizeStatements, type PolicyDocument } from './policy-document.js';
import {
  allowsWebIdentity,
  positiveConditions,
  requiresOtherIssuer,
  trustsProvider,
} from './trust-evaluation.js';

const SUBJECT_PREFIX = 'system:serviceaccount:';
const WILDCARD = /[*?]/;

export interface StatementScope {
  statementIndex: number;
  /** missing: no positive sub condition; wildcard: only patterns; exact: names spelled out. */
  subject: 'missing' | 'wildcard' | 'exact';
  /** The patterns (wildcard) or names (exact) as written. */
  values: string[];
  /** A wildcard that reaches into other namespaces (or a missing sub). */
  acrossNamespaces: boolean;
  /** A positive condition on aud exists. */
  audienceChecked: boolean;
}

export interface TrustScope {
  /** The Allow web-identity statements open to the provider's tokens. */
  statements: StatementScope[];
  /** Service accounts named exactly in sub conditions. */
  exactSubjects: { namespace: string; name: string }[];
  /** Other OIDC providers that Allow web-identity statements trust. */
  otherProviders: string[];
}

export interface ProviderRef {
  providerArn: string;
  issuerHostPath: string;
}

/** Whether a sub pattern can match service accounts of more than one namespace. */
export function patternSpansNamespaces(pattern: string): boolean {
  if (!pattern.startsWith(SUBJECT_PREFIX)) return WILDCARD.test(pattern);
  const rest = pattern.slice(SUBJECT_PREFIX.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? WILDCARD.test(rest) : WILDCARD.test(rest.slice(0, colon));
}

/** "system:serviceaccount:ns:name" -> {ns, name}; anything else undefined. */
export function parseSubject(sub: string): { namespace: string; name: string } | undefined {
  if (!sub.startsWith(SUBJECT_PREFIX)) return undefined;
  const [namespace = '', name = '', ...more] = sub.slice(SUBJECT_PREFIX.length).split(':');
  return namespace && name && more.length === 0 ? { namespace, name } : undefined;
}

export function trustScope(doc: PolicyDocument, p: ProviderRef): TrustScope {
  const statements: StatementScope[] = [];
  const exact = new Map<string, { namespace: string; name: string }>();
  const others = new Set<string>();
  const host = p.issuerHostPath;
  normalizeStatements(doc).forEach((s, i) => {
    if (s.Effect !== 'Allow' || !allowsWebIdentity(s)) return;
    if (isPlainObject(s.Principal)) {
      const federated = ([] as unknown[]).concat(s.Principal.Federated ?? []);
      for (const arn of federated) {
        if (typeof arn !== 'string' || arn === p.providerArn) continue;
        if (parseArn(arn)?.resource.startsWith('oidc-provider/')) others.add(arn);
      }
    }
    if (!trustsProvider(s, p.providerArn) || requiresOtherIssuer(s.Condition, host)) return;
    const subs = positiveConditions(s.Condition, `${host}:sub`);
    const audienceChecked = positiveConditions(s.Condition, `${host}:aud`).length > 0;
    // Conditions are AND-ed: one operator that names subjects exactly bounds the statement.
    const exactOp = subs.find(
      ({ op, values }) => op.base !== 'stringlike' || !values.some((v) => WILDCARD.test(v)),
    );
    if (subs.length === 0) {
      statements.push({
        statementIndex: i,
        subject: 'missing',
        values: [],
        acrossNamespaces: true,
        audienceChecked,
      });
    } else if (exactOp) {
      for (const v of exactOp.values) {
        const parsed = parseSubject(v);
        if (parsed) exact.set(`${parsed.namespace}/${parsed.name}`, parsed);
      }
      statements.push({
        statementIndex: i,
        subject: 'exact',
        values: exactOp.values,
        acrossNamespaces: false,
        audienceChecked,
      });
    } else {
      const patterns = subs.flatMap(({ values }) => values.filter((v) => WILDCARD.test(v)));
      statements.push({
        statementIndex: i,
        subject: 'wildcard',
        values: patterns,
        acrossNamespaces: patterns.some(patternSpansNamespaces),
        audienceChecked,
      });
    }
  });
  return { statements, exactSubjects: [...exact.values()], otherProviders: [...others] };
}
