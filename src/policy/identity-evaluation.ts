// Evaluating identity (permissions) policies the way IAM does for one request: an explicit Deny
// wins, else any matching Allow allows, else the request is implicitly denied. Conditions are
// evaluated against the request context given; an operator iamsa does not know is an error, never
// a guess. Used to prove what a generated policy lets a controller do (and not do).
import {
  normalizeStatements,
  type PolicyDocument,
  type PolicyStatement,
} from './policy-document.js';
import { wildcardMatch } from './trust-evaluation.js';

export interface IdentityRequest {
  action: string;
  resource: string;
  /** Condition keys of the request (aws:ResourceTag/…, aws:RequestedRegion, …), any case. */
  context?: Record<string, string | string[]>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

const list = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => String(x));

export function evaluateIdentityPolicies(
  documents: PolicyDocument[],
  request: IdentityRequest,
): Decision {
  const statements = documents.flatMap((d) => normalizeStatements(d));
  const context = new Map(
    Object.entries(request.context ?? {}).map(([k, v]) => [k.toLowerCase(), list(v)]),
  );
  const applies = (s: PolicyStatement) =>
    matchesElement(s.Action, s.NotAction, (p) => wildcardMatch(p, request.action, true)) &&
    matchesElement(s.Resource, s.NotResource, (p) => wildcardMatch(p, request.resource)) &&
    conditionsHold(s.Condition ?? {}, context);
  const matching = statements.filter(applies);
  if (matching.some((s) => s.Effect === 'Deny')) return 'explicit-deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}

function matchesElement(
  positive: unknown,
  negative: unknown,
  match: (pattern: string) => boolean,
): boolean {
  if (positive !== undefined) return list(positive).some(match);
  return !list(negative).some(match);
}

function conditionsHold(
  condition: Record<string, Record<string, unknown>>,
  context: Map<string, string[]>,
): boolean {
  return Object.entries(condition).every(([operator, block]) =>
    Object.entries(block).every(([key, values]) =>
      testCondition(operator, context.get(key.toLowerCase()), list(values)),
    ),
  );
}

type Compare = (policyValue: string, requestValue: string) => boolean;

const COMPARE: Record<string, { compare: Compare; negated: boolean }> = {
  stringequals: { compare: (p, v) => p === v, negated: false },
  stringnotequals: { compare: (p, v) => p === v, negated: true },
  stringequalsignorecase: {
    compare: (p, v) => p.toLowerCase() === v.toLowerCase(),
    negated: false,
  },
  stringnotequalsignorecase: {
    compare: (p, v) => p.toLowerCase() === v.toLowerCase(),
    negated: true,
  },
  stringlike: { compare: (p, v) => wildcardMatch(p, v), negated: false },
  stringnotlike: { compare: (p, v) => wildcardMatch(p, v), negated: true },
  arnequals: { compare: (p, v) => wildcardMatch(p, v), negated: false },
  arnlike: { compare: (p, v) => wildcardMatch(p, v), negated: false },
  arnnotequals: { compare: (p, v) => wildcardMatch(p, v), negated: true },
  arnnotlike: { compare: (p, v) => wildcardMatch(p, v), negated: true },
  bool: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

function testCondition(operator: string, present: string[] | undefined, values: string[]): boolean {
  const m = /^(ForAnyValue:|ForAllValues:)?(.*?)(IfExists)?$/i.exec(operator);
  const set = m?.[1]?.toLowerCase();
  const base = (m?.[2] ?? operator).toLowerCase();
  const ifExists = m?.[3] !== undefined;
  if (base === 'null') {
    const wantsAbsent = values.some((v) => v.toLowerCase() === 'true');
    return wantsAbsent === (present === undefined);
  }
  const op = COMPARE[base];
  if (!op) throw new Error(`condition operator ${operator} is not supported by this evaluator`);
  if (present === undefined) {
    if (ifExists || set === 'forallvalues:') return true;
    if (set === 'foranyvalue:') return false;
    return op.negated; // a missing key matches no value, so "does not equal" holds
  }
  const matchesAny = (v: string) => values.some((p) => op.compare(p, v));
  const holds = (v: string) => (op.negated ? !matchesAny(v) : matchesAny(v));
  if (set === 'forallvalues:') return present.every(holds);
  if (set === 'foranyvalue:') return present.some(holds);
  const any = present.some(matchesAny);
  return op.negated ? !any : any;
}
