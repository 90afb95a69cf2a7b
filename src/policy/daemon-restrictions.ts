// What kube2iam and kiam would hand a pod, pure: how each daemon turns the pod's role annotation
// into an ARN and whether its namespace restriction lets the pod have it. Reproduced from their
// sources (jtblin/kube2iam mappings/mapper.go and iam/iam.go; uswitch/kiam pkg/server/policy.go)
// so that a migration binds exactly the requests the daemon grants today and never one it refuses.
import { RE2JS } from 're2js';

/** The pod annotation both daemons read. */
export const DAEMON_ROLE_ANNOTATION = 'iam.amazonaws.com/role';
export const DAEMON_EXTERNAL_ID_ANNOTATION = 'iam.amazonaws.com/external-id';
/** kube2iam's namespace annotation: a JSON array of patterns (with --namespace-restrictions). */
export const KUBE2IAM_ALLOWED_ROLES_ANNOTATION = 'iam.amazonaws.com/allowed-roles';
/** kiam's namespace annotation: one Go regexp, always enforced. */
export const KIAM_PERMITTED_ANNOTATION = 'iam.amazonaws.com/permitted';

export type DaemonFlavour = 'kube2iam' | 'kiam';

export interface DaemonConfig {
  flavour: DaemonFlavour;
  /** --base-role-arn, e.g. arn:aws:iam::123456789012:role/ (a name is appended to it). */
  baseRoleArn: string;
  /** kube2iam --namespace-restrictions (kiam's restriction is always on). */
  namespaceRestrictions: boolean;
  /** kube2iam --namespace-restriction-format. */
  restrictionFormat: 'glob' | 'regexp';
  /** kiam --strict-namespace-regexp: the expression must match the whole role. */
  strictRegexp: boolean;
  /** kube2iam --default-role, resolved like a pod's annotation. */
  defaultRole?: string;
}

/** kube2iam's iam.RoleARN (kiam's resolver does the same): an ARN stays, a name gets the base. */
export function resolveDaemonRole(value: string, baseRoleArn: string): string {
  return value.toLowerCase().startsWith('arn:') ? value : `${baseRoleArn}${value}`;
}

/** github.com/ryanuber/go-glob, which kube2iam uses: `*` is the only wildcard and crosses `/`. */
export function goGlob(pattern: string, subject: string): boolean {
  if (pattern === '') return subject === '';
  if (pattern === '*') return true;
  const parts = pattern.split('*');
  if (parts.length === 1) return subject === pattern;
  const leading = pattern.startsWith('*');
  const trailing = pattern.endsWith('*');
  const end = parts.length - 1;
  let rest = subject;
  for (let i = 0; i < end; i++) {
    const part = parts[i] ?? '';
    const idx = rest.indexOf(part);
    if (i === 0 ? !leading && idx !== 0 : idx < 0) return false;
    rest = rest.slice(idx + part.length);
  }
  return trailing || rest.endsWith(parts[end] ?? '');
}

/**
 * Go's regexp.MatchString: unanchored, RE2 syntax, evaluated by re2js (a port of RE2, so what RE2
 * rejects, such as look-around, back-references or repeats over 1000, fails to compile here as it
 * does in the daemon). An expression RE2 rejects matches nothing (kube2iam logs the error and moves
 * on; kiam fails the request); `refused` says why.
 */
export function goRegexpMatches(
  expression: string,
  subject: string,
): { matches: boolean; refused?: string } {
  const refuse = (why: string) => ({
    matches: false,
    refused: `${JSON.stringify(expression)}: ${why}`,
  });
  // Go accepts (?<name>...) only since 1.22; a daemon built before rejects it: cannot tell.
  if (/\(\?<[A-Za-z_]/.test(expression)) {
    return refuse('(?<name>...) compiles only with Go 1.22 or later: use (?P<name>...)');
  }
  try {
    return { matches: RE2JS.compile(expression).matcher(subject).find() };
  } catch (error) {
    return refuse(`RE2 does not compile it (${(error as Error).message})`);
  }
}

/** kube2iam.GetNamespaceRoleAnnotation: a JSON array of strings, anything else allows nothing. */
export function kube2iamAllowedRoles(value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : [];
  } catch {
    return [];
  }
}

export type DaemonDecision =
  | { allowed: true; roleArn: string; default: boolean }
  | { allowed: false; roleArn: string; reason: string };

/**
 * Whether the daemon would hand the role a pod asks for (its annotation value, or undefined for
 * kube2iam's default role) to a pod of a namespace with these annotations.
 */
export function daemonDecision(
  config: DaemonConfig,
  requested: string | undefined,
  namespaceAnnotations: Record<string, string>,
): DaemonDecision {
  const defaultArn =
    config.flavour === 'kube2iam' && config.defaultRole
      ? resolveDaemonRole(config.defaultRole, config.baseRoleArn)
      : undefined;
  if (requested === undefined) {
    return defaultArn
      ? { allowed: true, roleArn: defaultArn, default: true }
      : { allowed: false, roleArn: '', reason: 'no role asked for' };
  }
  const roleArn = resolveDaemonRole(requested, config.baseRoleArn);
  if (config.flavour === 'kiam') {
    // kiam checks the role as the agent sends it (the annotation's own text), before resolving.
    const expression = namespaceAnnotations[KIAM_PERMITTED_ANNOTATION] ?? '';
    if (expression === '') {
      return {
        allowed: false,
        roleArn,
        reason: `the namespace has no ${KIAM_PERMITTED_ANNOTATION}`,
      };
    }
    const source = config.strictRegexp ? `^${expression}$` : expression;
    const match = goRegexpMatches(source, requested);
    return match.matches
      ? { allowed: true, roleArn, default: false }
      : {
          allowed: false,
          roleArn,
          reason: match.refused
            ? `the namespace's ${KIAM_PERMITTED_ANNOTATION} is not a regexp the daemon can match: ${match.refused}`
            : `the namespace's ${KIAM_PERMITTED_ANNOTATION} ${JSON.stringify(expression)} does not match ${requested}`,
        };
  }
  // kube2iam: the default role bypasses the restriction (roleArn == defaultRoleARN).
  if (!config.namespaceRestrictions || roleArn === defaultArn) {
    return { allowed: true, roleArn, default: roleArn === defaultArn };
  }
  const patterns = kube2iamAllowedRoles(namespaceAnnotations[KUBE2IAM_ALLOWED_ROLES_ANNOTATION]);
  const refused: string[] = [];
  const matches = (pattern: string) => {
    const normalized = resolveDaemonRole(pattern, config.baseRoleArn);
    if (config.restrictionFormat !== 'regexp') return goGlob(normalized, roleArn);
    const match = goRegexpMatches(normalized, roleArn);
    if (match.refused) refused.push(match.refused);
    return match.matches;
  };
  if (patterns.some(matches)) return { allowed: true, roleArn, default: false };
  return {
    allowed: false,
    roleArn,
    reason: refused.length
      ? `no pattern of the namespace's ${KUBE2IAM_ALLOWED_ROLES_ANNOTATION} matches ${roleArn}, and some are not regexps the daemon can match: ${refused.join('; ')}`
      : patterns.length
        ? `no pattern of the namespace's ${KUBE2IAM_ALLOWED_ROLES_ANNOTATION} (${config.restrictionFormat}) matches ${roleArn}`
        : `the namespace allows no role (no ${KUBE2IAM_ALLOWED_ROLES_ANNOTATION} list)`,
  };
}
