// The EKS bearer token, byte-compatible with `aws eks get-token`, eksctl and aws-iam-authenticator:
// a SigV4 query-presigned STS GetCallerIdentity URL with the cluster name in the signed
// `x-k8s-aws-id` header, base64url-encoded (no padding) behind the `k8s-aws-v1.` prefix.
import { partition } from '@aws-sdk/core/client';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { aws } from './errors.js';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  QueryParameterBag,
} from '@smithy/types';

export interface EksTokenOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * STS base URL; default from AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL, then
   * https://sts.<region>.<DNS suffix of the region's partition> (amazonaws.com, amazonaws.com.cn,
   * c2s.ic.gov...).
   */
  stsEndpoint?: string;
  /** Signing time; defaults to now (fixed in tests). */
  now?: Date;
}

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header aws-iam-authenticator reads the cluster name from; it must be signed. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** X-Amz-Expires, as every EKS token generator sends it. */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** How much earlier than X-Amz-Date + X-Amz-Expires we call the token expired. */
export const EXPIRY_MARGIN_SECONDS = 10;

/** The STS base URL for a region, honouring the SDK's endpoint environment variables. */
export function stsEndpointFor(region: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() !== 'true') {
    const configured = env.AWS_ENDPOINT_URL_STS?.trim() || env.AWS_ENDPOINT_URL?.trim();
    if (configured) return configured;
  }
  // The SDK's own partition data: the same suffixes its endpoint rules use for every service.
  return `https://sts.${region}.${partition(region).dnsSuffix}`;
}

export async function createEksToken(o: EksTokenOptions): Promise<EksToken> {
  if (!o.clusterName) throw new Error('createEksToken: clusterName is required');
  if (!o.region) throw new Error('createEksToken: region is required');
  const endpoint = new URL(o.stsEndpoint ?? stsEndpointFor(o.region));
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw new Error(`STS endpoint must be an http(s) URL: ${endpoint.href}`);
  }
  const signingDate = o.now ?? new Date();
  const path = endpoint.pathname.endsWith('/') ? endpoint.pathname : `${endpoint.pathname}/`;

  const request = new HttpRequest({
    method: 'GET',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path,
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    // URL.host keeps a non-default port, which is what the server sees in Host and verifies.
    headers: { host: endpoint.host, [CLUSTER_ID_HEADER]: o.clusterName },
  });
  const signer = new SignatureV4({
    credentials: o.credentials,
    region: o.region,
    service: 'sts',
    sha256: Hash.bind(null, 'sha256'),
  });
  // Credentials resolve here; a failure is an AWS auth error, not a Kubernetes one.
  const signed = await aws('signing the EKS token', () =>
    signer.presign(request, {
      expiresIn: PRESIGN_EXPIRES_SECONDS,
      signingDate,
      signingRegion: o.region,
      signingService: 'sts',
    }),
  );

  const url = `${endpoint.protocol}//${endpoint.host}${path}?${encodeQuery(signed.query ?? {})}`;
  return {
    token: EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'),
    expiresAt: new Date(
      signingDate.getTime() + (PRESIGN_EXPIRES_SECONDS - EXPIRY_MARGIN_SECONDS) * 1000,
    ),
  };
}

export interface EksToken {
  token: string;
  expiresAt: Date;
}

/**
 * A token source for a connection that may outlive one token (a wizard or a confirmation prompt
 * sits between reading and writing): starts minting at once, reuses the token until it expires,
 * then mints a new one.
 */
export function renewingToken(
  mint: () => Promise<EksToken>,
  now: () => number = Date.now,
): () => Promise<string> {
  let current = mint();
  current.catch(() => undefined); // surfaced by the first request, not as an unhandled rejection
  return async () => {
    // A failed mint (a credentials hiccup) is retried by the next request, not kept forever.
    const token = await current.catch(() => undefined);
    if (!token || token.expiresAt.getTime() <= now()) current = mint();
    return (await current).token;
  };
}

/** RFC 3986 encoding, keys sorted (as the Go and Python signers emit them). */
function encodeQuery(query: QueryParameterBag): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === null || v === undefined) continue;
      parts.push(`${rfc3986(key)}=${rfc3986(v)}`);
    }
  }
  return parts.join('&');
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
