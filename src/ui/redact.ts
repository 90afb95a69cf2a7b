// No secret is ever printed: every line iamsa writes passes through redactSecrets, whatever it came
// from (an AWS error that echoes the request's headers, a proxy's page, a kubeconfig parser's
// complaint). Names, ARNs and access key ids stay: they are what a user needs to act.

import { registeredSecrets } from '../secrets.js';

export const REDACTED = '[REDACTED]';

/** Keys whose value is a secret, in headers, query strings, JSON, YAML, INI and env files. */
const SECRET_KEYS = [
  'authorization',
  'proxy-authorization',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-credential',
  'aws_secret_access_key',
  'aws_session_token',
  'secretaccesskey',
  'secret_access_key',
  'sessiontoken',
  'session_token',
  'security-token',
  'signature',
  'token',
  'password',
  'client-key-data',
].join('|');

const PATTERNS: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  // A presigned URL: its whole query (credential, signature, token) goes.
  [
    /(\bhttps?:\/\/[^\s"'<>?\\]+)\?([^\s"'<>\\]*X-Amz-(?:Signature|Credential|Security-Token)[^\s"'<>\\]*)/gi,
    (_, url: string) => `${url}?${REDACTED}`,
  ],
  // Bearer tokens (the EKS token is `k8s-aws-v1.` and a presigned URL, base64url-encoded).
  [/\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, `$1${REDACTED}`],
  [/\bk8s-aws-v1\.[A-Za-z0-9\-_=]+/g, REDACTED],
  // A SigV4 Authorization header's value, with or without its name in front (a backslash ends it:
  // the header inside a JSON string inside iamsa's JSON output ends with an escaped quote).
  [
    /\bAWS4-HMAC-SHA256\s+Credential=[^\s"'<>\\]*(?:[\s,]+(?:SignedHeaders|Signature)=[^\s,"'<>\\]*)*/gi,
    REDACTED,
  ],
  // `key: value`, `key=value`, `key -> value`, `"key": "value"`, `"key": ["value"]`, and the same
  // inside a JSON string (`\"key\": \"value\"`).
  [
    new RegExp(
      `(["'\\\\]*\\b(?:${SECRET_KEYS})["'\\\\]*\\s*(?:[:=]|->|=>)\\s*[\\["'\\\\\\s]*)([^\\s"',;&<>\\\\\\]]{8,})`,
      'gi',
    ),
    (match: string, key: string, value: string) =>
      value === REDACTED || (value === REDACTED.slice(1, -1) && key.endsWith('['))
        ? match
        : `${key}${REDACTED}`,
  ],
  [new RegExp(`(<(${SECRET_KEYS})>)[^<]*(</\\2>)`, 'gi'), `$1${REDACTED}$3`],
  // STS session tokens, wherever they appear without a name (they start with these prefixes: the
  // base64 of a small header, then `origin` or `aws`, in any of their versions).
  [
    /\b(?:[A-Za-z]Qo[A-Za-z]b3JpZ2lu|[A-Za-z]wo[A-Za-z]ZXIvYXdz|AQo[A-Za-z]YXdz)[A-Za-z0-9/+=]{16,}/g,
    REDACTED,
  ],
];

/**
 * The credentials of this process, as given in the environment or as the SDK resolved them (a
 * profile file, SSO, credential_process): removed wherever they appear, whatever names them.
 */
function knownSecrets(): string[] {
  const fromEnv = [process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN].filter(
    (s): s is string => !!s && s.length >= 8,
  );
  // Longest first, so a secret that contains another is removed whole.
  return [...new Set([...fromEnv, ...registeredSecrets()])].sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets()) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) {
    out = out.replace(pattern, replacement as string);
  }
  return out;
}

let guarded = false;

/**
 * Every write to stdout and stderr goes through redactSecrets: the one way out, so nothing (ours,
 * commander's, a library's console) bypasses it.
 */
export function guardOutput(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(
        typeof chunk === 'string'
          ? redactSecrets(chunk)
          : chunk instanceof Uint8Array
            ? redactSecrets(Buffer.from(chunk).toString('utf8'))
            : chunk,
        ...rest,
      )) as typeof stream.write;
  }
}
