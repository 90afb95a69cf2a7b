// What a trust policy lets in, whoever asks: which subjects of a cluster's provider it admits
// (none named, a wildcard, exact names), whether it checks the audience, and which other
// providers it trusts. The audit's view; evaluateTrust answers for one service account.
import { parseArn } from './names.js';
import {
  isPlainObject,
  normalizeStatements,
  type PolicyDocument,
  type PolicyStatement,
} from './policy-document.js';
import {
  allowsWebIdentity,
  parseOperator,
  positiveConditions,
  requiresOtherIssuer,
  scalars,
  strings,
  trustsProvider,
  wildcardMatch,
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
  /** A positive condition on aud that names audiences (not only patterns like "*") exists. */
  audienceChecked: boolean;
  /** The aud patterns (StringLike with * or ?) when they are all that checks the audience. */
  audienceWildcards: string[];
  /**
   * The audiences a named aud condition accepts (the narrowest, as conditions are AND-ed): more
   * than one means tokens the service account got for another audience are accepted too.
   */
  audiences: string[];
}

/** An Allow statement open to every AWS principal (Principal "*" or AWS "*", or NotPrincipal). */
export interface OpenStatement {
  statementIndex: number;
  /** The actions it allows, as written. */
  actions: string[];
  /** It has conditions (they may narrow it, e.g. aws:PrincipalOrgID). */
  conditioned: boolean;
  /** Principal "*" or NotPrincipal: federated principals (SAML providers) too, not only AWS's. */
  everyone: boolean;
}

export interface TrustScope {
  /** The Allow web-identity statements open to the provider's tokens. */
  statements: StatementScope[];
  /** Service accounts named exactly in sub conditions. */
  exactSubjects: { namespace: string; name: string }[];
  /** Other OIDC providers that Allow web-identity statements trust. */
  otherProviders: string[];
  /** Allow statements that let any AWS principal assume the role (sts:AssumeRole and kin). */
  openStatements: OpenStatement[];
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

/**
 * The actions by which a principal other than a web identity assumes a role, by who it is: an AWS
 * principal (user, role, account) only with sts:AssumeRole; sts:AssumeRoleWithSAML needs a SAML
 * provider as its principal, which `"AWS": "*"` does not match but `"*"` and NotPrincipal do.
 */
const AWS_ASSUME_ACTIONS = ['sts:AssumeRole'];
const ANY_ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML'];

function openStatement(s: PolicyStatement, i: number): OpenStatement | undefined {
  if (s.Effect !== 'Allow') return undefined;
  const p = s.Principal;
  const everyone = p === '*' || (p === undefined && s.NotPrincipal !== undefined);
  const awsAny = isPlainObject(p) && strings(p.AWS).includes('*');
  if (!everyone && !awsAny) return undefined;
  const assumeActions = everyone ? ANY_ASSUME_ACTIONS : AWS_ASSUME_ACTIONS;
  const actions = s.Action !== undefined ? strings(s.Action) : [];
  const allows = (a: string) =>
    s.Action !== undefined
      ? actions.some((x) => wildcardMatch(x, a, true))
      : !strings(s.NotAction).some((x) => wildcardMatch(x, a, true));
  if (!assumeActions.some(allows)) return undefined;
  const conditioned = isPlainObject(s.Condition) && Object.keys(s.Condition).length > 0;
  return {
    statementIndex: i,
    actions: s.Action !== undefined ? actions : [`NotAction ${strings(s.NotAction).join(',')}`],
    conditioned,
    everyone,
  };
}

/**
 * What the Deny statements for the provider's tokens leave of the Allows: nothing (a Deny without
 * conditions), or the subjects (audiences) a Deny `StringNotEquals`/`StringNotLike` on that one
 * key lets through. A Deny with several keys denies only when all of them match: no bound.
 */
interface DenyBounds {
  blanket: boolean;
  subjects?: { values: string[]; wildcard: boolean };
  audienceBounded: boolean;
}

function denyBounds(statements: PolicyStatement[], p: ProviderRef): DenyBounds {
  const bounds: DenyBounds = { blanket: false, audienceBounded: false };
  const host = p.issuerHostPath.toLowerCase();
  for (const s of statements) {
    if (s.Effect !== 'Deny' || !allowsWebIdentity(s) || !trustsProvider(s, p.providerArn)) continue;
    const c = s.Condition;
    if (!isPlainObject(c) || Object.keys(c).length === 0) {
      bounds.blanket = true;
      continue;
    }
    const entries = Object.entries(c);
    if (entries.length !== 1) continue;
    const [name, block] = entries[0] as [string, unknown];
    if (!isPlainObject(block) || Object.keys(block).length !== 1) continue;
    const op = parseOperator(name);
    if (op.set || op.ifExists) continue;
    const [key, raw] = Object.entries(block)[0] as [string, unknown];
    const values = scalars(raw);
    const k = key.toLowerCase();
    if (k === `${host}:sub` && ['stringnotequals', 'stringnotlike'].includes(op.base)) {
      const wildcard = op.base === 'stringnotlike' && values.some((v) => WILDCARD.test(v));
      bounds.subjects = { values, wildcard };
    } else if (k === `${host}:aud` && op.base === 'stringnotequals') {
      bounds.audienceBounded = true;
    }
  }
  return bounds;
}

export function trustScope(doc: PolicyDocument, p: ProviderRef): TrustScope {
  const statements: StatementScope[] = [];
  const exact = new Map<string, { namespace: string; name: string }>();
  const others = new Set<string>();
  const host = p.issuerHostPath;
  const all = normalizeStatements(doc);
  const openStatements = all.flatMap((s, i) => openStatement(s, i) ?? []);
  const deny = denyBounds(all, p);
  all.forEach((s, i) => {
    if (s.Effect !== 'Allow' || !allowsWebIdentity(s)) return;
    if (isPlainObject(s.Principal)) {
      const federated = ([] as unknown[]).concat(s.Principal.Federated ?? []);
      for (const arn of federated) {
        if (typeof arn !== 'string' || arn === p.providerArn) continue;
        if (parseArn(arn)?.resource.startsWith('oidc-provider/')) others.add(arn);
      }
    }
    if (!trustsProvider(s, p.providerArn) || requiresOtherIssuer(s.Condition, host)) return;
    if (deny.blanket) return; // nobody's token gets through
    const subs = [
      ...positiveConditions(s.Condition, `${host}:sub`),
      // A Deny StringNotEquals sub bounds every Allow as a StringEquals would.
      ...(deny.subjects
        ? [
            {
              op: parseOperator(deny.subjects.wildcard ? 'StringLike' : 'StringEquals'),
              values: deny.subjects.values,
            },
          ]
        : []),
    ];
    const auds = positiveConditions(s.Condition, `${host}:aud`);
    const named = auds.filter(
      ({ op, values }) => op.base !== 'stringlike' || !values.some((v) => WILDCARD.test(v)),
    );
    const audienceChecked = named.length > 0 || deny.audienceBounded;
    const audienceWildcards = audienceChecked
      ? []
      : auds.flatMap(({ values }) => values.filter((v) => WILDCARD.test(v)));
    const audiences =
      named.map(({ values }) => [...new Set(values)]).sort((a, b) => a.length - b.length)[0] ?? [];
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
        audienceWildcards,
        audiences,
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
        audienceWildcards,
        audiences,
      });
    } else {
      const patterns = subs.flatMap(({ values }) => values.filter((v) => WILDCARD.test(v)));
      statements.push({
        statementIndex: i,
        subject: 'wildcard',
        values: patterns,
        acrossNamespaces: patterns.some(patternSpansNamespaces),
        audienceChecked,
        audienceWildcards,
        audiences,
      });
    }
  });
  return {
    statements,
    exactSubjects: [...exact.values()],
    otherProviders: [...others],
    openStatements,
  };
}
