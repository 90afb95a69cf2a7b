// Binding a namespace's `default` service account binds every pod of the namespace that names no
// service account: each way of binding says so in its plan (IRSA-W052).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createHarness, DEFAULT } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const HEAD = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\n';
const WARNING =
  /IRSA-W052 payments\/default is the namespace's default service account: every pod of namespace payments that sets no serviceAccountName runs as it and gets this role/;
const dir = tempDir('default-sa');
after(() => removeTempDir(dir));

async function harness(...clusters: Array<[string, string]>) {
  const h = createHarness({ clusters: ['demo'] });
  for (const [name, region] of [['demo', 'us-east-1'] as [string, string], ...clusters]) {
    if (region !== 'us-east-1') {
      h.eks(region).addCluster(name);
      h.kube(name);
    }
    const r = await h.run(['enable-oidc', '-c', name, '-r', region, '--approve']);
    assert.equal(r.code, 0, r.stderr);
  }
  return h;
}

test('create-serviceaccount, update-serviceaccount and Pod Identity bindings of default warn IRSA-W052', async () => {
  const h = await harness();
  h.eks().installAgent('demo');
  const bind = ['-c', 'demo', '-n', 'payments', '--name', 'default', '--attach-policy-arn', RO];
  for (const args of [
    ['create-serviceaccount', ...bind, '--create-namespace'],
    ['create-serviceaccount', ...bind, '--create-namespace', '--mechanism', 'pod-identity'],
    ['create-serviceaccount', ...bind, '--role-only'],
  ]) {
    const r = await h.run([...args, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).warnings.join('\n'), WARNING, args.join(' '));
  }
  const text = await h.run(['create-serviceaccount', ...bind, '--create-namespace']);
  assert.match(text.stderr, WARNING);
  // Another service account: no such warning.
  const other = await h.run(
    ['create-serviceaccount', '-c', 'demo', '-n', 'payments', '--name', 'worker'].concat([
      '--attach-policy-arn',
      RO,
      '--create-namespace',
      '-o',
      'json',
    ]),
  );
  assert.doesNotMatch(JSON.parse(other.stdout).warnings.join('\n'), /IRSA-W052/);
});

test('apply -f warns for default, on one cluster and on a role shared by several', async () => {
  const h = await harness(['west', 'us-west-2'], ['east', 'us-east-2']);
  const path = join(dir, 'bindings.yaml');
  writeFileSync(
    path,
    `${HEAD}bindings:\n` +
      `  - {clusters: [{name: demo, region: us-east-1}], namespace: payments, name: default, createNamespace: true, attachPolicyARNs: [${RO}]}\n` +
      `  - namespace: payments\n    name: default\n    roleOnly: true\n    clusters: [{name: west, region: us-west-2}, {name: east, region: us-east-2}]\n    attachPolicyARNs: [${RO}]\n`,
  );
  const r = await h.run(['apply', '-f', path, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const bindings = JSON.parse(r.stdout).bindings as Array<{ cluster: string; warnings: string[] }>;
  const warned = bindings.filter((b) => b.warnings.some((w) => WARNING.test(w)));
  // The single-cluster binding, and the shared role once (with its first cluster).
  assert.equal(warned.length, 2, JSON.stringify(bindings, null, 1));
});

test('the wizard warns when default is picked', async () => {
  const h = await harness();
  await h.kube('demo').createNamespace('payments');
  const r = await h.run(
    ['create-serviceaccount', '-c', 'demo', '-n', 'payments', '--attach-policy-arn', RO],
    {
      tty: true,
      answers: [
        [/Service account/, /New service account/],
        [/Service account name/, 'default'],
        [/Role name/, DEFAULT],
        [/Apply these changes\?/, false],
      ],
    },
  );
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stdout + r.stderr, WARNING);
});
