// The Kubernetes side through the built binary: who iamsa says it is, throttled reads, namespaces
// being deleted, kubeconfig mode, and that no secret ever reaches an output.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Ground, startGround } from '../support/ground.js';
import { kubeconfigFor } from '../support/kube-emulator/index.js';
import { tempDir } from '../support/temp.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
let g: Ground;
let dir: string;
const csa = (name: string, ...args: string[]) =>
  g.iamsa([
    'create-serviceaccount',
    '--cluster',
    g.cluster,
    '--name',
    name,
    '--attach-policy-arn',
    READONLY,
    ...g.kubeFlags,
    ...args,
  ]);
const requestsTo = (path: RegExp) => g.kube.requests.filter((r) => path.test(r.path));

before(async () => {
  g = await startGround('demo');
  dir = tempDir('kube-client');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve']);
  assert.equal(enabled.code, 0, enabled.stderr);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await g.close();
});

test('every request says it comes from iamsa and its version', async () => {
  const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
  const from = g.kube.requests.length;
  const r = await csa('agent', '--approve');
  assert.equal(r.code, 0, r.stderr);
  const mine = g.kube.requests.slice(from);
  assert.ok(mine.length >= 3);
  for (const request of mine) assert.equal(request.userAgent, `iamsa/${version}`);
});

test('a throttled read is retried when the server says (Retry-After)', async () => {
  g.kube.throttleNext('GET', /\/serviceaccounts\/throttled$/, 1, 2);
  const r = await csa('throttled');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    requestsTo(/\/serviceaccounts\/throttled$/).map((q) => q.status),
    [429, 429, 404],
  );
});

test('throttling that does not stop ends after a bounded number of retries', async () => {
  g.kube.throttleNext('GET', /\/serviceaccounts\/swamped$/, 0, 10);
  const r = await csa('swamped');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /429/);
  assert.equal(requestsTo(/\/serviceaccounts\/swamped$/).length, 4, '1 try and 3 retries');
});

test('a namespace being deleted is said as such (exit 3), before anything is written', async () => {
  await g.kubeAdmin('POST', '/api/v1/namespaces', { metadata: { name: 'leaving' } });
  g.kube.terminateNamespace('leaving');
  const aws = await g.awsState();
  const writes = g.kubeWrites();
  const r = await csa('app', '--namespace', 'leaving', '--approve');
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /^error: namespace leaving is being terminated\n/);
  assert.doesNotMatch(r.stderr, /access entry|aws-auth|permission/);
  assert.deepEqual(await g.awsState(), aws);
  assert.equal(g.kubeWrites(), writes);
});

test('kubeconfig mode keeps one keep-alive connection instead of one per request', async () => {
  const file = join(dir, 'keepalive.kubeconfig');
  writeFileSync(file, kubeconfigFor(g.kube.url, g.adminToken, g.pki.rootCertPath));
  const [connections, requests] = [g.kube.connections(), g.kube.requests.length];
  const r = await g.iamsa([
    'create-serviceaccount',
    '--cluster',
    g.cluster,
    '--name',
    'kept',
    '--attach-policy-arn',
    READONLY,
    '--kubeconfig',
    file,
    '--approve',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const made = g.kube.requests.length - requests;
  assert.ok(made >= 3, `requests: ${made}`);
  assert.ok(g.kube.connections() - connections < made, 'connections reused');
});

test('no output ever carries a bearer token, a secret access key or a session token; a malformed kubeconfig is named by file, line and column', async () => {
  const token = 'planted-kube-token-3f9a1c';
  const secret = g.env.AWS_SECRET_ACCESS_KEY ?? '';
  const session = 'PlantedSessionToken+7Qx/2b';
  const env = { AWS_SESSION_TOKEN: session };
  const good = join(dir, 'good.kubeconfig');
  writeFileSync(good, kubeconfigFor(g.kube.url, token, g.pki.rootCertPath));
  const bad = join(dir, 'bad.kubeconfig');
  // A flow mapping missing its comma on the line of the token: YAML parsers quote that line.
  writeFileSync(
    bad,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: e, cluster: {server: "${g.kube.url}"}}]`,
      'contexts: [{name: e, context: {cluster: e, user: e}}]',
      'current-context: e',
      `users: [{name: e, user: {token: ${token} client-key-data: x}}]`,
      '',
    ].join('\n'),
  );
  const wrong = join(dir, 'wrong.kubeconfig');
  writeFileSync(wrong, kubeconfigFor(g.kube.url, `${token}-wrong`, g.pki.rootCertPath));
  const base = ['create-serviceaccount', '--cluster', g.cluster, '--attach-policy-arn', READONLY];
  const runs: string[][] = [];
  for (const output of [[], ['-o', 'json'], ['-o', 'yaml'], ['--verbose']]) {
    runs.push(
      [...base, '--name', 'scan', ...g.kubeFlags, ...output], // plan, EKS token
      [...base, '--name', 'scan', ...g.kubeFlags, '--approve', ...output], // success
      [...base, '--name', 'scan', '--kubeconfig', good, '--approve', ...output], // converged
      [...base, '--name', 'scan', '--kubeconfig', bad, ...output], // malformed kubeconfig
      [...base, '--name', 'scan', '--kubeconfig', wrong, ...output], // 401
      [...base, '--name', 'scan', '--kubeconfig', good, '--namespace', 'nope', ...output], // exit 3
      [...base, '--name', 'scan', '--kubeconfig', good, '--nope', ...output], // usage
      ['enable-oidc', '--cluster', 'missing', ...output], // AWS precondition
    );
  }
  const codes = new Set<number | null>();
  for (const args of runs) {
    const r = await g.iamsa(args, env);
    codes.add(r.code);
    const all = r.stdout + r.stderr;
    if (args.includes(bad)) {
      // A malformed kubeconfig names the file, line and column, never its contents.
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^error: cannot load kubeconfig ${bad}: not valid YAML at line 6, column \\d+`,
          'm',
        ),
      );
    }
    for (const [what, value] of [
      ['bearer token', token],
      ['secret access key', secret],
      ['session token', session],
    ] as const) {
      assert.ok(!all.includes(value), `${what} in the output of: iamsa ${args.join(' ')}\n${all}`);
    }
  }
  assert.deepEqual([...codes].sort(), [0, 2, 3, 4], 'success and error paths were all taken');
});
