// Moving a role's trust from IRSA to EKS Pod Identity and back, pure. Migrating appends the Pod
// Identity statement for the cluster; removing IRSA drops the statements of the cluster's OIDC
// provider; rolling back puts those statements back where they were. What a rollback needs is
// recorded on the role as tags when migrating: tag values cannot hold JSON, so the removed
// statements (with their positions) are kept base64-encoded, split over as many tags as needed.
import { isPlainObject, type PolicyDocument, type PolicyStatement } from './policy-document.js';
import { AUDIENCE_ANNOTATION } from './annotations.js';
import { serviceAccountSubject, STS_AUDIENCE } from './names.js';
import { sameJson } from './same-json.js';
import { sameTrustStatement, WEB_IDENTITY_ACTION } from './trust-policy.js';

/** On a migrated role: `pods-added` (iamsa added the statement) or `pods-present` (it was there). */
export const TAG_MIGRATION = 'iamsa.io/migration';
/** On a migrated role: the cluster's IRSA statements as they were, `<prefix>0`, `<prefix>1`... */
export const TAG_IRSA_TRUST_PREFIX = 'iamsa.io/irsa-trust-';
/** On an association made by migrate-to-pod-identity: rollback deletes it. */
export const TAG_MIGRATED_FROM = 'iamsa.io/migrated-from';
/** IAM's (and EKS's) longest tag value. */
export const TAG_VALUE_MAX = 256;

/** A statement of the trust and its position, as a rollback puts it back. */
export type PlacedStatement = [index: number, statement: PolicyStatement];

const federated = (s: PolicyStatement): string[] => {
  const p = s.Principal;
  if (!isPlainObject(p) || p.Federated === undefined) return [];
  return ([] as unknown[]).concat(p.Federated).filter((v): v is string => typeof v === 'string');
};

/** The statements that trust the provider and nothing else (what removing IRSA drops). */
export function providerStatements(doc: PolicyDocument, providerArn: string): PlacedStatement[] {
  return doc.Statement.flatMap((s, i): PlacedStatement[] => {
    const principals = federated(s);
    return principals.length > 0 && principals.every((p) => p === providerArn) ? [[i, s]] : [];
  });
}

export function withoutStatements(doc: PolicyDocument, drop: PolicyStatement[]): PolicyDocument {
  return { ...doc, Statement: doc.Statement.filter((s) => !drop.some((d) => sameJson(s, d))) };
}

export function withStatement(doc: PolicyDocument, statement: PolicyStatement): PolicyDocument {
  return { ...doc, Statement: [...doc.Statement, statement] };
}

/** Puts statements back at their recorded positions (those already there are left alone). */
export function withPlacedStatements(
  doc: PolicyDocument,
  placed: PlacedStatement[],
): PolicyDocument {
  const statements = [...doc.Statement];
  for (const [index, statement] of [...placed].sort((a, b) => a[0] - b[0])) {
    if (statements.some((s) => sameJson(s, statement))) continue;
    statements.splice(Math.min(index, statements.length), 0, statement);
  }
  return { ...doc, Statement: statements };
}

/** The statements as tags (`<prefix>N` = a base64 chunk), for the role's tag set. */
export function recordStatements(
  placed: PlacedStatement[],
  prefix = TAG_IRSA_TRUST_PREFIX,
): Record<string, string> {
  const text = Buffer.from(JSON.stringify(placed), 'utf8').toString('base64');
  const tags: Record<string, string> = {};
  for (let i = 0; i * TAG_VALUE_MAX < text.length; i++) {
    tags[`${prefix}${i}`] = text.slice(i * TAG_VALUE_MAX, (i + 1) * TAG_VALUE_MAX);
  }
  return tags;
}

/** The recorded statements, or undefined when the tags hold none (or are damaged). */
export function recordedStatements(
  tags: Record<string, string>,
  prefix = TAG_IRSA_TRUST_PREFIX,
): PlacedStatement[] | undefined {
  const chunks: string[] = [];
  for (let i = 0; tags[`${prefix}${i}`] !== undefined; i++) {
    chunks.push(tags[`${prefix}${i}`] ?? '');
  }
  if (!chunks.length) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(chunks.join(''), 'base64').toString('utf8'));
    if (!Array.isArray(value)) return undefined;
    const placed = value.filter(
      (v): v is PlacedStatement =>
        Array.isArray(v) && typeof v[0] === 'number' && isPlainObject(v[1]),
    );
    return placed.length === value.length ? placed : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the trust has this statement (however its keys and single values are written). */
export const hasStatement = (doc: PolicyDocument, statement: PolicyStatement): boolean =>
  doc.Statement.some((s) => sameTrustStatement(s, statement));

/**
 * Whether a role is being migrated to Pod Identity, from what iamsa recorded AND the trust as it
 * is: the migration tag, a readable record of the IRSA trust, and the Pod Identity statement for
 * the cluster already in the trust (migrate-to-pod-identity writes all three, --rollback removes
 * them). A tag alone is stale or forged: anyone with iam:TagRole could write it, and it must not
 * open an IRSA role to Pod Identity.
 */
export function isMigrating(
  tags: Record<string, string>,
  trust: PolicyDocument,
  podIdentityStatement: PolicyStatement,
): boolean {
  return (
    tags[TAG_MIGRATION] !== undefined &&
    recordedStatements(tags) !== undefined &&
    hasStatement(trust, podIdentityStatement)
  );
}

/** The migration's tag keys on a role (to remove on rollback). */
export const migrationTagKeys = (tags: Record<string, string>): string[] =>
  Object.keys(tags).filter((k) => k === TAG_MIGRATION || k.startsWith(TAG_IRSA_TRUST_PREFIX));

const one = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 ? v[0] : v);

/**
 * Whether a recorded statement is one a rollback may put back: an Allow whose sole principal is
 * this cluster's provider, whose sole action is sts:AssumeRoleWithWebIdentity, and whose only
 * condition is StringEquals on exactly two keys: the sub (one of `subjects`, exactly) and the aud
 * (one of `audiences`). The record is tags, which anyone with iam:TagRole can write: nothing wider
 * (no statement without its aud either) goes back into a trust from there.
 */
export function isRestorableStatement(
  s: PolicyStatement,
  providerArn: string,
  issuerHostPath: string,
  subjects: string[],
  audiences: readonly string[] = [STS_AUDIENCE],
): boolean {
  const allowed = ['Sid', 'Effect', 'Principal', 'Action', 'Condition'];
  if (Object.keys(s).some((k) => !allowed.includes(k)) || s.Effect !== 'Allow') return false;
  const p = s.Principal;
  if (!isPlainObject(p) || Object.keys(p).length !== 1 || one(p.Federated) !== providerArn)
    return false;
  if (one(s.Action) !== WEB_IDENTITY_ACTION) return false;
  const c = s.Condition;
  if (!isPlainObject(c) || Object.keys(c).length !== 1 || !isPlainObject(c.StringEquals))
    return false;
  const host = issuerHostPath.toLowerCase();
  const entries = Object.entries(c.StringEquals);
  const only = (key: string, wanted: readonly string[]) => {
    const found = entries.filter(([k]) => k.toLowerCase() === `${host}:${key}`);
    const v = found.length === 1 ? one(found[0]?.[1]) : undefined;
    return typeof v === 'string' && wanted.includes(v);
  };
  return entries.length === 2 && only('sub', subjects) && only('aud', audiences);
}

/** A service account a rollback may restore a statement for, with its annotations if read. */
export interface RestorableFor {
  namespace: string;
  name: string;
  annotations?: Record<string, string> | undefined;
}

/**
 * The audiences a restored statement may hold, by subject: STS's, or the one the service account
 * declares now (its eks.amazonaws.com/audience annotation, which only a Kubernetes editor of that
 * service account controls), never one only the record (tags) names.
 */
export function restorableAudiences(accounts: readonly RestorableFor[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const a of accounts) {
    const subject = serviceAccountSubject(a.namespace, a.name);
    const declared = a.annotations?.[AUDIENCE_ANNOTATION];
    const known = found.get(subject) ?? [STS_AUDIENCE];
    found.set(subject, declared && !known.includes(declared) ? [...known, declared] : known);
  }
  return found;
}

/**
 * The first recorded statement a rollback may not put back, or undefined when all may: each is
 * restorable (isRestorableStatement) for one service account of `audiences` with one of its
 * audiences, and no service account has two. A record failing this was edited: refused whole.
 */
export function unrestorableStatement(
  recorded: readonly PlacedStatement[],
  providerArn: string,
  issuerHostPath: string,
  audiences: ReadonlyMap<string, readonly string[]>,
): PlacedStatement | undefined {
  const seen = new Set<string>();
  return recorded.find(([, s]) => {
    const subject = [...audiences].find(([sub, auds]) =>
      isRestorableStatement(s, providerArn, issuerHostPath, [sub], auds),
    )?.[0];
    if (subject === undefined || seen.has(subject)) return true;
    seen.add(subject);
    return false;
  });
}
