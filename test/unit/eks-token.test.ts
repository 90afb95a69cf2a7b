import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createEksToken, renewingToken, stsEndpointFor } from '../../src/aws/eks-token.js';
import { ExitCode, IamsaError } from '../../src/errors.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const now = new Date('2024-05-06T07:08:09Z');
const PREFIX = 'k8s-aws-v1.';
const ENDPOINT_VARS = [
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
] as const;

/** Runs fn with the endpoint variables of process.env set exactly as given, then restores them. */
async function withEndpointEnv(vars: Record<string, string>, fn: () => Promise<void>) {
  const saved = ENDPOINT_VARS.map((k) => [k, process.env[k]] as const);
  for (const k of ENDPOINT_VARS) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function decode(token: string): URL {
  assert.ok(token.startsWith(PREFIX), `token starts with ${PREFIX}`);
  return new URL(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'));
}

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** SigV4 (query auth) recomputed from the spec, independently of @smithy/signature-v4. */
function expectedSignature(url: URL, clusterName: string, secretAccessKey: string): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    url.pathname,
    canonicalQuery,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    'host;x-k8s-aws-id',
    sha256Hex(''),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const credential = url.searchParams.get('X-Amz-Credential') ?? '';
  const [, date = '', region = '', service = ''] = credential.split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
}

describe('createEksToken', () => {
  it('has the k8s-aws-v1 prefix and unpadded base64url', async () => {
    const { token } = await createEksToken({
      clusterName: 'prod',
      region: 'us-west-2',
      credentials,
      now,
    });
    assert.ok(token.startsWith(PREFIX));
    assert.match(token.slice(PREFIX.length), /^[A-Za-z0-9_-]+$/);
    assert.ok(!token.includes('='));
  });

  it('presigns GetCallerIdentity against the regional endpoint with the SigV4 query parameters', async () => {
    let result: { token: string; expiresAt: Date } | undefined;
    await withEndpointEnv({}, async () => {
      result = await createEksToken({ clusterName: 'prod', region: 'us-west-2', credentials, now });
    });
    assert.ok(result);
    const { token, expiresAt } = result;
    const url = decode(token);
    assert.equal(url.protocol, 'https:');
    assert.equal(url.host, 'sts.us-west-2.amazonaws.com');
    assert.equal(url.pathname, '/');
    const q = url.searchParams;
    assert.equal(q.get('Action'), 'GetCallerIdentity');
    assert.equal(q.get('Version'), '2011-06-15');
    assert.equal(q.get('X-Amz-Expires'), '60');
    assert.equal(q.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(q.get('X-Amz-Date'), '20240506T070809Z');
    assert.equal(q.get('X-Amz-Credential'), 'AKIDEXAMPLE/20240506/us-west-2/sts/aws4_request');
    assert.deepEqual(q.get('X-Amz-SignedHeaders')?.split(';'), ['host', 'x-k8s-aws-id']);
    assert.equal(q.get('X-Amz-Security-Token'), null);
    assert.match(q.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);
    // The cluster id travels as a signed header, never in the query.
    assert.equal(q.get('x-k8s-aws-id'), null);
    const ttl = (expiresAt.getTime() - now.getTime()) / 1000;
    assert.ok(ttl > 0 && ttl < 60, `expiresAt ${ttl}s after signing`);
  });

  it('produces a signature that verifies under an independent SigV4 implementation', async () => {
    const { token } = await createEksToken({
      clusterName: 'my-cluster',
      region: 'eu-central-1',
      credentials,
      now,
    });
    const url = decode(token);
    assert.equal(
      url.searchParams.get('X-Amz-Signature'),
      expectedSignature(url, 'my-cluster', credentials.secretAccessKey),
    );
    // And the check itself can fail: another cluster name gives another signature.
    assert.notEqual(
      url.searchParams.get('X-Amz-Signature'),
      expectedSignature(url, 'other-cluster', credentials.secretAccessKey),
    );
  });

  it('keeps the session token in the signed query', async () => {
    const sessionToken = 'FwoGZXIvYXdzE+/session=token';
    const { token } = await createEksToken({
      clusterName: 'prod',
      region: 'us-east-1',
      credentials: async () => ({ ...credentials, sessionToken }),
      now,
    });
    const url = decode(token);
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), sessionToken);
    assert.equal(
      url.searchParams.get('X-Amz-Signature'),
      expectedSignature(url, 'prod', credentials.secretAccessKey),
    );
  });

  it('preserves a custom endpoint scheme, port and path (moto_server) and signs host:port', async () => {
    for (const [endpoint, host, path] of [
      ['http://127.0.0.1:5000', '127.0.0.1:5000', '/'],
      ['http://localhost:4566/sts/', 'localhost:4566', '/sts/'],
      ['https://sts.example.test:8443/base', 'sts.example.test:8443', '/base/'],
    ] as const) {
      const { token } = await createEksToken({
        clusterName: 'c1',
        region: 'us-west-2',
        credentials,
        now,
        stsEndpoint: endpoint,
      });
      const url = decode(token);
      assert.equal(url.origin, new URL(endpoint).origin);
      assert.equal(url.host, host);
      assert.equal(url.pathname, path);
      assert.equal(url.searchParams.get('Action'), 'GetCallerIdentity');
      assert.equal(
        url.searchParams.get('X-Amz-Signature'),
        expectedSignature(url, 'c1', credentials.secretAccessKey),
        endpoint,
      );
    }
  });

  it('is deterministic for a fixed signing time and changes with it', async () => {
    const opts = { clusterName: 'prod', region: 'us-west-2', credentials, now };
    const a = await createEksToken(opts);
    const b = await createEksToken(opts);
    assert.equal(a.token, b.token);
    assert.equal(a.expiresAt.getTime(), b.expiresAt.getTime());
    const c = await createEksToken({ ...opts, now: new Date(now.getTime() + 1000) });
    assert.notEqual(a.token, c.token);
  });

  it('uses the STS endpoint from the environment when none is given', async () => {
    await withEndpointEnv({ AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:5999' }, async () => {
      const { token } = await createEksToken({
        clusterName: 'c',
        region: 'us-west-2',
        credentials,
        now,
      });
      assert.equal(decode(token).host, '127.0.0.1:5999');
    });
  });
});

describe('stsEndpointFor', () => {
  it('prefers AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL, then the regional endpoint', () => {
    assert.equal(
      stsEndpointFor('us-west-2', {
        AWS_ENDPOINT_URL_STS: 'http://sts.local:1',
        AWS_ENDPOINT_URL: 'http://all.local:2',
      }),
      'http://sts.local:1',
    );
    assert.equal(
      stsEndpointFor('us-west-2', { AWS_ENDPOINT_URL: 'http://all.local:2' }),
      'http://all.local:2',
    );
    assert.equal(
      stsEndpointFor('us-west-2', {
        AWS_ENDPOINT_URL_STS: '',
        AWS_ENDPOINT_URL: 'http://all.local:2',
      }),
      'http://all.local:2',
    );
    assert.equal(stsEndpointFor('us-west-2', {}), 'https://sts.us-west-2.amazonaws.com');
  });

  it("uses the DNS suffix of the region's partition, from the SDK's partition data", () => {
    for (const [region, endpoint] of [
      ['us-east-1', 'https://sts.us-east-1.amazonaws.com'], // aws
      ['cn-north-1', 'https://sts.cn-north-1.amazonaws.com.cn'], // aws-cn
      ['us-gov-west-1', 'https://sts.us-gov-west-1.amazonaws.com'], // aws-us-gov
      ['us-iso-east-1', 'https://sts.us-iso-east-1.c2s.ic.gov'], // aws-iso
      ['us-isob-east-1', 'https://sts.us-isob-east-1.sc2s.sgov.gov'], // aws-iso-b
    ]) {
      assert.equal(stsEndpointFor(region as string, {}), endpoint);
    }
  });

  it('uses the China partition suffix for cn- regions', () => {
    assert.equal(stsEndpointFor('cn-north-1', {}), 'https://sts.cn-north-1.amazonaws.com.cn');
    assert.equal(
      stsEndpointFor('cn-northwest-1', {}),
      'https://sts.cn-northwest-1.amazonaws.com.cn',
    );
  });

  it('ignores configured endpoints when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true', () => {
    assert.equal(
      stsEndpointFor('eu-west-1', {
        AWS_ENDPOINT_URL_STS: 'http://sts.local:1',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      }),
      'https://sts.eu-west-1.amazonaws.com',
    );
  });
});

describe('renewingToken', () => {
  it('mints once, reuses the token until it expires, then mints a new one', async () => {
    let clock = 1_000_000;
    let minted = 0;
    const next = renewingToken(
      async () => ({ token: `t${++minted}`, expiresAt: new Date(clock + 50_000) }),
      () => clock,
    );
    assert.equal(minted, 1, 'minting starts at once, before the first request');
    assert.equal(await next(), 't1');
    clock += 49_999;
    assert.equal(await next(), 't1');
    clock += 1;
    assert.equal(await next(), 't2', 'a token at its expiry is replaced');
    assert.equal(await next(), 't2');
    assert.equal(minted, 2);
  });

  it('a failed mint surfaces on the first request, not as an unhandled rejection', async () => {
    const next = renewingToken(() => Promise.reject(new Error('no credentials')));
    await new Promise((r) => setImmediate(r));
    await assert.rejects(next(), /no credentials/);
  });

  it('a failed mint is retried by the next request', async () => {
    let attempt = 0;
    const next = renewingToken(async () => {
      if (++attempt === 1) throw new Error('throttled');
      return { token: 'fresh', expiresAt: new Date(Date.now() + 50_000) };
    });
    assert.equal(await next(), 'fresh');
    assert.equal(attempt, 2);
  });
});

describe('createEksToken with unusable credentials', () => {
  it('fails as an AWS auth error (exit 4)', async () => {
    const failing = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    };
    await assert.rejects(
      createEksToken({ clusterName: 'prod', region: 'us-west-2', credentials: failing }),
      (e: unknown) => e instanceof IamsaError && e.exitCode === ExitCode.auth,
    );
  });
});
