// The OIDC issuer's TLS thumbprint: SHA-1 of the top certificate of the verified chain, as IAM's
// ThumbprintList wants it. Bounded by one timeout, proxy-aware, and it never throws.
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { httpsProxyFor, openConnectTunnel, withRootCertificates } from './proxy.js';

export interface ThumbprintResult {
  /** 40 lower-case hex characters. */
  thumbprint?: string;
  /** When thumbprint is undefined: one line saying why. */
  reason?: string;
}

export interface ThumbprintOptions {
  /** One budget for DNS, connect, proxy CONNECT and TLS handshake. Default 5000. */
  timeoutMs?: number;
  /** Extra trust on top of the default store (tests). */
  ca?: string | string[];
  /** Where HTTPS_PROXY / NO_PROXY are read from. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_THUMBPRINT_TIMEOUT_MS = 5000;

export async function fetchIssuerThumbprint(
  issuerUrl: string,
  options: ThumbprintOptions = {},
): Promise<ThumbprintResult> {
  try {
    return await probe(issuerUrl, options);
  } catch (err) {
    return { reason: oneLine(err instanceof Error ? err.message : String(err)) };
  }
}

async function probe(issuerUrl: string, options: ThumbprintOptions): Promise<ThumbprintResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_THUMBPRINT_TIMEOUT_MS;
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    return { reason: `issuer URL is not a valid URL: ${issuerUrl}` };
  }
  if (url.protocol !== 'https:') return { reason: `issuer URL is not https: ${issuerUrl}` };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : 443;
  const target = net.isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;

  let proxy: URL | undefined;
  try {
    proxy = httpsProxyFor(host, port, options.env ?? process.env);
  } catch (err) {
    return { reason: oneLine((err as Error).message) };
  }
  const via = proxy ? ` via proxy ${proxy.host}` : '';

  return new Promise<ThumbprintResult>((resolve) => {
    const abort = new AbortController();
    let stage = proxy ? `waiting for proxy ${proxy.host} to open a tunnel` : 'connecting';
    let raw: net.Socket | undefined;
    let secure: tls.TLSSocket | undefined;
    let settled = false;

    const finish = (result: ThumbprintResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort.abort();
      secure?.destroy();
      raw?.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ reason: `timed out after ${timeoutMs} ms ${stage} (${target}${via})` }),
      timeoutMs,
    );

    const startTls = (tunnel: net.Socket | undefined) => {
      if (settled) {
        tunnel?.destroy();
        return;
      }
      raw = tunnel;
      if (tunnel) stage = 'waiting for the TLS handshake';
      secure = tls.connect({
        ...(tunnel ? { socket: tunnel } : { port }),
        host,
        ...(net.isIP(host) ? {} : { servername: host }), // SNI; not allowed for IP literals
        ...(options.ca !== undefined ? { ca: withRootCertificates(options.ca) } : {}),
        rejectUnauthorized: true,
      });
      // on(), not once(): a second error after destroy must not go unhandled.
      secure.on('error', (err) => finish({ reason: describeError(err, target, via) }));
      secure.once('connect', () => {
        stage = 'waiting for the TLS handshake';
      });
      secure.once('secureConnect', () => {
        const socket = secure;
        if (!socket) return;
        if (!socket.authorized) {
          finish({
            reason: `TLS certificate verification failed for ${target}${via}: ${String(socket.authorizationError)}`,
          });
          return;
        }
        const top = topOfChain(socket.getPeerCertificate(true));
        finish(
          top
            ? { thumbprint: createHash('sha1').update(top.raw).digest('hex') }
            : { reason: `${target} presented no certificate` },
        );
      });
    };

    if (proxy) {
      openConnectTunnel(proxy, host, port, {
        signal: abort.signal,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
      }).then(startTls, (err: Error) => finish({ reason: oneLine(err.message) }));
    } else {
      startTls(undefined);
    }
  });
}

/** Follows issuerCertificate to the top: a self-signed certificate, or where the chain loops/ends. */
export function topOfChain(
  cert: tls.DetailedPeerCertificate,
): tls.DetailedPeerCertificate | undefined {
  if (!cert || !cert.raw || cert.raw.length === 0) return undefined;
  const seen = new Set<string>();
  let current = cert;
  for (;;) {
    seen.add(current.raw.toString('base64'));
    const next = current.issuerCertificate as tls.DetailedPeerCertificate | undefined;
    if (!next || next === current || !next.raw || seen.has(next.raw.toString('base64'))) {
      return current;
    }
    current = next;
  }
}

// OpenSSL verification codes as Node surfaces them, plus Node's own hostname check.
const VERIFY_CODE =
  /CERT|SELF_SIGNED|ISSUER|VERIFY|ALTNAME|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH|INVALID_PURPOSE|CHAIN_TOO_LONG/;

function describeError(err: NodeJS.ErrnoException, target: string, via: string): string {
  const code = err.code ?? '';
  const msg = oneLine(err.message);
  if (VERIFY_CODE.test(code)) {
    return `TLS certificate verification failed for ${target}${via}: ${msg} (${code})`;
  }
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return `DNS lookup failed for ${target} (${code})`;
    case 'ECONNREFUSED':
      return `connection refused by ${target}`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection reset by ${target}${via} during the TLS handshake`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${target} is unreachable (${code})`;
    default:
      return `TLS connection to ${target}${via} failed: ${msg}${code ? ` (${code})` : ''}`;
  }
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
