import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { noProxyMatches } from '../../src/aws/proxy.js';
import { fetchIssuerThumbprint } from '../../src/aws/thumbprint.js';
import { createTestPki, sha1Thumbprint, type TestPki } from '../support/pki.js';

/** Starts a server on 127.0.0.1:0; close() also destroys every connection it accepted. */
async function listen(server: net.Server): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A minimal HTTP CONNECT proxy that counts the tunnels it opened. */
async function startConnectProxy(answer?: string) {
  const upstreams = new Set<net.Socket>();
  const stats = { connects: 0, targets: [] as string[] };
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    stats.connects += 1;
    stats.targets.push(req.url ?? '');
    client.on('error', () => undefined);
    if (answer !== undefined) {
      if (answer) client.end(answer);
      return; // '' means: never answer
    }
    const { hostname, port } = new URL(`http://${req.url ?? ''}`);
    const upstream = net.connect(Number(port), hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstreams.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      upstreams.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });
  const listening = await listen(server);
  return {
    stats,
    url: `http://127.0.0.1:${listening.port}`,
    close: async () => {
      for (const u of upstreams) u.destroy();
      await listening.close();
    },
  };
}

describe('fetchIssuerThumbprint', () => {
  let pki: TestPki;
  let other: TestPki;
  let issuer: string;
  let closeServer: () => Promise<void>;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    pki = createTestPki();
    other = createTestPki();
    const server = tls.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, (s) => {
      s.on('error', () => undefined);
      s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    });
    server.on('tlsClientError', () => undefined);
    const l = await listen(server);
    issuer = `https://127.0.0.1:${l.port}/id/EXAMPLE`;
    closeServer = l.close;
  });
  after(async () => {
    await closeServer?.();
    for (const c of cleanups.splice(0)) await c();
  });

  it('returns the SHA-1 of the top (root) certificate of the verified chain', async () => {
    const result = await fetchIssuerThumbprint(issuer, { ca: pki.rootCertPem, env: {} });
    assert.equal(result.reason, undefined);
    assert.equal(result.thumbprint, sha1Thumbprint(pki.rootCertPem));
    assert.match(result.thumbprint ?? '', /^[0-9a-f]{40}$/);
    assert.notEqual(result.thumbprint, sha1Thumbprint(pki.intermediateCertPem));
  });

  it('accepts ca as a list and keeps the default roots', async () => {
    const result = await fetchIssuerThumbprint(issuer, {
      ca: [other.rootCertPem, pki.rootCertPem],
      env: {},
    });
    assert.equal(result.thumbprint, sha1Thumbprint(pki.rootCertPem));
  });

  it('refuses a certificate it cannot verify', async () => {
    for (const ca of [undefined, other.rootCertPem]) {
      const result = await fetchIssuerThumbprint(issuer, {
        ...(ca ? { ca } : {}),
        env: {},
        timeoutMs: 3000,
      });
      assert.equal(result.thumbprint, undefined);
      assert.match(result.reason ?? '', /verification/i);
    }
  });

  it('refuses a certificate for another host name', async () => {
    const wrongHost = createTestPki(['issuer.example.test']);
    const server = tls.createServer({
      cert: wrongHost.serverChainPem,
      key: wrongHost.serverKeyPem,
    });
    server.on('tlsClientError', () => undefined);
    const l = await listen(server);
    try {
      const result = await fetchIssuerThumbprint(`https://127.0.0.1:${l.port}/`, {
        ca: wrongHost.rootCertPem,
        env: {},
        timeoutMs: 3000,
      });
      assert.equal(result.thumbprint, undefined);
      assert.match(result.reason ?? '', /verification/i);
    } finally {
      await l.close();
    }
  });

  it('gives up within the timeout when the TLS handshake never completes', async () => {
    const server = net.createServer((s) => s.on('error', () => undefined)); // accepts, never answers
    const l = await listen(server);
    try {
      const started = Date.now();
      const result = await fetchIssuerThumbprint(`https://127.0.0.1:${l.port}/`, {
        ca: pki.rootCertPem,
        env: {},
        timeoutMs: 300,
      });
      const elapsed = Date.now() - started;
      assert.equal(result.thumbprint, undefined);
      assert.match(result.reason ?? '', /timed out after 300 ms/);
      assert.ok(elapsed >= 250 && elapsed < 2000, `returned after ${elapsed} ms`);
    } finally {
      await l.close();
    }
  });

  it('reports an unreachable port', async () => {
    const l = await listen(net.createServer());
    await l.close(); // the port is now (almost certainly) closed
    const result = await fetchIssuerThumbprint(`https://127.0.0.1:${l.port}/`, {
      env: {},
      timeoutMs: 3000,
    });
    assert.equal(result.thumbprint, undefined);
    assert.match(result.reason ?? '', /refused/);
  });

  it('never throws on bad input', async () => {
    assert.match((await fetchIssuerThumbprint('not a url')).reason ?? '', /not a valid URL/);
    assert.match(
      (await fetchIssuerThumbprint('http://127.0.0.1/', { env: {} })).reason ?? '',
      /not https/,
    );
    assert.match(
      (await fetchIssuerThumbprint(issuer, { env: { HTTPS_PROXY: 'ftp://proxy:21' } })).reason ??
        '',
      /unsupported proxy scheme/,
    );
  });

  it('tunnels through HTTPS_PROXY with CONNECT', async () => {
    const proxy = await startConnectProxy();
    cleanups.push(proxy.close);
    const result = await fetchIssuerThumbprint(issuer, {
      ca: pki.rootCertPem,
      env: { HTTPS_PROXY: proxy.url },
      timeoutMs: 3000,
    });
    assert.equal(result.reason, undefined);
    assert.equal(result.thumbprint, sha1Thumbprint(pki.rootCertPem));
    assert.equal(proxy.stats.connects, 1);
    assert.deepEqual(proxy.stats.targets, [new URL(issuer).host]);

    // lower-case https_proxy is honoured too
    const lower = await fetchIssuerThumbprint(issuer, {
      ca: pki.rootCertPem,
      env: { https_proxy: proxy.url },
      timeoutMs: 3000,
    });
    assert.equal(lower.thumbprint, sha1Thumbprint(pki.rootCertPem));
    assert.equal(proxy.stats.connects, 2);
  });

  it('connects directly when NO_PROXY covers the host', async () => {
    const proxy = await startConnectProxy();
    cleanups.push(proxy.close);
    for (const noProxy of ['127.0.0.1', 'localhost,127.0.0.1', '*', '127.0.0.0/8']) {
      const result = await fetchIssuerThumbprint(issuer, {
        ca: pki.rootCertPem,
        env: { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy },
        timeoutMs: 3000,
      });
      assert.equal(result.thumbprint, sha1Thumbprint(pki.rootCertPem), noProxy);
    }
    const lower = await fetchIssuerThumbprint(issuer, {
      ca: pki.rootCertPem,
      env: { https_proxy: proxy.url, no_proxy: '127.0.0.1' },
      timeoutMs: 3000,
    });
    assert.equal(lower.thumbprint, sha1Thumbprint(pki.rootCertPem));
    assert.equal(proxy.stats.connects, 0);

    // ...and uses the proxy when NO_PROXY names something else.
    const viaProxy = await fetchIssuerThumbprint(issuer, {
      ca: pki.rootCertPem,
      env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com,10.0.0.0/8' },
      timeoutMs: 3000,
    });
    assert.equal(viaProxy.thumbprint, sha1Thumbprint(pki.rootCertPem));
    assert.equal(proxy.stats.connects, 1);
  });

  it('reports a proxy that refuses the tunnel', async () => {
    const proxy = await startConnectProxy('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    cleanups.push(proxy.close);
    const result = await fetchIssuerThumbprint(issuer, {
      ca: pki.rootCertPem,
      env: { HTTPS_PROXY: proxy.url },
      timeoutMs: 3000,
    });
    assert.equal(result.thumbprint, undefined);
    assert.match(result.reason ?? '', /proxy .*refused CONNECT.*403/);
    assert.equal(proxy.stats.connects, 1);
  });

  it('times out on a proxy that never answers CONNECT', async () => {
    const proxy = await startConnectProxy('');
    cleanups.push(proxy.close);
    const started = Date.now();
    const result = await fetchIssuerThumbprint(issuer, {
      ca: pki.rootCertPem,
      env: { HTTPS_PROXY: proxy.url },
      timeoutMs: 300,
    });
    assert.ok(Date.now() - started < 2000);
    assert.equal(result.thumbprint, undefined);
    assert.match(result.reason ?? '', /timed out after 300 ms.*proxy/);
  });

  it('reports an unreachable proxy', async () => {
    const l = await listen(net.createServer());
    await l.close();
    const result = await fetchIssuerThumbprint(issuer, {
      ca: pki.rootCertPem,
      env: { HTTPS_PROXY: `http://127.0.0.1:${l.port}` },
      timeoutMs: 3000,
    });
    assert.equal(result.thumbprint, undefined);
    assert.match(result.reason ?? '', /proxy 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});

describe('noProxyMatches', () => {
  it('matches *, exact hosts, domain suffixes, IPs, CIDR blocks and ports', () => {
    const yes: [string, string, number][] = [
      ['*', 'oidc.eks.us-west-2.amazonaws.com', 443],
      ['amazonaws.com', 'oidc.eks.us-west-2.amazonaws.com', 443],
      ['.amazonaws.com', 'oidc.eks.us-west-2.amazonaws.com', 443],
      ['*.amazonaws.com', 'oidc.eks.us-west-2.amazonaws.com', 443],
      ['.example.com', 'example.com', 443],
      ['example.com', 'example.com', 443],
      ['EXAMPLE.com', 'Example.COM', 443],
      ['foo, example.com ,bar', 'a.example.com', 443],
      ['localhost 127.0.0.1', '127.0.0.1', 8443],
      ['10.0.0.0/8', '10.1.2.3', 443],
      ['example.com:443', 'example.com', 443],
      ['::1', '[::1]', 443],
      ['[::1]:443', '::1', 443],
    ];
    for (const [list, host, port] of yes) {
      assert.equal(noProxyMatches(host, port, list), true, `${list} should cover ${host}:${port}`);
    }
    const no: [string, string, number][] = [
      ['', 'example.com', 443],
      ['example.com', 'badexample.com', 443],
      ['.example.com', 'example.org', 443],
      ['a.example.com', 'example.com', 443],
      ['10.0.0.0/8', '11.0.0.1', 443],
      ['10.0.0.0/8', 'ten.example.com', 443],
      ['example.com:8443', 'example.com', 443],
      ['127.0.0.1', '127.0.0.10', 443],
    ];
    for (const [list, host, port] of no) {
      assert.equal(
        noProxyMatches(host, port, list),
        false,
        `${list} should not cover ${host}:${port}`,
      );
    }
  });
});
