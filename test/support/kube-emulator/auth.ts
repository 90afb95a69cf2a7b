// Bearer-token authentication: static admin tokens, and EKS tokens verified the way
// aws-iam-authenticator does it: decode the presigned STS GetCallerIdentity URL, check it, and
// replay it against STS with the cluster name in x-k8s-aws-id; the caller is the returned Arn.
import { verifyPresignedUrl } from './sigv4.js';

export interface EksAuthOptions {
  clusterName: string;
  /** More cluster names whose tokens this API server accepts (one emulator for several clusters). */
  alsoClusterNames?: string[];
  stsEndpoint: string;
  /**
   * Secret keys by access key id. When given, the emulator also checks the token's SigV4
   * signature itself (with x-k8s-aws-id = clusterName), since moto_server checks neither.
   */
  secretAccessKeys?: Record<string, string>;
}

export const EKS_PREFIX = 'k8s-aws-v1.';
const MAX_EXPIRES_SECONDS = 15 * 60;
const CLOCK_SKEW_MS = 60_000;
const CACHE_MS = 60_000;
const ALLOWED_PARAMS = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);

export class TokenRejected extends Error {}

export interface PresignedCall {
  url: URL;
  expiresAt: number;
}

/** Parses and checks an EKS token without calling STS; throws TokenRejected with the reason. */
export function decodeEksToken(token: string, now = Date.now()): PresignedCall {
  if (!token.startsWith(EKS_PREFIX))
    throw new TokenRejected('token is missing the k8s-aws-v1. prefix');
  const encoded = token.slice(EKS_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) {
    throw new TokenRejected('token is not unpadded base64url');
  }
  const decoded = Buffer.from(encoded, 'base64url').toString('utf8');
  let url: URL;
  try {
    url = new URL(decoded);
  } catch {
    throw new TokenRejected('token does not decode to a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TokenRejected(`unexpected scheme ${url.protocol}`);
  }
  if (url.pathname !== '/') throw new TokenRejected(`unexpected path ${url.pathname}`);
  const params = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    const key = k.toLowerCase();
    if (!ALLOWED_PARAMS.has(key)) throw new TokenRejected(`unexpected query parameter ${k}`);
    if (params.has(key)) throw new TokenRejected(`query parameter ${k} given twice`);
    params.set(key, v);
  }
  if (params.get('action') !== 'GetCallerIdentity') {
    throw new TokenRejected('the presigned call is not GetCallerIdentity');
  }
  const signed = (params.get('x-amz-signedheaders') ?? '').toLowerCase().split(';');
  if (!signed.includes('x-k8s-aws-id')) {
    throw new TokenRejected('x-k8s-aws-id is not among the signed headers');
  }
  if (!params.get('x-amz-signature') || !params.get('x-amz-credential')) {
    throw new TokenRejected('the URL is not presigned');
  }
  const date = params.get('x-amz-date') ?? '';
  const m = date.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!m) throw new TokenRejected(`malformed X-Amz-Date ${JSON.stringify(date)}`);
  const signedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const expiresText = params.get('x-amz-expires') ?? '';
  if (!/^\d+$/.test(expiresText)) throw new TokenRejected('missing or malformed X-Amz-Expires');
  const expires = Number(expiresText);
  if (expires > MAX_EXPIRES_SECONDS) {
    throw new TokenRejected(`X-Amz-Expires ${expires} is more than ${MAX_EXPIRES_SECONDS}`);
  }
  if (signedAt > now + CLOCK_SKEW_MS) throw new TokenRejected('X-Amz-Date is in the future');
  const expiresAt = signedAt + expires * 1000;
  if (expiresAt + CLOCK_SKEW_MS < now) throw new TokenRejected('token expired');
  return { url, expiresAt };
}

/** Pulls the caller's Arn out of a GetCallerIdentity response, XML or JSON. */
export function callerArn(body: string, contentType: string): string | undefined {
  if (contentType.includes('json')) {
    try {
      const parsed = JSON.parse(body) as {
        GetCallerIdentityResponse?: { GetCallerIdentityResult?: { Arn?: string } };
      };
      return parsed.GetCallerIdentityResponse?.GetCallerIdentityResult?.Arn || undefined;
    } catch {
      return undefined;
    }
  }
  const m = body.match(/<Arn>\s*([^<]+?)\s*<\/Arn>/);
  return m?.[1]?.replace(/&amp;/g, '&');
}

export class Authenticator {
  private readonly cache = new Map<string, { user: string; until: number }>();

  constructor(
    private readonly staticTokens: readonly string[],
    private readonly eks?: EksAuthOptions,
  ) {}

  /** The authenticated user name, or undefined for a missing or rejected token. */
  async authenticate(authorization: string | undefined): Promise<string | undefined> {
    const m = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
    const token = m?.[1];
    if (!token) return undefined;
    if (this.staticTokens.includes(token)) return 'admin';
    if (!this.eks || !token.startsWith(EKS_PREFIX)) return undefined;
    const now = Date.now();
    const cached = this.cache.get(token);
    if (cached && cached.until > now) return cached.user;
    this.cache.delete(token);
    let call: PresignedCall;
    try {
      call = decodeEksToken(token, now);
    } catch (error) {
      if (error instanceof TokenRejected) return undefined;
      throw error;
    }
    const secrets = this.eks.secretAccessKeys;
    const names = [this.eks.clusterName, ...(this.eks.alsoClusterNames ?? [])];
    // The cluster name is a signed header: the token is for whichever name its signature fits.
    const clusterName = secrets
      ? names.find((name) =>
          verifyPresignedUrl(call.url, { 'x-k8s-aws-id': name }, (id) =>
            Object.hasOwn(secrets, id) ? secrets[id] : undefined,
          ),
        )
      : this.eks.clusterName;
    if (clusterName === undefined) return undefined;
    const user = await this.replay(call.url, clusterName);
    if (user) this.cache.set(token, { user, until: Math.min(now + CACHE_MS, call.expiresAt) });
    return user;
  }

  clearCache(): void {
    this.cache.clear();
  }

  /**
   * GETs the presigned call from stsEndpoint. The signature is restated as an Authorization
   * header: moto_server picks the service from its credential scope (an unsigned-looking GET
   * would land in S3), and ignores it otherwise.
   */
  private async replay(presigned: URL, clusterName: string): Promise<string | undefined> {
    const { stsEndpoint } = this.eks!;
    const target = new URL(presigned.pathname + presigned.search, new URL(stsEndpoint).origin);
    const q = presigned.searchParams;
    const authorization = `AWS4-HMAC-SHA256 Credential=${q.get('X-Amz-Credential')}, SignedHeaders=${q.get('X-Amz-SignedHeaders')}, Signature=${q.get('X-Amz-Signature')}`;
    try {
      const res = await fetch(target, {
        headers: { 'x-k8s-aws-id': clusterName, accept: 'application/json', authorization },
        signal: AbortSignal.timeout(5000),
      });
      const body = await res.text();
      if (res.status !== 200) return undefined;
      return callerArn(body, res.headers.get('content-type') ?? '');
    } catch {
      return undefined;
    }
  }
}
