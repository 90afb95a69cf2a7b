// The trust edits of migrate-from-kube2iam, pure. A kube2iam/kiam role is not iamsa's: the only
// edit allowed on it is adding the IRSA statements of the service accounts that used it, with its
// whole trust as it was recorded in tags (for --rollback), and, with --cleanup, dropping the
// statements that trusted the daemon (the node role or kiam server role) that were recorded there.
// --rollback is the inverse edit, never a restore: the tags are writable by anyone with iam:TagRole.
import {
  isRestorableStatement,
  recordedStatements,
  recordStatements,
  withoutStatements,
  withPlacedStatements,
} from './migration-trust.js';
import type { DaemonConfig } from './daemon-restrictions.js';
import { isPlainObject, type PolicyDocument, type PolicyStatement } from './policy-document.js';
import { sameJson } from './same-json.js';
import { decodePolicyText } from './json-text.js';
import { serviceAccountSubject } from './names.js';
import { parseTrustPolicy } from './trust-policy.js';
import { strings, wildcardMatch } from './trust-evaluation.js';

/** On a migrated role: the daemon it came from (`kube2iam` or `kiam`). */
export const TAG_KUBE2IAM_MIGRATION = 'iamsa.io/kube2iam-migration';
/**
 * On a migrated role: the migration's flags that describe the daemon (`--namespace-restrictions
 * --base-role-arn ARN`...), so the commands audit and doctor suggest resolve requests as it does.
 */
export const TAG_KUBE2IAM_DAEMON_FLAGS = 'iamsa.io/kube2iam-daemon';
/** On a migrated role: its whole trust as it was, `<prefix>0`, `<prefix>1`... */
export const TAG_KUBE2IAM_TRUST_PREFIX = 'iamsa.io/kube2iam-trust-';
/** On a migrated workload: what its pod template asked for (JSON), for --rollback. */
export const KUBE2IAM_RECORD_ANNOTATION = 'iamsa.io/kube2iam-migration';
/** On a service account the migration made (`created`) or annotated (`annotated`). */
export const KUBE2IAM_SA_ANNOTATION = 'iamsa.io/kube2iam-service-account';

export const recordTrust = (doc: PolicyDocument): Record<string, string> =>
  recordStatements(
    doc.Statement.map((s, i) => [i, s]),
    TAG_KUBE2IAM_TRUST_PREFIX,
  );

/** The recorded statements, in order, or undefined when the tags hold none (or are damaged). */
export const recordedTrust = (tags: Record<string, string>): PolicyStatement[] | undefined =>
  recordedStatements(tags, TAG_KUBE2IAM_TRUST_PREFIX)
    ?.sort((a, b) => a[0] - b[0])
    .map(([, s]) => s);

export const kube2iamTagKeys = (tags: Record<string, string>): string[] =>
  Object.keys(tags).filter(
    (k) =>
      k === TAG_KUBE2IAM_MIGRATION ||
      k === TAG_KUBE2IAM_DAEMON_FLAGS ||
      k.startsWith(TAG_KUBE2IAM_TRUST_PREFIX),
  );

/** What IAM takes in a tag value. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/**
 * The daemon's flags as migrate-from-kube2iam was given them (besides --flavour), for the tag:
 * only those that differ from the defaults; a --default-role IAM cannot hold in a tag is left out.
 */
export function daemonFlagsTag(
  daemon: Omit<DaemonConfig, 'baseRoleArn'> & { baseRoleArn?: string },
): string {
  const words = [
    ...(daemon.namespaceRestrictions ? ['--namespace-restrictions'] : []),
    ...(daemon.restrictionFormat !== 'glob'
      ? ['--namespace-restriction-format', daemon.restrictionFormat]
      : []),
    ...(daemon.strictRegexp ? ['--strict-namespace-regexp'] : []),
    ...(daemon.baseRoleArn !== undefined ? ['--base-role-arn', daemon.baseRoleArn] : []),
  ];
  const role = daemon.defaultRole;
  const withRole = role !== undefined ? [...words, '--default-role', role].join(' ') : '';
  return role !== undefined && !/\s/.test(role) && TAG_VALUE.test(withRole)
    ? withRole
    : words.join(' ');
}

/** The flags a daemon-flags tag holds, as words (a damaged tag gives none). */
export function daemonFlagsOf(tags: Record<string, string>): string[] {
  const value = tags[TAG_KUBE2IAM_DAEMON_FLAGS];
  if (!value || !TAG_VALUE.test(value)) return [];
  const words = value.split(' ').filter(Boolean);
  const known = new Set([
    '--namespace-restrictions',
    '--namespace-restriction-format',
    '--strict-namespace-regexp',
    '--base-role-arn',
    '--default-role',
  ]);
  // Only flags iamsa writes there, each value after its flag: tags are anyone's to edit.
  const valued = new Set(['--namespace-restriction-format', '--base-role-arn', '--default-role']);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (!known.has(w)) return [];
    if (valued.has(w)) {
      const v = words[++i];
      if (v === undefined || v.startsWith('-')) return [];
    }
  }
  return words;
}

const ROLE_PRINCIPAL = /^arn:aws[\w-]*:iam::\d{12}:role\/.+/;
const DAEMON_ACTIONS = new Set(['sts:AssumeRole', 'sts:TagSession']);

/** The IAM role principals of a statement that lets roles assume this one, else undefined. */
export function daemonPrincipals(s: PolicyStatement): string[] | undefined {
  if (s.Effect !== 'Allow' || !isPlainObject(s.Principal)) return undefined;
  const { AWS, ...others } = s.Principal;
  if (Object.keys(others).length || AWS === undefined) return undefined;
  const principals = ([] as unknown[]).concat(AWS);
  const actions = ([] as unknown[]).concat(s.Action ?? []);
  if (!principals.every((p) => typeof p === 'string' && ROLE_PRINCIPAL.test(p))) return undefined;
  if (!actions.includes('sts:AssumeRole') || !actions.every((a) => DAEMON_ACTIONS.has(a as string)))
    return undefined;
  return principals as string[];
}

/**
 * What --cleanup drops: the recorded statements that let the daemon's role(s) assume this one,
 * still in the trust. With daemon roles given, only statements whose principals are all among them.
 */
export function daemonStatements(
  current: PolicyDocument,
  recorded: PolicyStatement[],
  daemonRoles: string[],
): PolicyStatement[] {
  return current.Statement.filter((s) => {
    const principals = daemonPrincipals(s);
    if (!principals || !recorded.some((r) => sameJson(r, s))) return false;
    return !daemonRoles.length || principals.every((p) => daemonRoles.includes(p));
  });
}

const one = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 ? v[0] : v);

/**
 * The role principals of a statement of the daemon-trust shape, whatever their account: an Allow
 * of specific IAM roles (no wildcard, no NotPrincipal), sts:AssumeRole (and sts:TagSession), with
 * no condition but kube2iam's sts:ExternalId. Undefined for any other statement.
 */
function plainDaemonPrincipals(s: PolicyStatement): string[] | undefined {
  const allowed = ['Sid', 'Effect', 'Principal', 'Action', 'Condition'];
  if (Object.keys(s).some((k) => !allowed.includes(k)) || s.Effect !== 'Allow') return undefined;
  const principals = daemonPrincipals(s);
  if (!principals?.length) return undefined;
  const c = s.Condition;
  if (c === undefined) return principals;
  if (!isPlainObject(c) || Object.keys(c).length !== 1 || !isPlainObject(c.StringEquals))
    return undefined;
  const entries = Object.entries(c.StringEquals);
  return entries.length === 1 &&
    entries.every(([k, v]) => k.toLowerCase() === 'sts:externalid' && typeof one(v) === 'string')
    ? principals
    : undefined;
}

/**
 * Whether a statement has the daemon-trust shape that --cleanup may drop and --rollback may put
 * back: an Allow whose principals are specific IAM roles of the cluster's account (no wildcard, no
 * NotPrincipal), whose actions are sts:AssumeRole (and sts:TagSession), with no condition but
 * kube2iam's sts:ExternalId. The record is tags: nothing wider goes back into a trust from there.
 */
export function isDaemonTrustStatement(s: PolicyStatement, accountId: string): boolean {
  const principals = plainDaemonPrincipals(s);
  const ownRole = new RegExp(`^arn:aws[\\w-]*:iam::${accountId}:role/[\\w+=,.@/-]+$`);
  return !!principals && principals.every((p) => ownRole.test(p));
}

/** Whether an Action (a string or list, IAM wildcards, any case) covers sts:AssumeRole. */
const coversAssumeRole = (action: unknown): boolean =>
  strings(action).some((a) => wildcardMatch(a, 'sts:AssumeRole', true));

/**
 * Why the daemon (kube2iam's node role, kiam's server role) could not assume a role with this
 * trust today, or undefined when it can: so a workload's request for the role is something the
 * daemon could hand out, and migrate-from-kube2iam may move it to IRSA. With daemon roles given,
 * an Allow of the daemon-trust shape must name one of them; without, it must name a role of the
 * cluster's account. Strict: a Deny that may cover sts:AssumeRole, an account-root or wildcard
 * principal, or a condition other than sts:ExternalId (MFA, source IP...) does not count.
 */
export function daemonTrustGap(
  doc: PolicyDocument,
  c: { accountId: string; daemonRoleArns: string[] },
): string | undefined {
  const deny = doc.Statement.find(
    (s) => s.Effect !== 'Allow' && (s.NotAction !== undefined || coversAssumeRole(s.Action)),
  );
  if (deny)
    return `its trust has a Deny statement that may stop the daemon: ${JSON.stringify(deny)}`;
  const admits = doc.Statement.some((s) => {
    if (!c.daemonRoleArns.length) return isDaemonTrustStatement(s, c.accountId);
    return plainDaemonPrincipals(s)?.some((p) => c.daemonRoleArns.includes(p)) ?? false;
  });
  if (admits) return undefined;
  return c.daemonRoleArns.length
    ? `its trust does not let ${c.daemonRoleArns.join(' or ')} assume it (an Allow of sts:AssumeRole naming that role, with no condition but sts:ExternalId)`
    : `its trust lets no role of account ${c.accountId} assume it (an Allow of sts:AssumeRole naming the node role, with no condition but sts:ExternalId); pass --daemon-role-arn to name the daemon's role`;
}

export interface Kube2iamRollback {
  /** The current trust with the recorded daemon statements it lacks (what --cleanup dropped). */
  restored: PolicyDocument;
  /** `restored` without the IRSA statements the migration added: the trust after rollback. */
  final: PolicyDocument;
  daemon: PolicyStatement[];
  irsa: PolicyStatement[];
}

/**
 * --rollback as an inverse edit of the current trust (later edits stay): the IRSA statements of
 * the migrated service accounts (`subjects`) that were not in the recorded trust go, and the
 * recorded statements the trust lacks come back when they have the daemon-trust shape and name only
 * the daemon's roles (`daemonRoleArns`, --daemon-role-arn: the record is tags, anyone's to edit,
 * so who comes back is the caller's word, never the record's). A lacking recorded statement of any
 * other shape, or of other roles, is returned as `refused`; `noDaemonRole` when none were given.
 */
export function rollbackTrust(
  current: PolicyDocument,
  recorded: PolicyStatement[],
  c: {
    providerArn: string;
    issuerHostPath: string;
    subjects: string[];
    accountId: string;
    daemonRoleArns: string[];
  },
): Kube2iamRollback | { refused: PolicyStatement; noDaemonRole?: true } {
  const has = (doc: PolicyStatement[], s: PolicyStatement) => doc.some((d) => sameJson(d, s));
  const lacking = recorded
    .map((s, i): [number, PolicyStatement] => [i, s])
    .filter(([, s]) => !has(current.Statement, s));
  const refused = lacking.find(
    ([, s]) =>
      !isDaemonTrustStatement(s, c.accountId) ||
      !(plainDaemonPrincipals(s) ?? []).every((p) => c.daemonRoleArns.includes(p)),
  );
  if (refused)
    return isDaemonTrustStatement(refused[1], c.accountId) && !c.daemonRoleArns.length
      ? { refused: refused[1], noDaemonRole: true }
      : { refused: refused[1] };
  const restored = withPlacedStatements(current, lacking);
  const irsa = restored.Statement.filter(
    (s) =>
      !has(recorded, s) && isRestorableStatement(s, c.providerArn, c.issuerHostPath, c.subjects),
  );
  return {
    restored,
    final: withoutStatements(restored, irsa),
    daemon: lacking.map(([, s]) => s),
    irsa,
  };
}

/**
 * Whether a service account carrying iamsa's label was made by migrate-from-kube2iam for this role:
 * it says so (`created`), the role carries the migration tag, and the role's trust admits exactly
 * that service account by an IRSA statement of the migration's shape. iamsa's, but no file's: prune
 * leaves it (a migration is undone by --rollback, not by apply --prune).
 */
export function isKube2iamMigratedAccount(
  sa: { namespace: string; name: string; annotations: Record<string, string> },
  role: { tags: Record<string, string>; trustPolicy: string },
  c: { providerArn: string; issuerHostPath: string },
): boolean {
  if (sa.annotations[KUBE2IAM_SA_ANNOTATION] !== 'created') return false;
  if (role.tags[TAG_KUBE2IAM_MIGRATION] === undefined) return false;
  let trust: PolicyDocument;
  try {
    trust = parseTrustPolicy(decodePolicyText(role.trustPolicy, 'a trust policy'));
  } catch {
    return false;
  }
  const subject = serviceAccountSubject(sa.namespace, sa.name);
  return trust.Statement.some((s) =>
    isRestorableStatement(s, c.providerArn, c.issuerHostPath, [subject]),
  );
}
