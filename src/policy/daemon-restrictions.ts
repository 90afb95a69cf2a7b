// What kube2iam and kiam would hand a pod, pure: how each daemon turns the pod's role annotation
// into an ARN and whether its namespace restriction lets the pod have it. Reproduced from their
// sources (jtblin/kube2iam mappings/mapper.go and iam/iam.go; uswitch/kiam pkg/server/policy.go)
// so that a migration binds exactly the requests the daemon grants today and never one it refuses.

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
 * Go's regexp.MatchString: unanchored, RE2 syntax (see {@link compileGoRegexp}). An expression
 * RE2 rejects matches nothing (kube2iam logs the error and moves on; kiam fails the request), and
 * one iamsa cannot evaluate exactly is refused too: `refused` says why.
 */
export function goRegexpMatches(
  expression: string,
  subject: string,
): { matches: boolean; refused?: string } {
  const compiled = compileGoRegexp(expression);
  return compiled.ok
    ? { matches: compiled.regexp.test(subject) }
    : { matches: false, refused: `${JSON.stringify(expression)}: ${compiled.reason}` };
}

/** What {@link compileGoRegexp} makes of an expression: a JavaScript RegExp matching as RE2 does, or why not. */
export type GoRegexp = { ok: true; regexp: RegExp } | { ok: false; reason: string };

// RE2's POSIX classes (ASCII), as JavaScript class contents.
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};
/** RE2's \s is ASCII: JavaScript's takes in Unicode spaces too. */
const RE2_SPACE = '\\t\\n\\f\\r ';
/** RE2's repeat limit (regexp/syntax: a count, or the counts nested, over 1000 fail). */
const MAX_REPEAT = 1000;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\\x07',
  f: '\\f',
  t: '\\t',
  n: '\\n',
  r: '\\r',
  v: '\\v',
  d: '\\d',
  D: '\\D',
  w: '\\w',
  W: '\\W',
};

class Unsupported extends Error {}

function literal(ch: string): string {
  return /^[A-Za-z0-9_]$/.test(ch) ? ch : `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`;
}

/**
 * Go's regexp (RE2) syntax translated to a JavaScript RegExp of the same matches, or refused: what
 * RE2 rejects (look-around, back-references, repeats over 1000, escapes it lacks) is an expression
 * the daemon cannot use, and RE2 syntax iamsa does not translate exactly is "cannot tell". Either
 * way the caller refuses: a restriction iamsa cannot evaluate never grants.
 */
export function compileGoRegexp(expression: string): GoRegexp {
  const chars = Array.from(expression);
  let i = 0;
  let flags = 'u';
  let dotAll = false;
  const fail = (why: string): never => {
    throw new Unsupported(why);
  };
  const peek = (k = 0) => chars[i + k];
  const readUntil = (end: string): string => {
    const start = i;
    while (i < chars.length && chars[i] !== end) i++;
    if (i >= chars.length) fail(`missing ${end}`);
    return chars.slice(start, i++).join('');
  };
  // An escape after the backslash (i is past it); inClass: as a class member.
  const escape = (inClass: boolean): string => {
    const c = chars[i++];
    if (c === undefined) fail('trailing backslash');
    const ch = c as string;
    if (ch in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[ch] as string;
    if (ch === 's') return inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
    if (ch === 'S' && !inClass) return `[^${RE2_SPACE}]`;
    if (!inClass && ch === 'b') return '\\b';
    if (!inClass && ch === 'B') return '\\B';
    if (!inClass && ch === 'A') return '^';
    if (!inClass && ch === 'z') return '$';
    if (ch === 'x') {
      const hex = peek() === '{' ? (i++, readUntil('}')) : chars.slice(i, (i += 2)).join('');
      if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) fail(`bad \\x escape`);
      return literal(String.fromCodePoint(parseInt(hex, 16)));
    }
    if (ch === 'p' || ch === 'P') {
      const name = peek() === '{' ? (i++, readUntil('}')) : (chars[i++] ?? '');
      if (!/^[A-Z][a-z]?$/.test(name))
        fail(`\\${ch}{${name}} is not a Unicode category iamsa translates`);
      return `\\${ch}{${name}}`;
    }
    if (ch === 'Q' && !inClass) {
      let text = '';
      while (i < chars.length && !(chars[i] === '\\' && chars[i + 1] === 'E')) text += chars[i++];
      if (i < chars.length) i += 2;
      return Array.from(text).map(literal).join('');
    }
    if (/^[0-9]$/.test(ch))
      fail(`\\${ch} (a back-reference, or an octal escape iamsa does not translate)`);
    if (/^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(ch)) return literal(ch);
    return fail(`\\${ch} is not an RE2 escape`);
  };
  // One class member's single character, for ranges.
  const classChar = (): string => {
    const ch = chars[i++] as string;
    if (ch !== '\\') return ch;
    const c = chars[i++];
    if (c !== undefined && /^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(c)) return c;
    const simple: Record<string, string> = {
      a: '\x07',
      f: '\f',
      t: '\t',
      n: '\n',
      r: '\r',
      v: '\v',
    };
    if (c !== undefined && c in simple) return simple[c] as string;
    if (c === 'x') {
      const hex = peek() === '{' ? (i++, readUntil('}')) : chars.slice(i, (i += 2)).join('');
      if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) fail('bad \\x escape');
      return String.fromCodePoint(parseInt(hex, 16));
    }
    return fail(`\\${c ?? ''} in a character class`);
  };
  const charClass = (): string => {
    let out = '[';
    if (peek() === '^') {
      out += '^';
      i++;
    }
    let first = true;
    while (first || peek() !== ']') {
      first = false;
      if (i >= chars.length) fail('missing ]');
      if (peek() === '[' && peek(1) === ':') {
        const rest = chars.slice(i + 2).join('');
        const close = rest.indexOf(':]');
        const name = close >= 0 ? rest.slice(0, close) : '';
        if (close >= 0 && name in POSIX_CLASSES) {
          out += POSIX_CLASSES[name];
          i += 2 + Array.from(name).length + 2;
          continue;
        }
        if (close >= 0 && /^\^?[a-z]+$/.test(name))
          fail(`[:${name}:] is not a POSIX class iamsa translates`);
      }
      if (peek() === '\\' && /^[dDwWsSpP]$/.test(peek(1) ?? '')) {
        i++;
        out += escape(true);
        continue;
      }
      const lo = classChar();
      if (peek() === '-' && peek(1) !== ']' && peek(1) !== undefined) {
        i++;
        const hi = classChar();
        if ((hi.codePointAt(0) ?? 0) < (lo.codePointAt(0) ?? 0)) fail(`bad range ${lo}-${hi}`);
        out += `${literal(lo)}-${literal(hi)}`;
      } else out += literal(lo);
    }
    i++;
    return `${out}]`;
  };
  // Each open group: the largest nested repeat product inside it so far.
  const weights: number[] = [1];
  let last: { start: number; weight: number; repeated: boolean } | undefined;
  let out = '';
  const atom = (text: string, weight = 1) => {
    last = { start: out.length, weight, repeated: false };
    out += text;
    weights[weights.length - 1] = Math.max(weights[weights.length - 1] ?? 1, weight);
  };
  const groupStarts: number[] = [];
  try {
    if (peek() === '(' && peek(1) === '?') {
      const m = /^\(\?([is]+)\)/.exec(expression);
      if (m) {
        for (const f of m[1] ?? '')
          if (f === 'i') flags += 'i';
          else dotAll = true;
        flags = Array.from(new Set(flags)).join('');
        i += (m[0] ?? '').length;
      }
    }
    while (i < chars.length) {
      const ch = chars[i++] as string;
      if (ch === '\\') atom(escape(false));
      else if (ch === '[') atom(charClass());
      else if (ch === '.') atom(dotAll ? '[\\s\\S]' : '[^\\n]');
      else if (ch === '^' || ch === '$') {
        out += ch;
        last = undefined;
      } else if (ch === '|') {
        out += ch;
        last = undefined;
      } else if (ch === '(') {
        if (peek() === '?') {
          const rest = chars.slice(i).join('');
          const named = /^\?P<([A-Za-z0-9_]+)>/.exec(rest);
          if (rest.startsWith('?:')) i += 2;
          else if (named) i += (named[0] ?? '').length;
          else
            fail(
              `(${rest.slice(0, 3)} is not RE2 syntax iamsa evaluates (look-around, JavaScript-only named groups, atomic groups and inline flags mid-expression are refused)`,
            );
        }
        groupStarts.push(out.length);
        weights.push(1);
        out += '(?:';
        last = undefined;
      } else if (ch === ')') {
        const start = groupStarts.pop();
        if (start === undefined) fail('unexpected )');
        const weight = weights.pop() ?? 1;
        out += ')';
        last = { start: start as number, weight, repeated: false };
        weights[weights.length - 1] = Math.max(weights[weights.length - 1] ?? 1, weight);
      } else if (
        ch === '*' ||
        ch === '+' ||
        ch === '?' ||
        (ch === '{' && /^\d+(,\d*)?\}/.test(chars.slice(i).join('')))
      ) {
        if (!last) fail(`missing argument to repetition operator ${ch}`);
        const target = last as { start: number; weight: number; repeated: boolean };
        if (target.repeated) fail(`invalid nested repetition operator ${ch}`);
        let op = ch;
        if (ch === '{') {
          const body = readUntil('}');
          const [min, max] = body.split(',');
          const lo = Number(min);
          const hi = max === undefined ? lo : max === '' ? -1 : Number(max);
          if (lo > MAX_REPEAT || hi > MAX_REPEAT || (hi >= 0 && hi < lo))
            fail(`invalid repeat count {${body}}`);
          const w = target.weight * (hi > 0 ? hi : hi < 0 ? lo : 1);
          if (hi !== 0 && w > MAX_REPEAT)
            fail(`invalid repeat count {${body}} (nested repeats over ${MAX_REPEAT})`);
          weights[weights.length - 1] = Math.max(weights[weights.length - 1] ?? 1, w);
          op = `{${body}}`;
        }
        if (peek() === '?') {
          i++;
          op += '?';
        }
        out += op;
        target.repeated = true;
      } else atom(literal(ch));
    }
    if (groupStarts.length) fail('missing )');
    return { ok: true, regexp: new RegExp(out, flags) };
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, reason: e.message };
    return {
      ok: false,
      reason: `iamsa cannot evaluate it (${e instanceof Error ? e.message : String(e)})`,
    };
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
