// Input validators. Each rejects with a one-line ValidationError that names the value, the rule it
// breaks and how to fix it, so a typo fails before any AWS or Kubernetes call is made.
import { ValidationError } from '../errors.js';

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_LABEL_RE = new RegExp(`^${DNS_LABEL}$`);
const DNS_SUBDOMAIN_RE = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const CLUSTER_NAME_RE = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;
/** ARN partitions: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b and any future aws-<x>. */
const PARTITION = 'aws(?:-[a-z]+)*';
/** Zero or more `segment/` between the resource type and the name (printable ASCII, no `/`). */
const ARN_PATH = '(?:[\\x21-\\x2E\\x30-\\x7E]+/)*';
const POLICY_ARN_RE = new RegExp(
  `^arn:(${PARTITION}):iam::(aws|\\d{12}):policy/(${ARN_PATH})([\\w+=,.@-]{1,128})$`,
);
const ROLE_ARN_RE = new RegExp(
  `^arn:(${PARTITION}):iam::(\\d{12}):role/(${ARN_PATH})([\\w+=,.@-]{1,64})$`,
);
const REGION_RE = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const TAG_CHARS_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export const MAX_THUMBPRINTS = 5;
export const MAX_TAGS = 50;
/** IAM's per-role quota of attached managed policies: 10 by default, adjustable up to 20. */
export const DEFAULT_MANAGED_POLICIES_QUOTA = 10;
export const MAX_MANAGED_POLICIES_PER_ROLE = 20;
export const ROLE_PATH_MAX_LENGTH = 512;

export interface RoleArnParts {
  partition: string;
  accountId: string;
  /** `/` or `/a/b/` */
  path: string;
  roleName: string;
}

const length = (value: string) => [...value].length;

/** Quotes a value for a message; very long values are cut so the message stays one line. */
function show(value: string): string {
  const chars = [...value];
  if (chars.length <= 80) return JSON.stringify(value);
  return `${JSON.stringify(chars.slice(0, 60).join('')).slice(0, -1)}…" (${chars.length} characters)`;
}

function invalid(what: string, value: string, rule: string): ValidationError {
  return new ValidationError(`invalid ${what} ${show(value)}: ${rule}`);
}

/** "is N characters long; " when over max (values over 80 characters show their length already). */
const tooLong = (value: string, max: number) =>
  length(value) > max && length(value) <= 80 ? `is ${length(value)} characters long; ` : '';

/** Letters of other scripts drawn like ASCII ones (Cyrillic, Greek): what a paste may bring. */
const LOOK_FROM = [...'аеорсухіјѕԁһԛԝквмнтοανικρτυχβεημ'];
const LOOK_TO = 'aeopcyxijsdhqwkbmhtoavikptuxbenu';

/**
 * The value in ASCII letters it looks like (accents dropped, look-alike letters swapped), or
 * undefined when some letter has no ASCII look-alike: then no suggestion beats a wrong one.
 */
function asciiLookAlike(value: string): string | undefined {
  const ascii = [
    ...value
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase(),
  ]
    .map((c) => LOOK_TO[LOOK_FROM.indexOf(c)] ?? c)
    .join('');
  return /^\p{ASCII}*$/u.test(ascii) ? ascii : undefined;
}

/** A near-miss DNS-1123 label the user probably meant, e.g. "Foo_bar" -> "foo-bar". */
function suggestDns(value: string, re: RegExp, max: number): string {
  const ascii = asciiLookAlike(value);
  if (ascii === undefined) return '';
  const candidate = ascii
    .replace(re === DNS_LABEL_RE ? /[^a-z0-9-]+/g : /[^a-z0-9.-]+/g, '-')
    .slice(0, max)
    .replace(/^[-.]+|[-.]+$/g, '');
  return candidate !== '' && candidate !== value && re.test(candidate)
    ? `; did you mean ${show(candidate)}?`
    : '';
}

export function validateClusterName(name: string, what = 'cluster name'): string {
  if (length(name) >= 1 && length(name) <= 100 && CLUSTER_NAME_RE.test(name)) return name;
  throw invalid(
    what,
    name,
    `${tooLong(name, 100)}must be 1-100 characters of letters, digits, '-' and '_', starting with a letter or digit (the EKS cluster name rule)`,
  );
}

export function validateNamespace(ns: string, what = 'namespace'): string {
  if (ns.length <= 63 && DNS_LABEL_RE.test(ns)) return ns;
  throw invalid(
    what,
    ns,
    `${tooLong(ns, 63)}must be a DNS-1123 label (lower-case letters, digits and '-', start and end alphanumeric, at most 63 characters)${suggestDns(ns, DNS_LABEL_RE, 63)}`,
  );
}

export function validateServiceAccountName(name: string, what = 'service account name'): string {
  if (name.length <= 253 && DNS_SUBDOMAIN_RE.test(name)) return name;
  throw invalid(
    what,
    name,
    `${tooLong(name, 253)}must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each dot-separated part starting and ending alphanumeric, at most 253 characters)${suggestDns(name, DNS_SUBDOMAIN_RE, 253)}`,
  );
}

export function validateRoleName(name: string, what = 'role name'): string {
  if (ROLE_NAME_RE.test(name)) return name;
  throw invalid(
    what,
    name,
    `${tooLong(name, 64)}must be 1-64 characters of letters, digits and +=,.@_- (the IAM role name rule)`,
  );
}

export function validateRolePath(path: string, what = 'role path'): string {
  const rule = (why: string, suggestion = '') =>
    invalid(what, path, `${why}, e.g. "/" or "/team/app/"${suggestion}`);
  if (path.length > ROLE_PATH_MAX_LENGTH) {
    throw rule(`is ${path.length} characters long; IAM allows at most ${ROLE_PATH_MAX_LENGTH}`);
  }
  if (!path.startsWith('/') || !path.endsWith('/')) {
    const fixed = `/${path.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
    throw rule(`must start and end with '/'`, `; did you mean "${fixed}"?`);
  }
  if (!/^[\x21-\x7E]*$/.test(path)) {
    throw rule('may contain only printable ASCII characters, without spaces');
  }
  if (path.includes('//')) throw rule('must not contain "//" (an empty path segment)');
  return path;
}

/** The upper-case placeholders iamsa prints in its fixes (POLICY_ARN, POLICY_FILE, ROLE_NAME...). */
export const isPlaceholder = (value: string): boolean => /^[A-Z]+(_[A-Z]+)+$/.test(value);

function policyArnRule(arn: string): string {
  if (isPlaceholder(arn)) {
    return `${arn} is a placeholder: put the ARN of the policy the pods need, e.g. arn:aws:iam::aws:policy/ReadOnlyAccess`;
  }
  const base =
    'must look like arn:aws:iam::aws:policy/ReadOnlyAccess or arn:aws:iam::123456789012:policy/path/MyPolicy (12-digit account id or "aws"; policy name 1-128 characters of letters, digits and +=,.@_-)';
  if (/^[\w+=,.@-]{1,128}$/.test(arn)) {
    return `${base}; for an AWS managed policy pass arn:aws:iam::aws:policy/${arn}`;
  }
  return base;
}

export function validatePolicyArn(arn: string, what = 'policy ARN'): string {
  const m = POLICY_ARN_RE.exec(arn);
  if (m && (m[3] ?? '').length + 1 <= ROLE_PATH_MAX_LENGTH) return arn;
  throw invalid(what, arn, policyArnRule(arn));
}

/** A permissions boundary is a managed policy, so the rule is the policy ARN rule. */
export function validatePermissionsBoundaryArn(
  arn: string,
  what = '--permissions-boundary',
): string {
  return validatePolicyArn(arn, what);
}

/** Whether a value is a well-formed role ARN (what the pod identity webhook needs). */
export const isRoleArn = (arn: string): boolean => ROLE_ARN_RE.test(arn);

export function validateRoleArn(arn: string, what = 'role ARN'): RoleArnParts {
  const m = ROLE_ARN_RE.exec(arn);
  if (m) {
    const [, partition = '', accountId = '', inner = '', roleName = ''] = m;
    const path = `/${inner}`;
    if (path.length <= ROLE_PATH_MAX_LENGTH) return { partition, accountId, path, roleName };
  }
  let rule =
    'must look like arn:aws:iam::123456789012:role/MyRole or arn:aws:iam::123456789012:role/path/MyRole (12-digit account id; role name 1-64 characters of letters, digits and +=,.@_-)';
  if (/:sts::\d{12}:assumed-role\//.test(arn)) {
    rule += '; this is an STS session ARN, pass the ARN of the role itself';
  } else if (ROLE_NAME_RE.test(arn)) {
    rule += '; pass the full ARN, not just the role name';
  }
  throw invalid(what, arn, rule);
}

/**
 * The SHA-1 fingerprint of a CA certificate, returned lower-cased. The colon-separated form
 * openssl prints (`AB:CD:...`) is accepted too, since users paste it.
 */
export function validateThumbprint(hex: string, what = 'thumbprint'): string {
  const plain = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){19}$/.test(hex) ? hex.replaceAll(':', '') : hex;
  if (/^[0-9A-Fa-f]{40}$/.test(plain)) return plain.toLowerCase();
  throw invalid(
    what,
    hex,
    'must be 40 hexadecimal characters (the SHA-1 fingerprint of the CA certificate), e.g. 9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
  );
}

/** Validates, lower-cases and de-duplicates (keeping order); IAM accepts at most 5. */
export function validateThumbprints(list: string[], what = 'thumbprint'): string[] {
  const unique = [...new Set(list.map((hex) => validateThumbprint(hex, what)))];
  if (unique.length > MAX_THUMBPRINTS) {
    throw new ValidationError(
      `too many ${what} values: ${unique.length} distinct given, IAM accepts at most ${MAX_THUMBPRINTS} per OIDC provider; keep the issuer's root CA fingerprint`,
    );
  }
  return unique;
}

/**
 * Tags from `k=v,k2=v2` strings (one per repeated flag). Whitespace around pairs is trimmed and
 * empty pairs are skipped; the value is everything after the first `=`, so it may contain `=`.
 */
export function parseTags(
  input: string | string[] | undefined,
  what = 'tag',
): Record<string, string> {
  const entries: Array<[string, string]> = [];
  const chunks = input === undefined ? [] : Array.isArray(input) ? input : [input];
  for (const pair of chunks.flatMap((chunk) => chunk.split(','))) {
    const trimmed = pair.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) {
      throw invalid(
        what,
        trimmed,
        'expected key=value pairs separated by commas, e.g. team=payments,env=prod',
      );
    }
    entries.push([trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim()]);
  }
  return validateTags(entries, what);
}

/** Checks tag keys and values against IAM's rules (a map from a file, or parsed flag pairs). */
export function validateTags(
  input: Record<string, string> | Array<[string, string]>,
  what = 'tag',
): Record<string, string> {
  const tags: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const [key, value] of Array.isArray(input) ? input : Object.entries(input)) {
    const pair = `${key}=${value}`;
    if (length(key) < 1 || length(key) > 128) {
      throw invalid(
        `${what} key`,
        key,
        `${tooLong(key, 128)}must be 1-128 characters (in ${show(pair)})`,
      );
    }
    if (length(value) > 256) {
      throw invalid(
        `${what} value`,
        value,
        `${tooLong(value, 256)}must be at most 256 characters (key ${show(key)})`,
      );
    }
    for (const [part, text] of [
      ['key', key],
      ['value', value],
    ] as const) {
      if (!TAG_CHARS_RE.test(text)) {
        throw invalid(
          `${what} ${part}`,
          text,
          'may contain only letters, digits, spaces and _ . : / = + - @ (the IAM tag rule)',
        );
      }
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw invalid(
        `${what} key`,
        key,
        'must not start with "aws:", which AWS reserves; choose another prefix',
      );
    }
    const previous = seen.get(key.toLowerCase());
    if (previous !== undefined) {
      throw invalid(
        `${what} key`,
        key,
        `is given twice (also as ${show(previous)}); IAM tag keys are unique ignoring case`,
      );
    }
    seen.set(key.toLowerCase(), key);
    tags[key] = value;
  }
  if (seen.size > MAX_TAGS) {
    throw new ValidationError(
      `too many tags in ${what}: ${seen.size} given, IAM allows at most ${MAX_TAGS} per role; remove some`,
    );
  }
  return tags;
}

export function validateRegion(region: string, what = 'region'): string {
  if (REGION_RE.test(region)) return region;
  let rule = 'must be an AWS region code like us-west-2, eu-central-1, cn-north-1 or us-gov-west-1';
  if (/^[a-z]{2}(-[a-z]+)+-\d{1,2}[a-z]$/.test(region)) {
    rule += `; this looks like an availability zone, use "${region.slice(0, -1)}"`;
  } else if (REGION_RE.test(region.toLowerCase().trim())) {
    rule += `; did you mean "${region.toLowerCase().trim()}"?`;
  }
  throw invalid(what, region, rule);
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kubernetes' limit on all annotations of one object together (keys and values, in bytes). */
export const MAX_ANNOTATIONS_SIZE = 256 * 1024;

/** A label or annotation key as Kubernetes checks it: `[prefix/]name`. */
function checkMetadataKey(key: string, what: string): void {
  const slash = key.indexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  const rule =
    prefix !== undefined &&
    (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
      ? 'its prefix (before /) must be a DNS subdomain: lowercase letters, digits, - and ., at most 253 characters'
      : name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)
        ? `its name${prefix !== undefined ? ' (after /)' : ''} must be 1-63 letters, digits, -, _ or ., starting and ending with a letter or digit`
        : undefined;
  if (rule) throw invalid(`${what} key`, key, rule);
}

/**
 * Labels and annotations for a service account, checked as the Kubernetes API server does (so a
 * bad one is refused before any call, not after the role was made).
 */
export function validateServiceAccountMetadata(
  metadata: { labels: Record<string, string>; annotations: Record<string, string> },
  what: { labels: string; annotations: string },
  part: 'labels' | 'annotations' | 'both' = 'both',
): void {
  if (part !== 'annotations') {
    for (const [key, value] of Object.entries(metadata.labels)) {
      checkMetadataKey(key, what.labels);
      if (
        typeof value !== 'string' ||
        value.length > 63 ||
        !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)
      ) {
        throw invalid(
          `${what.labels} value`,
          String(value),
          `must be at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit (key ${show(key)})`,
        );
      }
    }
  }
  if (part !== 'labels') {
    let size = 0;
    for (const [key, value] of Object.entries(metadata.annotations)) {
      checkMetadataKey(key.toLowerCase() === key ? key : key.toLowerCase(), what.annotations);
      if (typeof value !== 'string') {
        throw invalid(
          `${what.annotations} value`,
          String(value),
          `must be a string (key ${show(key)})`,
        );
      }
      size += Buffer.byteLength(key) + Buffer.byteLength(value);
    }
    if (size > MAX_ANNOTATIONS_SIZE) {
      throw new ValidationError(
        `${what.annotations} are ${size} bytes together; Kubernetes accepts at most ${MAX_ANNOTATIONS_SIZE} (256 KiB) of annotations per object`,
      );
    }
  }
}
