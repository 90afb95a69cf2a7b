// The emulator's workload kinds (apps/v1, batch/v1) and RBAC bindings, proven with the installed
// kubectl as a user drives it: discovery of the groups, create from manifests, get with the
// server's columns, strategic and merge patches of the pod template (what a migration sends),
// the generation bump, and the immutable fields real API servers refuse to change.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  type KubeEmulator,
  kubeconfigFor,
  startKubeEmulator,
} from '../support/kube-emulator/index.js';
import { createTestPki, type TestPki } from '../support/pki.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const TOKEN = 'emulator-admin-token';
const ROLE = 'iam.amazonaws.com/role';

let pki: TestPki;
let kube: KubeEmulator;
let dir: string;
let kubeconfig: string;

function kubectl(
  args: string[],
  input?: string,
): Promise<{ code: number; out: string; err: string }> {
  const argv = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args];
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      argv,
      { env: { PATH: process.env.PATH, HOME: dir }, timeout: 30_000 },
      (error, out, err) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.err}`);
  return r.out;
}
async function fails(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail\n${r.out}`);
  return r.err;
}

const template = (sa: string, role?: string) => ({
  metadata: { labels: { app: 'web' }, ...(role ? { annotations: { [ROLE]: role } } : {}) },
  spec: { serviceAccountName: sa, containers: [{ name: 'app', image: 'nginx:1.27' }] },
});
const deployment = (ns: string, name: string, sa: string, role?: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: { selector: { matchLabels: { app: 'web' } }, template: template(sa, role) },
});

before(async () => {
  pki = createTestPki();
  dir = tempDir('kube-workloads');
  kube = await startKubeEmulator({
    tls: { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem },
    staticTokens: [TOKEN],
  });
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, kubeconfigFor(kube.url, TOKEN, pki.rootCertPath));
  kubeconfig = path;
});
beforeEach(() => kube.reset());
after(async () => {
  await kube?.close();
  if (dir) removeTempDir(dir);
  pki?.close();
});

describe('kubectl: workloads and RBAC bindings, like the real API serves them', () => {
  test('discovery lists the apps, batch and rbac groups with their kinds', async () => {
    const resources = await ok(['api-resources']);
    assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(resources, /^statefulsets\s+sts\s+apps\/v1\s+true\s+StatefulSet$/m);
    assert.match(resources, /^daemonsets\s+ds\s+apps\/v1\s+true\s+DaemonSet$/m);
    assert.match(resources, /^replicasets\s+rs\s+apps\/v1\s+true\s+ReplicaSet$/m);
    assert.match(resources, /^jobs\s+batch\/v1\s+true\s+Job$/m);
    assert.match(resources, /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/m);
    assert.match(
      resources,
      /^rolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+true\s+RoleBinding$/m,
    );
    assert.match(
      resources,
      /^clusterrolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRoleBinding$/m,
    );
  });

  test('create from a manifest, get with columns, defaults, then patch the template (strategic and merge)', async () => {
    await ok(['create', 'namespace', 'shop']);
    const created = await ok(
      ['create', '-f', '-'],
      JSON.stringify(deployment('shop', 'web', 'default', 'app-reader')),
    );
    assert.match(created, /^deployment\.apps\/web created$/m);
    assert.match(
      await ok(['get', 'deploy', '-n', 'shop']),
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/1\s+0\s+0\s+/,
    );
    const read = JSON.parse(await ok(['get', 'deployment', 'web', '-n', 'shop', '-o', 'json']));
    assert.equal(read.apiVersion, 'apps/v1');
    assert.equal(read.spec.replicas, 1);
    assert.equal(read.spec.strategy.type, 'RollingUpdate');
    assert.equal(read.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(read.metadata.generation, 1);

    // What migrate-from-kube2iam sends: the template loses the role annotation, gets a new SA.
    await ok([
      'patch',
      'deployment',
      'web',
      '-n',
      'shop',
      '-p',
      JSON.stringify({
        spec: {
          template: {
            metadata: { annotations: { [ROLE]: null } },
            spec: { serviceAccountName: 'web-app-reader' },
          },
        },
      }),
    ]);
    const patched = JSON.parse(await ok(['get', 'deployment', 'web', '-n', 'shop', '-o', 'json']));
    assert.equal(patched.spec.template.metadata.annotations?.[ROLE], undefined);
    assert.equal(patched.spec.template.spec.serviceAccountName, 'web-app-reader');
    assert.equal(patched.spec.template.spec.containers.length, 1, 'strategic: containers kept');
    assert.equal(patched.metadata.generation, 2, 'a template change bumps the generation');
    await ok([
      'patch',
      'deployment',
      'web',
      '-n',
      'shop',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ metadata: { annotations: { note: 'x' } } }),
    ]);
    const noted = JSON.parse(await ok(['get', 'deployment', 'web', '-n', 'shop', '-o', 'json']));
    assert.equal(noted.metadata.generation, 2, 'metadata alone does not bump it');
    assert.equal(
      await ok([
        'get',
        'deploy',
        'web',
        '-n',
        'shop',
        '-o',
        'jsonpath={.spec.template.spec.serviceAccountName}',
      ]),
      'web-app-reader',
    );
  });

  test('every workload kind: created, listed across namespaces, CronJob template under jobTemplate', async () => {
    await ok(['create', 'namespace', 'a']);
    await ok(['create', 'namespace', 'b']);
    const t = template('default', 'r');
    const sel = { selector: { matchLabels: { app: 'web' } } };
    const manifests = [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db', namespace: 'a' },
        spec: { ...sel, serviceName: 'db', template: t },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: 'b' },
        spec: { ...sel, template: t },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'rs', namespace: 'b' },
        spec: { ...sel, template: t },
      },
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'once', namespace: 'a' },
        spec: { template: { ...t, spec: { ...t.spec, restartPolicy: 'Never' } } },
      },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly', namespace: 'b' },
        spec: {
          schedule: '0 3 * * *',
          jobTemplate: {
            spec: { template: { ...t, spec: { ...t.spec, restartPolicy: 'OnFailure' } } },
          },
        },
      },
    ];
    const out = await ok(['create', '-f', '-'], manifests.map((m) => JSON.stringify(m)).join('\n'));
    assert.match(out, /statefulset\.apps\/db created/);
    assert.match(out, /cronjob\.batch\/nightly created/);
    assert.match(
      await ok(['get', 'sts,ds,rs', '-A', '--no-headers']),
      /^a\s+statefulset\.apps\/db\s/m,
    );
    assert.match(
      await ok(['get', 'cronjobs', '-n', 'b']),
      /^nightly\s+0 3 \* \* \*\s+False\s+0\s+/m,
    );
    await ok([
      'patch',
      'cronjob',
      'nightly',
      '-n',
      'b',
      '-p',
      JSON.stringify({
        spec: {
          jobTemplate: { spec: { template: { metadata: { annotations: { [ROLE]: null } } } } },
        },
      }),
    ]);
    assert.equal(
      await ok([
        'get',
        'cj',
        'nightly',
        '-n',
        'b',
        '-o',
        `jsonpath={.spec.jobTemplate.spec.template.metadata.annotations}`,
      ]),
      '',
    );
  });

  test('refused like the real server: a Job template is immutable, Always is no Job restart policy, a selector must match', async () => {
    await ok(['create', 'namespace', 'a']);
    const t = template('default', 'r');
    await ok(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'once', namespace: 'a' },
        spec: { template: { ...t, spec: { ...t.spec, restartPolicy: 'Never' } } },
      }),
    );
    const immutable = await fails([
      'patch',
      'job',
      'once',
      '-n',
      'a',
      '-p',
      JSON.stringify({ spec: { template: { metadata: { annotations: { [ROLE]: null } } } } }),
    ]);
    assert.match(
      immutable,
      /The Job "once" is invalid: spec\.template: Invalid value: .*field is immutable/,
    );
    const always = await fails(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'bad', namespace: 'a' },
        spec: { template: t },
      }),
    );
    assert.match(always, /spec\.template\.spec\.restartPolicy: Unsupported value: "Always"/);
    const mismatch = deployment('a', 'web', 'default');
    mismatch.spec.selector.matchLabels.app = 'other';
    assert.match(
      await fails(['create', '-f', '-'], JSON.stringify(mismatch)),
      /`selector` does not match template `labels`/,
    );
  });

  test('role and cluster role bindings: created with kubectl, listed, roleRef immutable', async () => {
    await ok(['create', 'namespace', 'shop']);
    await ok([
      'create',
      'rolebinding',
      'reader',
      '-n',
      'shop',
      '--clusterrole',
      'view',
      '--serviceaccount',
      'shop:default',
    ]);
    await ok([
      'create',
      'clusterrolebinding',
      'global',
      '--clusterrole',
      'view',
      '--serviceaccount',
      'shop:default',
    ]);
    assert.match(await ok(['get', 'rolebindings', '-A']), /shop\s+reader\s+ClusterRole\/view\s+/);
    const crb = JSON.parse(await ok(['get', 'clusterrolebinding', 'global', '-o', 'json']));
    assert.deepEqual(crb.subjects, [
      { kind: 'ServiceAccount', name: 'default', namespace: 'shop' },
    ]);
    assert.match(
      await fails([
        'patch',
        'rolebinding',
        'reader',
        '-n',
        'shop',
        '--type',
        'merge',
        '-p',
        '{"roleRef":{"name":"edit"}}',
      ]),
      /roleRef: Invalid value: .*field is immutable/,
    );
  });
});
