// The Kubernetes API emulator, proven against the real clients: the installed kubectl (driven as
// a user would) and @kubernetes/client-node, plus the raw protocol and EKS token authentication.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  type KubeEmulator,
  kubeconfigFor,
  startKubeEmulator,
} from '../support/kube-emulator/index.js';
import { createTestPki, type TestPki } from '../support/pki.js';
import { tempDir } from '../support/temp.js';

/** Parsed JSON bodies, read by assertions. */
type Loose = any;

const TOKEN = 'emulator-admin-token';
const ROLE = 'eks.amazonaws.com/role-arn';
const ARN = 'arn:aws:iam::123456789012:role/app';

let pki: TestPki;
let kube: KubeEmulator;
let dir: string;
let kubeconfig: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], opts: { input?: string; token?: string } = {}): Promise<Run> {
  const extra = opts.token ? ['--token', opts.token] : [];
  const argv = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...extra, ...args];
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      argv,
      { env: { PATH: process.env.PATH, HOME: dir }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** kubectl that must succeed; returns stdout. */
async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

/** kubectl that must fail; returns stderr. */
async function fails(args: string[], opts: { input?: string; token?: string } = {}) {
  const r = await kubectl(args, opts);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail\n${r.stdout}`);
  return r.stderr;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Loose;
}

function raw(
  method: string,
  path: string,
  options: { body?: string; contentType?: string; accept?: string; token?: string | null } = {},
  target: KubeEmulator = kube,
): Promise<Raw> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.contentType) headers['content-type'] = options.contentType;
  if (options.accept) headers.accept = options.accept;
  return new Promise((resolve, reject) => {
    const req = request(`${target.url}${path}`, { method, headers, ca: pki.rootCertPem }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: Loose = {};
        try {
          json = JSON.parse(text) as Loose;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (body: unknown) => ({
  body: JSON.stringify(body),
  contentType: 'application/json',
});

before(async () => {
  pki = createTestPki();
  dir = tempDir('kube-emulator');
  kube = await startKubeEmulator({
    tls: { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem },
    staticTokens: [TOKEN],
  });
  kubeconfig = file('kubeconfig', kubeconfigFor(kube.url, TOKEN, pki.rootCertPath));
});

// Each test starts from the initial namespaces and builds what it works on (fixtures below).
beforeEach(() => kube.reset());

after(async () => {
  await kube?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

/** A request as the administrator that must succeed: fixtures. */
async function made(path: string, body: unknown): Promise<void> {
  const r = await raw('POST', path, json({ apiVersion: 'v1', ...(body as object) }));
  assert.ok(r.status < 300, `POST ${path}: ${r.status} ${r.text}`);
}

const FROM_FILE = [
  'apiVersion: v1',
  'kind: ServiceAccount',
  'metadata:',
  '  name: from-file',
  '  namespace: team-a',
  '  labels:',
  '    team: payments',
  '',
].join('\n');

/** Namespace team-a with "app" (given metadata) and "from-file" as its manifest describes it. */
async function teamA(
  app: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): Promise<void> {
  const accounts = '/api/v1/namespaces/team-a/serviceaccounts';
  await made('/api/v1/namespaces', { kind: 'Namespace', metadata: { name: 'team-a' } });
  await made(accounts, { kind: 'ServiceAccount', metadata: { name: 'app', ...app } });
  await made(accounts, {
    kind: 'ServiceAccount',
    metadata: { name: 'from-file', labels: { team: 'payments' } },
  });
}

describe('kubectl against the emulator', () => {
  test('discovery: version and api-resources', async () => {
    const [versionText, resources] = await Promise.all([
      ok(['version', '-o', 'json']),
      ok(['api-resources']),
    ]);
    const version = JSON.parse(versionText);
    assert.equal(version.serverVersion.gitVersion, 'v1.32.0');
    assert.match(resources, /^serviceaccounts\s+sa\s+v1\s+true\s+ServiceAccount$/m);
    assert.match(resources, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    assert.match(resources, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  });

  test('create namespace and service accounts (generator and manifest)', async () => {
    assert.match(await ok(['create', 'namespace', 'team-a']), /^namespace\/team-a created$/m);
    const ns = kube.getObject('namespaces', undefined, 'team-a');
    assert.equal(ns.status.phase, 'Active');
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'team-a');
    assert.ok(
      kube.getObject('serviceaccounts', 'team-a', 'default'),
      'default SA like the controller',
    );

    assert.match(await ok(['create', 'sa', 'app', '-n', 'team-a']), /serviceaccount\/app created/);
    const manifest = file('from-file.yaml', FROM_FILE);
    assert.match(await ok(['create', '-f', manifest]), /serviceaccount\/from-file created/);
    const sa = kube.getObject('serviceaccounts', 'team-a', 'from-file');
    assert.equal(sa.metadata.labels.team, 'payments');
    assert.match(sa.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(sa.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const posts = kube.requests.filter((r) => r.method === 'POST' && r.status === 201);
    assert.ok(posts.some((r) => r.path === '/api/v1/namespaces/team-a/serviceaccounts'));
  });

  test('annotate and label, then get -o json', async () => {
    await teamA();
    await ok(['annotate', 'sa', 'app', '-n', 'team-a', `${ROLE}=${ARN}`]);
    await ok(['label', 'sa', 'app', '-n', 'team-a', 'app.kubernetes.io/managed-by=iamsa']);
    const patchBy = (manager: string) =>
      kube.requests.find(
        (r) => r.method === 'PATCH' && r.query.includes(`fieldManager=${manager}`),
      );
    assert.equal(patchBy('kubectl-annotate')?.contentType, 'application/merge-patch+json');
    assert.equal(patchBy('kubectl-label')?.contentType, 'application/merge-patch+json');
    const got = JSON.parse(await ok(['get', 'sa', 'app', '-n', 'team-a', '-o', 'json']));
    const stored = kube.getObject('serviceaccounts', 'team-a', 'app');
    assert.equal(got.kind, 'ServiceAccount');
    assert.equal(got.apiVersion, 'v1');
    assert.equal(got.metadata.name, 'app');
    assert.equal(got.metadata.namespace, 'team-a');
    assert.equal(got.metadata.annotations[ROLE], ARN);
    assert.equal(got.metadata.labels['app.kubernetes.io/managed-by'], 'iamsa');
    assert.equal(got.metadata.uid, stored.metadata.uid);
    assert.equal(got.metadata.resourceVersion, stored.metadata.resourceVersion);
  });

  test('get prints a server-side table; selectors filter', async () => {
    await teamA();
    const table = await ok(['get', 'sa', '-n', 'team-a']);
    const lines = table.trim().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+SECRETS\s+AGE$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/)[0]),
      ['app', 'default', 'from-file'],
    );
    assert.match(table, /^app\s+0\s+\d+s$/m);
    const [selected, namespaces, all] = await Promise.all([
      ok(['get', 'sa', '-n', 'team-a', '-l', 'team=payments', '-o', 'name']),
      ok(['get', 'ns']),
      ok(['get', 'sa', '-A']),
    ]);
    assert.equal(selected.trim(), 'serviceaccount/from-file');
    assert.match(namespaces, /^team-a\s+Active\s+\d+s$/m);
    assert.match(all, /^NAMESPACE\s+NAME\s+SECRETS\s+AGE$/m);
    assert.match(all, /^kube-system\s+default\s+0\s/m);
  });

  test('patch --type merge, json and strategic', async () => {
    await teamA({
      labels: { 'app.kubernetes.io/managed-by': 'iamsa' },
      annotations: { [ROLE]: ARN },
    });
    const sa = (name: string) => kube.getObject('serviceaccounts', 'team-a', name);
    await ok([
      'patch',
      'sa',
      'app',
      '-n',
      'team-a',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"m":"1"}},"secrets":[{"name":"a"}]}',
    ]);
    assert.equal(sa('app').metadata.labels.m, '1');
    assert.equal(sa('app').metadata.labels['app.kubernetes.io/managed-by'], 'iamsa');
    await ok([
      'patch',
      'sa',
      'app',
      '-n',
      'team-a',
      '--type',
      'json',
      '-p',
      JSON.stringify([
        { op: 'test', path: '/metadata/labels/m', value: '1' },
        { op: 'remove', path: '/metadata/labels/m' },
        { op: 'add', path: '/metadata/annotations/note', value: 'from json patch' },
      ]),
    ]);
    assert.equal(sa('app').metadata.labels.m, undefined);
    assert.equal(sa('app').metadata.annotations.note, 'from json patch');
    // secrets merge by name under a strategic merge patch; a merge patch would replace the list.
    await ok([
      'patch',
      'sa',
      'app',
      '-n',
      'team-a',
      '--type',
      'strategic',
      '-p',
      '{"secrets":[{"name":"b"}]}',
    ]);
    assert.deepEqual(sa('app').secrets, [{ name: 'a' }, { name: 'b' }]);
    await ok([
      'patch',
      'sa',
      'app',
      '-n',
      'team-a',
      '--type',
      'merge',
      '-p',
      '{"secrets":[{"name":"c"}]}',
    ]);
    assert.deepEqual(sa('app').secrets, [{ name: 'c' }]);
    const err = await fails([
      'patch',
      'sa',
      'app',
      '-n',
      'team-a',
      '--type',
      'json',
      '-p',
      '[{"op":"test","path":"/metadata/name","value":"other"}]',
    ]);
    assert.match(err, /testing value \/metadata\/name failed/);
    assert.equal(kube.requests.at(-1)?.status, 422);
  });

  test('apply --server-side creates, then updates', async () => {
    await teamA();
    const manifest = (note: string) =>
      file(
        'applied.yaml',
        `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: applied\n  namespace: team-a\n  annotations:\n    note: "${note}"\n`,
      );
    assert.match(
      await ok(['apply', '--server-side', '-f', manifest('one')]),
      /serviceaccount\/applied serverside-applied/,
    );
    assert.equal(kube.requests.findLast((r) => r.method === 'PATCH')?.status, 201);
    await ok(['apply', '--server-side', '-f', manifest('two')]);
    const last = kube.requests.findLast((r) => r.method === 'PATCH');
    assert.equal(last?.contentType, 'application/apply-patch+yaml');
    assert.match(last?.query ?? '', /fieldManager=kubectl/);
    assert.equal(
      kube.getObject('serviceaccounts', 'team-a', 'applied').metadata.annotations.note,
      'two',
    );
  });

  test('error cases read like the real server', async () => {
    await teamA();
    const [missing, duplicate, invalid, ghost, strict] = await Promise.all([
      fails(['get', 'sa', 'nope', '-n', 'team-a']),
      fails(['create', '-f', file('from-file.yaml', FROM_FILE)]),
      fails(['create', 'sa', 'Bad_Name', '-n', 'team-a']),
      fails(['create', 'sa', 'x', '-n', 'ghost']),
      fails(['create', '-f', '-'], {
        input:
          '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"s","namespace":"team-a"},"spec":{}}',
      }),
    ]);
    assert.match(missing, /Error from server \(NotFound\): serviceaccounts "nope" not found/);
    assert.match(
      duplicate,
      /Error from server \(AlreadyExists\): error when creating ".*from-file\.yaml": serviceaccounts "from-file" already exists/,
    );
    // The generator reports the same server error its own way.
    const generator = await fails(['create', 'sa', 'app', '-n', 'team-a']);
    assert.match(
      generator,
      /failed to create serviceaccount: serviceaccounts "app" already exists/,
    );
    assert.equal(kube.requests.at(-1)?.status, 409);
    assert.match(
      invalid,
      /ServiceAccount "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    assert.match(ghost, /namespaces "ghost" not found/);
    assert.ok(
      kube.requests.some(
        (r) => r.path === '/api/v1/namespaces/ghost/serviceaccounts' && r.status === 404,
      ),
    );
    assert.match(strict, /strict decoding error: unknown field "spec"/);
    const badNs = await fails(['create', 'namespace', 'a.b']);
    assert.match(
      badNs,
      /Namespace "a\.b" is invalid: metadata\.name: Invalid value: "a\.b": a lowercase RFC 1123 label/,
    );
    assert.equal(kube.getObject('namespaces', undefined, 'a.b'), undefined);
  });

  test('replace with a stale resourceVersion is a Conflict', async () => {
    await teamA();
    const stale = await ok(['get', 'sa', 'from-file', '-n', 'team-a', '-o', 'json']);
    await ok(['label', 'sa', 'from-file', '-n', 'team-a', 'bump=1']);
    const err = await fails(['replace', '-f', file('stale.json', stale)]);
    assert.match(err, /Error from server \(Conflict\)/);
    assert.match(
      err,
      /the object has been modified; please apply your changes to the latest version and try again/,
    );
    assert.equal(
      kube.getObject('serviceaccounts', 'team-a', 'from-file').metadata.labels.bump,
      '1',
    );
    // With the current resourceVersion the same replace goes through.
    const fresh = JSON.parse(await ok(['get', 'sa', 'from-file', '-n', 'team-a', '-o', 'json']));
    fresh.metadata.labels = { replaced: 'yes' };
    await ok(['replace', '-f', file('fresh.json', JSON.stringify(fresh))]);
    assert.deepEqual(kube.getObject('serviceaccounts', 'team-a', 'from-file').metadata.labels, {
      replaced: 'yes',
    });
  });

  test('a wrong token is Unauthorized', async () => {
    await teamA();
    await ok(['api-resources']); // discovery cached: the GET itself meets the wrong token
    const err = await fails(['get', 'sa', '-n', 'team-a'], { token: 'not-the-token' });
    assert.match(err, /Unauthorized/);
    const last = kube.requests.at(-1);
    assert.equal(last?.status, 401);
    assert.equal(last?.user, undefined);
  });

  test('delete service account, then the namespace with what is in it', async () => {
    await teamA();
    assert.match(await ok(['delete', 'sa', 'app', '-n', 'team-a']), /serviceaccount "app" deleted/);
    assert.equal(kube.getObject('serviceaccounts', 'team-a', 'app'), undefined);
    assert.match(await ok(['delete', 'namespace', 'team-a']), /namespace "team-a" deleted/);
    assert.equal(kube.getObject('namespaces', undefined, 'team-a'), undefined);
    assert.equal(kube.getObject('serviceaccounts', 'team-a', 'from-file'), undefined);
    assert.match(
      await fails(['delete', 'namespace', 'default']),
      /namespaces "default" is forbidden: this namespace may not be deleted/,
    );
  });
});

describe('fault modes, as kubectl sees them', () => {
  test('a terminating namespace stays, Terminating, and refuses new content with 403', async () => {
    await ok(['create', 'namespace', 'going']);
    kube.terminateNamespace('going');
    assert.match(
      await ok(['get', 'namespace', 'going', '-o', 'jsonpath={.status.phase}']),
      /^Terminating$/,
    );
    assert.match(
      await fails(['create', 'serviceaccount', 'late', '-n', 'going']),
      /serviceaccounts "late" is forbidden: unable to create new content in namespace going because it is being terminated/,
    );
    const r = await raw('POST', '/api/v1/namespaces/going/serviceaccounts', {
      ...json({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'late' } }),
    });
    assert.equal(r.status, 403);
    assert.equal(r.json.reason, 'Forbidden');
    assert.deepEqual(r.json.details.causes, [
      {
        reason: 'NamespaceTerminating',
        message: 'namespace going is being terminated',
        field: 'metadata.namespace',
      },
    ]);
  });

  test('throttling answers 429 TooManyRequests with Retry-After, then serves again', async () => {
    kube.throttleNext('GET', /^\/api\/v1\/namespaces\/default$/, 2);
    const r = await raw('GET', '/api/v1/namespaces/default');
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '2');
    assert.equal(r.json.reason, 'TooManyRequests');
    assert.equal((await raw('GET', '/api/v1/namespaces/default')).status, 200);
  });
});

describe('kubectl: pods, like the real API serves them', () => {
  const podManifest = (ns: string, name: string, sa: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, creationTimestamp: '2001-01-01T00:00:00Z' },
    spec: {
      serviceAccountName: sa,
      containers: [{ name: 'app', image: 'busybox:1.36', env: [{ name: 'MODE', value: 'x' }] }],
      volumes: [{ name: 'scratch', emptyDir: {} }],
    },
  });

  test('create in two namespaces; list one, all (-A, in chunks), by service account; -o json', async () => {
    await ok(['create', 'namespace', 'pods-a']);
    await ok(['create', 'namespace', 'pods-b']);
    await ok(['create', 'serviceaccount', 'web', '-n', 'pods-a']);
    // Several objects in one JSON stream, as kubectl reads a manifest file.
    const manifests = [
      podManifest('pods-a', 'web-1', 'web'),
      podManifest('pods-a', 'other-1', 'default'),
      podManifest('pods-b', 'web-1', 'default'),
    ]
      .map((m) => JSON.stringify(m))
      .join('\n');
    assert.match(await ok(['apply', '-f', '-'], manifests), /pod\/web-1 created/);
    const inA = await ok(['get', 'pods', '-n', 'pods-a', '-o', 'name']);
    assert.deepEqual(inA.trim().split('\n').sort(), ['pod/other-1', 'pod/web-1']);
    const all = await ok(['get', 'pods', '-A']);
    assert.match(all, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    assert.match(all, /^pods-b\s+web-1\s+0\/1\s+Pending\s+0\s+/m);
    // --chunk-size pages with limit/continue across namespaces.
    const before = kube.requests.length;
    const chunked = await ok(['get', 'pods', '-A', '--chunk-size=1', '-o', 'name']);
    assert.ok(chunked.trim().split('\n').length >= 3);
    const pages = kube.requests.slice(before).filter((r) => r.path === '/api/v1/pods');
    assert.ok(pages.length >= 3, JSON.stringify(pages));
    assert.ok(pages.slice(1).every((r) => /continue=/.test(r.query)));
    const bySa = await ok([
      'get',
      'pods',
      '-A',
      '--field-selector',
      'spec.serviceAccountName=web',
      '-o',
      'name',
    ]);
    assert.equal(bySa.trim(), 'pod/web-1');
    const got = JSON.parse(await ok(['get', 'pod', 'web-1', '-n', 'pods-a', '-o', 'json']));
    assert.equal(got.spec.serviceAccountName, 'web');
    assert.deepEqual(got.spec.containers[0].env, [{ name: 'MODE', value: 'x' }]);
    assert.deepEqual(got.spec.volumes, [{ name: 'scratch', emptyDir: {} }]);
    // The server sets the creation time; a client's value is ignored.
    assert.notEqual(got.metadata.creationTimestamp, '2001-01-01T00:00:00Z');
    assert.match(got.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('on EKS the webhook injects web identity into pods created after the annotation', async () => {
    const eks = await startKubeEmulator({
      tls: { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem },
      staticTokens: [TOKEN],
      eks: { clusterName: 'x', stsEndpoint: 'http://127.0.0.1:9', region: 'eu-west-1' },
    });
    const config = file('kubeconfig-eks', kubeconfigFor(eks.url, TOKEN, pki.rootCertPath));
    const run = (args: string[], input?: string) =>
      new Promise<string>((resolve, reject) => {
        const child = execFile(
          'kubectl',
          ['--kubeconfig', config, '--cache-dir', join(dir, 'cache-eks'), ...args],
          { env: { PATH: process.env.PATH, HOME: dir }, timeout: 30_000 },
          (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
        );
        if (input !== undefined) child.stdin?.end(input);
      });
    try {
      await run(['create', 'serviceaccount', 'app']);
      await run(['apply', '-f', '-'], JSON.stringify(podManifest('default', 'early', 'app')));
      await run(['annotate', 'serviceaccount', 'app', `${ROLE}=${ARN}`]);
      await run(['apply', '-f', '-'], JSON.stringify(podManifest('default', 'late', 'app')));
      const early = JSON.parse(await run(['get', 'pod', 'early', '-o', 'json']));
      assert.deepEqual(early.spec.containers[0].env, [{ name: 'MODE', value: 'x' }]);
      const late = JSON.parse(await run(['get', 'pod', 'late', '-o', 'json']));
      const env = Object.fromEntries(
        late.spec.containers[0].env.map((e: Loose) => [e.name, e.value]),
      );
      assert.equal(env.AWS_ROLE_ARN, ARN);
      assert.equal(
        env.AWS_WEB_IDENTITY_TOKEN_FILE,
        '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      );
      assert.equal(env.AWS_REGION, 'eu-west-1');
      const volume = late.spec.volumes.find((v: Loose) => v.name === 'aws-iam-token');
      assert.deepEqual(volume.projected.sources[0].serviceAccountToken, {
        audience: 'sts.amazonaws.com',
        expirationSeconds: 86400,
        path: 'token',
      });
      assert.ok(
        late.spec.containers[0].volumeMounts.some(
          (m: Loose) => m.name === 'aws-iam-token' && m.readOnly === true,
        ),
      );
    } finally {
      await eks.close();
    }
  });
});

describe('the REST protocol, raw', () => {
  const SA = '/api/v1/namespaces/default/serviceaccounts';
  const rawAccount = () =>
    made(SA, { kind: 'ServiceAccount', metadata: { name: 'raw', labels: { tier: 'x' } } });

  test('401 without a token, as a Status', async () => {
    const r = await raw('GET', SA, { token: null });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  test('create, list (items without kind), get, 404 Status', async () => {
    const created = await raw(
      'POST',
      SA,
      json({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'raw', labels: { tier: 'x' } },
      }),
    );
    assert.equal(created.status, 201);
    assert.equal(created.json.metadata.namespace, 'default');
    const list = await raw(
      'GET',
      `${SA}?labelSelector=${encodeURIComponent('tier in (x,y),!missing')}`,
    );
    assert.equal(list.json.kind, 'ServiceAccountList');
    assert.equal(list.json.apiVersion, 'v1');
    assert.match(list.json.metadata.resourceVersion, /^\d+$/);
    assert.deepEqual(
      list.json.items.map((i: Loose) => i.metadata.name),
      ['raw'],
    );
    assert.equal(list.json.items[0].kind, undefined);
    const missing = await raw('GET', `${SA}/absent`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'serviceaccounts "absent" not found',
      reason: 'NotFound',
      details: { name: 'absent', kind: 'serviceaccounts' },
      code: 404,
    });
  });

  test('resourceVersion is a global counter; stale PUT and patch are 409 Conflict', async () => {
    await rawAccount();
    const current = (await raw('GET', `${SA}/raw`)).json;
    const other = await raw('POST', SA, json({ metadata: { name: 'raw-2' } }));
    assert.ok(
      Number(other.json.metadata.resourceVersion) > Number(current.metadata.resourceVersion),
    );
    const updated = await raw(
      'PUT',
      `${SA}/raw`,
      json({ ...current, metadata: { ...current.metadata, labels: { v: '2' } } }),
    );
    assert.equal(updated.status, 200);
    assert.equal(updated.json.metadata.uid, current.metadata.uid);
    assert.equal(updated.json.metadata.creationTimestamp, current.metadata.creationTimestamp);
    const stale = await raw('PUT', `${SA}/raw`, json(current));
    assert.equal(stale.status, 409);
    assert.equal(stale.json.reason, 'Conflict');
    assert.match(
      stale.json.message,
      /^Operation cannot be fulfilled on serviceaccounts "raw": the object has been modified/,
    );
    const stalePatch = await raw('PATCH', `${SA}/raw`, {
      body: JSON.stringify({
        metadata: { resourceVersion: current.metadata.resourceVersion, labels: { v: '3' } },
      }),
      contentType: 'application/merge-patch+json',
    });
    assert.equal(stalePatch.status, 409);
    assert.equal(kube.getObject('serviceaccounts', 'default', 'raw').metadata.labels.v, '2');
    const noop = await raw('PUT', `${SA}/raw`, json(updated.json));
    assert.equal(
      noop.json.metadata.resourceVersion,
      updated.json.metadata.resourceVersion,
      'a no-op update keeps the resourceVersion',
    );
  });

  test('bad requests: JSON, media types, methods, name mismatch, apply without fieldManager', async () => {
    await rawAccount();
    const cases: Array<[Promise<Raw>, number, string]> = [
      [
        raw('POST', SA, { body: '{"metadata":', contentType: 'application/json' }),
        400,
        'BadRequest',
      ],
      [
        raw('PATCH', `${SA}/raw`, { body: '{}', contentType: 'text/plain' }),
        415,
        'UnsupportedMediaType',
      ],
      [raw('POST', `${SA}/raw`, json({})), 405, 'MethodNotAllowed'],
      [raw('PUT', SA, json({})), 405, 'MethodNotAllowed'],
      [raw('PUT', `${SA}/raw`, json({ metadata: { name: 'other' } })), 400, 'BadRequest'],
      [
        raw('POST', SA, json({ metadata: { name: 'x', namespace: 'kube-system' } })),
        400,
        'BadRequest',
      ],
      [
        raw('PATCH', `${SA}/raw`, { body: '{}', contentType: 'application/apply-patch+yaml' }),
        422,
        'Invalid',
      ],
      [
        raw('POST', SA, json({ metadata: { name: 'ok', labels: { 'bad key!': 'v' } } })),
        422,
        'Invalid',
      ],
      [raw('POST', SA, json({ metadata: {} })), 422, 'Invalid'],
    ];
    for (const [pending, status, reason] of cases) {
      const r = await pending;
      assert.equal(r.status, status, r.text);
      assert.equal(r.json.kind, 'Status');
      assert.equal(r.json.reason, reason, r.text);
      assert.equal(r.json.code, status);
    }
  });

  test('server-side apply over the wire: YAML body, creates when absent', async () => {
    const body =
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ssa\n  labels:\n    a: "1"\n';
    const first = await raw('PATCH', `${SA}/ssa?fieldManager=test`, {
      body,
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(first.status, 201);
    const second = await raw('PATCH', `${SA}/ssa?fieldManager=test&force=true`, {
      body: body.replace('"1"', '"2"'),
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(second.status, 200);
    assert.equal(kube.getObject('serviceaccounts', 'default', 'ssa').metadata.labels.a, '2');
  });

  test('dryRun=All validates but does not store', async () => {
    await rawAccount();
    const before = kube.requests.length;
    const r = await raw('POST', `${SA}?dryRun=All`, json({ metadata: { name: 'dry' } }));
    assert.equal(r.status, 201);
    assert.equal(r.json.metadata.name, 'dry');
    assert.equal(kube.getObject('serviceaccounts', 'default', 'dry'), undefined);
    const p = await raw('PATCH', `${SA}/raw?dryRun=All`, {
      body: '{"metadata":{"labels":{"v":"dry"}}}',
      contentType: 'application/merge-patch+json',
    });
    assert.equal(p.json.metadata.labels.v, 'dry');
    assert.equal(kube.getObject('serviceaccounts', 'default', 'raw').metadata.labels.v, undefined);
    assert.equal(kube.requests.length, before + 2);
  });

  test('Table for kubectl get, JSON otherwise', async () => {
    await rawAccount();
    const r = await raw('GET', SA, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    assert.equal(r.json.kind, 'Table');
    assert.equal(r.json.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(
      r.json.columnDefinitions.map((c: Loose) => c.name),
      ['Name', 'Secrets', 'Age'],
    );
    const row = r.json.rows.find((x: Loose) => x.cells[0] === 'raw');
    assert.equal(row.object.kind, 'PartialObjectMetadata');
    assert.equal(row.object.metadata.name, 'raw');
  });

  test('pods need their service account; EKS-style namespaces start with a default one', async () => {
    const pod = (sa: string) =>
      json({
        metadata: { name: `p-${sa}` },
        spec: { serviceAccountName: sa, containers: [{ name: 'c', image: 'busybox' }] },
      });
    const refused = await raw('POST', '/api/v1/namespaces/default/pods', pod('nobody'));
    assert.equal(refused.status, 403);
    assert.match(
      refused.json.message,
      /error looking up service account default\/nobody: serviceaccount "nobody" not found/,
    );
    const created = await raw('POST', '/api/v1/namespaces/default/pods', pod('default'));
    assert.equal(created.status, 201);
    assert.equal(created.json.status.phase, 'Pending');
    assert.equal(created.json.spec.containers[0].imagePullPolicy, 'Always');
  });

  test('reset goes back to the initial namespaces', async () => {
    const scratch = await startKubeEmulator({
      tls: { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem },
      staticTokens: [TOKEN],
      namespaces: ['only'],
    });
    try {
      await raw('POST', '/api/v1/namespaces', json({ metadata: { name: 'extra' } }), scratch);
      assert.ok(scratch.getObject('namespaces', undefined, 'extra'));
      scratch.reset();
      assert.equal(scratch.getObject('namespaces', undefined, 'extra'), undefined);
      assert.ok(scratch.getObject('namespaces', undefined, 'only'));
      assert.equal(scratch.requests.length, 0);
      const names = (await raw('GET', '/api/v1/namespaces', {}, scratch)).json.items.map(
        (i: Loose) => i.metadata.name,
      );
      assert.deepEqual(names, ['only']);
    } finally {
      await scratch.close();
    }
  });
});

describe('@kubernetes/client-node against the emulator', () => {
  let api: CoreV1Api;
  before(() => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'emu', server: kube.url, caFile: pki.rootCertPath, skipTLSVerify: false }],
      users: [{ name: 'emu', token: TOKEN }],
      contexts: [{ name: 'emu', cluster: 'emu', user: 'emu' }],
      currentContext: 'emu',
    });
    api = kc.makeApiClient(CoreV1Api);
  });

  test('namespace and service account: create, read, patch, list, replace, delete', async () => {
    await api.createNamespace({ body: { metadata: { name: 'client-ns' } } });
    assert.equal((await api.readNamespace({ name: 'client-ns' })).status?.phase, 'Active');
    const names = (await api.listNamespace()).items.map((n) => n.metadata?.name);
    assert.ok(names.includes('client-ns'));

    const namespace = 'client-ns';
    const created = await api.createNamespacedServiceAccount({
      namespace,
      body: {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'web', labels: { app: 'web' } },
      },
    });
    assert.ok(created.metadata?.uid);

    await api.patchNamespacedServiceAccount(
      { name: 'web', namespace, body: { metadata: { annotations: { [ROLE]: ARN } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(
      kube.requests.findLast((r) => r.method === 'PATCH')?.contentType,
      PatchStrategy.MergePatch,
    );
    await api.patchNamespacedServiceAccount(
      {
        name: 'web',
        namespace,
        body: [{ op: 'add', path: '/metadata/labels/json', value: 'yes' }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await api.patchNamespacedServiceAccount(
      { name: 'web', namespace, body: { metadata: { labels: { smp: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const read = await api.readNamespacedServiceAccount({ name: 'web', namespace });
    assert.equal(read.metadata?.annotations?.[ROLE], ARN);
    assert.deepEqual(read.metadata?.labels, { app: 'web', json: 'yes', smp: 'yes' });

    const listed = await api.listNamespacedServiceAccount({ namespace, labelSelector: 'app=web' });
    assert.deepEqual(
      listed.items.map((s) => s.metadata?.name),
      ['web'],
    );

    const replaced = await api.replaceNamespacedServiceAccount({
      name: 'web',
      namespace,
      body: { ...read, metadata: { ...read.metadata, labels: { app: 'web', replaced: 'yes' } } },
    });
    assert.equal(replaced.metadata?.labels?.replaced, 'yes');
    await assert.rejects(
      api.replaceNamespacedServiceAccount({ name: 'web', namespace, body: read }),
      (e: unknown) => e instanceof ApiException && e.code === 409,
    );

    await api.deleteNamespacedServiceAccount({ name: 'web', namespace });
    await assert.rejects(
      api.readNamespacedServiceAccount({ name: 'web', namespace }),
      (e: unknown) => {
        assert.ok(e instanceof ApiException);
        assert.equal(e.code, 404);
        const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
        assert.equal(body.reason, 'NotFound');
        return true;
      },
    );
    await assert.rejects(
      api.createNamespacedServiceAccount({
        namespace: 'no-such-ns',
        body: { metadata: { name: 'x' } },
      }),
      (e: unknown) => e instanceof ApiException && e.code === 404,
    );
  });
});

describe('EKS token authentication', () => {
  const CLUSTER = 'demo';
  const CALLER = 'arn:aws:sts::123456789012:assumed-role/Admin/session';
  let sts: Server;
  let stsUrl: string;
  let stsCalls: Array<{ clusterId: string | undefined; url: string; authorization: string }>;
  let eks: KubeEmulator;

  before(async () => {
    stsCalls = [];
    sts = createServer((req, res) => {
      const clusterId = req.headers['x-k8s-aws-id'] as string | undefined;
      stsCalls.push({
        clusterId,
        url: req.url ?? '',
        authorization: req.headers.authorization ?? '',
      });
      const good = clusterId === CLUSTER && (req.url ?? '').includes('Action=GetCallerIdentity');
      res.writeHead(good ? 200 : 403, { 'content-type': 'text/xml' });
      res.end(
        good
          ? `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${CALLER}</Arn><UserId>AROAEXAMPLE:session</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`
          : '<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>',
      );
    });
    await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
    stsUrl = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
    eks = await startKubeEmulator({
      tls: { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem },
      eks: { clusterName: CLUSTER, stsEndpoint: stsUrl },
    });
  });

  after(async () => {
    await eks?.close();
    await new Promise<void>((resolve) => (sts ? sts.close(() => resolve()) : resolve()));
  });

  const amzDate = (d: Date) =>
    d
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  function token(
    o: {
      at?: Date;
      expires?: number;
      action?: string;
      signed?: string;
      sig?: string;
      host?: string;
    } = {},
  ) {
    const q = new URLSearchParams({
      Action: o.action ?? 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/sts/aws4_request',
      'X-Amz-Date': amzDate(o.at ?? new Date()),
      'X-Amz-Expires': String(o.expires ?? 60),
      'X-Amz-SignedHeaders': o.signed ?? 'host;x-k8s-aws-id',
      'X-Amz-Signature': o.sig ?? Math.random().toString(16).slice(2).padEnd(64, '0'),
    });
    const url = `https://${o.host ?? 'sts.us-east-1.amazonaws.com'}/?${q}`;
    return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
  }
  const get = (t: string) => raw('GET', '/api/v1/namespaces', { token: t }, eks);

  test('a valid token is replayed against STS with the cluster id; the caller ARN is the user', async () => {
    const t = token();
    const r = await get(t);
    assert.equal(r.status, 200, r.text);
    assert.equal(eks.requests.at(-1)?.user, CALLER);
    assert.equal(stsCalls.length, 1);
    assert.equal(stsCalls[0]?.clusterId, CLUSTER);
    assert.match(stsCalls[0]?.url ?? '', /^\/\?Action=GetCallerIdentity&Version=2011-06-15&/);
    // moto_server routes by the credential scope of an Authorization header.
    assert.match(
      stsCalls[0]?.authorization ?? '',
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/sts\/aws4_request, SignedHeaders=host;x-k8s-aws-id, Signature=/,
    );
    assert.equal((await get(t)).status, 200);
    assert.equal(stsCalls.length, 1, 'a validated token is cached');
  });

  test('STS refusing the replay is 401', async () => {
    const wrongCluster = await startKubeEmulator({
      tls: { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem },
      eks: { clusterName: 'someone-else', stsEndpoint: stsUrl },
    });
    try {
      const r = await raw('GET', '/api/v1/namespaces', { token: token() }, wrongCluster);
      assert.equal(r.status, 401);
      assert.equal(r.json.reason, 'Unauthorized');
      assert.equal(stsCalls.at(-1)?.clusterId, 'someone-else');
    } finally {
      await wrongCluster.close();
    }
  });

  test('malformed, expired or over-long tokens are refused without calling STS', async () => {
    const calls = stsCalls.length;
    const bad = [
      token().replace('k8s-aws-v1.', 'k8s-aws-v2.'),
      'k8s-aws-v1.not*base64',
      `${token()}==`,
      token({ action: 'ListUsers' }),
      token({ signed: 'host' }),
      token({ at: new Date(Date.now() - 20 * 60_000) }),
      token({ expires: 3600 }),
      `k8s-aws-v1.${Buffer.from('https://sts.amazonaws.com/other?Action=GetCallerIdentity').toString('base64url')}`,
    ];
    for (const t of bad) {
      const r = await get(t);
      assert.equal(r.status, 401, t);
    }
    assert.equal(stsCalls.length, calls);
    assert.equal((await get(TOKEN)).status, 401, 'no static tokens configured');
  });
  test('with the secret key known, the SigV4 signature binds the token to the cluster', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const presigned = async (clusterId: string, secretAccessKey: string) => {
      const signer = new SignatureV4({
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey },
        region: 'us-east-1',
        service: 'sts',
        sha256: Hash.bind(null, 'sha256'),
      });
      const host = 'sts.us-east-1.amazonaws.com';
      const signed = await signer.presign(
        new HttpRequest({
          method: 'GET',
          protocol: 'https:',
          hostname: host,
          path: '/',
          query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
          headers: { host, 'x-k8s-aws-id': clusterId },
        }),
        { expiresIn: 60 },
      );
      const query = new URLSearchParams(signed.query as Record<string, string>);
      return `k8s-aws-v1.${Buffer.from(`https://${host}/?${query}`).toString('base64url')}`;
    };
    const signedEks = await startKubeEmulator({
      tls: { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem },
      eks: {
        clusterName: CLUSTER,
        stsEndpoint: stsUrl,
        secretAccessKeys: { AKIAIOSFODNN7EXAMPLE: secret },
      },
    });
    try {
      const status = async (t: string) =>
        (await raw('GET', '/api/v1/namespaces', { token: t }, signedEks)).status;
      const calls = stsCalls.length;
      assert.equal(await status(await presigned('other-cluster', secret)), 401);
      assert.equal(await status(await presigned(CLUSTER, 'not-the-secret')), 401);
      assert.equal(await status(token()), 401, 'a made-up signature');
      assert.equal(stsCalls.length, calls, 'refused before STS');
      assert.equal(await status(await presigned(CLUSTER, secret)), 200);
      assert.equal(signedEks.requests.at(-1)?.user, CALLER);
    } finally {
      await signedEks.close();
    }
  });
});
