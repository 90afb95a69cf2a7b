// HTTPS_PROXY / NO_PROXY handling and HTTP CONNECT tunnels for raw TLS connections (the issuer
// thumbprint probe), following curl's conventions for the environment variables.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const nonEmpty = (v: string | undefined): string | undefined => (v?.trim() ? v.trim() : undefined);

const stripBrackets = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');

/**
 * The proxy to use for an https connection to host:port, or undefined for a direct connection.
 * Reads https_proxy then HTTPS_PROXY, skipped when no_proxy / NO_PROXY matches. A proxy value
 * without a scheme is taken as http://. Throws on a value that is not a URL.
 */
export function httpsProxyFor(
  host: string,
  port: number,
  env: NodeJS.ProcessEnv = process.env,
): URL | undefined {
  const raw = nonEmpty(env.https_proxy) ?? nonEmpty(env.HTTPS_PROXY);
  if (!raw) return undefined;
  if (noProxyMatches(host, port, nonEmpty(env.no_proxy) ?? nonEmpty(env.NO_PROXY) ?? '')) {
    return undefined;
  }
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new Error(`HTTPS_PROXY is not a valid URL: ${raw}`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new Error(`unsupported proxy scheme ${proxy.protocol} in HTTPS_PROXY`);
  }
  return proxy;
}

/**
 * Whether a NO_PROXY list (comma or space separated) covers host:port. Entries: `*` (everything);
 * a domain (`example.com`, `.example.com`, `*.example.com`: the domain and its subdomains); an IP
 * address; an IP CIDR block (`10.0.0.0/8`); any of them with `:port` to match only that port.
 */
export function noProxyMatches(host: string, port: number, noProxy: string): boolean {
  const target = stripBrackets(host).toLowerCase().replace(/\.$/, '');
  const targetFamily = net.isIP(target);
  for (const rawEntry of noProxy.split(/[\s,]+/)) {
    let entry = rawEntry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;

    let entryPort: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1] ?? '';
      if (bracketed[2]) entryPort = Number(bracketed[2]);
    } else {
      const hostPort = /^([^:]+):(\d+)$/.exec(entry); // one colon: host:port (not bare IPv6)
      if (hostPort) {
        entry = hostPort[1] ?? '';
        entryPort = Number(hostPort[2]);
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;

    if (entry.includes('/')) {
      if (targetFamily && cidrContains(entry, target, targetFamily)) return true;
      continue;
    }
    if (net.isIP(entry)) {
      if (targetFamily && sameIp(entry, target)) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (!domain || targetFamily) continue;
    if (target === domain || target.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function sameIp(a: string, b: string): boolean {
  const family = net.isIP(a);
  if (family !== net.isIP(b)) return false;
  const list = new net.BlockList();
  list.addAddress(a, family === 6 ? 'ipv6' : 'ipv4');
  return list.check(b, family === 6 ? 'ipv6' : 'ipv4');
}

function cidrContains(cidr: string, ip: string, ipFamily: number): boolean {
  const [base = '', prefixText = ''] = cidr.split('/');
  const family = net.isIP(base);
  const prefix = Number(prefixText);
  if (!family || family !== ipFamily || !/^\d+$/.test(prefixText)) return false;
  if (prefix > (family === 6 ? 128 : 32)) return false;
  try {
    const list = new net.BlockList();
    const type = family === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(base, prefix, type);
    return list.check(ip, type);
  } catch {
    return false;
  }
}

export interface TunnelOptions {
  /** Aborting destroys the proxy connection and rejects. */
  signal?: AbortSignal;
  /** Trust for an https:// proxy's own certificate. */
  ca?: string | string[];
  /** Largest CONNECT response head accepted. */
  maxHeaderBytes?: number;
}

/**
 * Opens an HTTP CONNECT tunnel to host:port through the proxy and resolves with the connected
 * socket, positioned right after the proxy's response head (ready for a TLS handshake). Rejects
 * when the proxy is unreachable, answers non-2xx, closes early, or the signal aborts; the proxy
 * connection is destroyed on every failure path.
 */
export function openConnectTunnel(
  proxy: URL,
  host: string,
  port: number,
  options: TunnelOptions = {},
): Promise<net.Socket> {
  const { signal, ca, maxHeaderBytes = 16 * 1024 } = options;
  return new Promise<net.Socket>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('aborted before connecting to the proxy'));
      return;
    }
    const proxyHost = stripBrackets(proxy.hostname);
    const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
    let socket: net.Socket;
    if (proxy.protocol === 'http:') {
      socket = net.connect({ host: proxyHost, port: proxyPort });
    } else if (proxy.protocol === 'https:') {
      socket = tls.connect({
        host: proxyHost,
        port: proxyPort,
        ...(net.isIP(proxyHost) ? {} : { servername: proxyHost }),
        ...(ca !== undefined ? { ca: withRootCertificates(ca) } : {}),
      });
    } else {
      reject(new Error(`unsupported proxy scheme ${proxy.protocol}`));
      return;
    }
    const proxyName = `${proxyHost}:${proxyPort}`;
    // Keep a listener for the socket's whole life so a late error can never go unhandled.
    socket.on('error', () => undefined);

    let settled = false;
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onError = (err: Error) => fail(new Error(`proxy ${proxyName}: ${err.message}`));
    const onClose = () =>
      fail(new Error(`proxy ${proxyName} closed the connection before answering CONNECT`));
    const onAbort = () => fail(new Error('aborted while talking to the proxy'));
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buffered.length > maxHeaderBytes) {
          fail(new Error(`proxy ${proxyName} sent an oversized CONNECT response`));
        }
        return;
      }
      const head = buffered.subarray(0, end).toString('latin1');
      const statusLine = head.split('\r\n', 1)[0] ?? '';
      const status = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1];
      if (!status || !status.startsWith('2')) {
        fail(
          new Error(
            `proxy ${proxyName} refused CONNECT to ${host}:${port}: ${statusLine.trim() || 'malformed response'}`,
          ),
        );
        return;
      }
      settled = true;
      cleanup();
      socket.pause();
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };

    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });

    const authority = net.isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
    if (proxy.username || proxy.password) {
      const user = decodeURIComponent(proxy.username);
      const pass = decodeURIComponent(proxy.password);
      lines.push(`Proxy-Authorization: Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`);
    }
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** Extra trust on top of Node's default store (bundled roots plus NODE_EXTRA_CA_CERTS). */
export function withRootCertificates(ca: string | string[]): string[] {
  const extra: string[] = [];
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  if (extraFile) {
    try {
      // Node reads this file once at start-up; passing `ca` replaces that store, so re-add it.
      extra.push(readFileSync(extraFile, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable file; so do we (silently).
    }
  }
  return [...tls.rootCertificates, ...extra, ...(Array.isArray(ca) ? ca : [ca])];
}
