// create-serviceaccount through the built binary against moto_server and the Kubernetes emulator:
// one smoke run (the exact trust in IAM, the EKS token verified, a converged re-run writing nothing),
// the --role-only kubectl commands run by kubectl, and what the real Kubernetes client shows
// (API-server failures, kubeconfig, TLS, the default endpoint). The command's semantics run
// in-process in test/commands/create-serviceaccount.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { GetRoleCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { ACCOUNT, type Ground, startGround } from '../support/ground.js';
import { kubeconfigFor } from '../support/kube-emulator/index.js';
import { createTestPki } from '../support/pki.js';
import { irsaTrust } from '../support/expected-trust.js';
import { tempDir } from '../support/temp.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';

let g: Ground;
let providerArn: string;
const csa = (...args: string[]) =>
  g.iamsa(['create-serviceaccount', '--cluster', g.cluster, ...g.kubeFlags, ...args]);
const sa = (ns: string, name: string) => g.kube.getObject('serviceaccounts', ns, name);
const roleOf = async (name: string) =>
  (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
/** The trust policy of irsa.md for namespace/name of the cluster's provider. */
const expectedTrust = (namespace: string, name: string) => irsaTrust(providerArn, namespace, name);
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

before(async () => {
  g = await startGround('demo');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve', '-o', 'json']);
  assert.equal(enabled.code, 0, enabled.stderr);
  providerArn = json(enabled.stdout).providerArn;
});
after(() => g.close());

describe('the full path', () => {
  test('smoke: creates the role with the exact trust policy, annotates a new service account with the verified EKS token, and a re-run writes nothing', async () => {
    const r = await csa(
      '--namespace',
      'default',
      '--name',
      'app',
      '--attach-policy-arn',
      READONLY,
      '--approve',
      '-o',
      'json',
    );
    assert.equal(r.code, 0, r.stderr);
    const out = json(r.stdout);
    assert.equal(out.applied, true);
    assert.equal(out.roleArn, `arn:aws:iam::${ACCOUNT}:role/iamsa-demo-default-app`);
    assert.deepEqual(out.serviceAccount, { namespace: 'default', name: 'app' });
    assert.deepEqual(
      out.steps.map((s: { resource: string; action: string }) => `${s.resource}:${s.action}`),
      ['iam-role:create', 'policy-attachment:create', 'service-account:create'],
    );
    const role = await roleOf('iamsa-demo-default-app');
    assert.deepEqual(
      JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? '')),
      expectedTrust('default', 'app'),
    );
    const tags = Object.fromEntries((role?.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.equal(tags['iamsa.io/managed-by'], 'iamsa');
    assert.equal(tags['iamsa.io/service-account'], 'app');
    const attached = await g.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'iamsa-demo-default-app' }),
    );
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyArn),
      [READONLY],
    );
    const account = sa('default', 'app');
    assert.equal(account.metadata.annotations[ANNOTATION], out.roleArn);
    assert.equal(account.metadata.labels['app.kubernetes.io/managed-by'], 'iamsa');
    // The EKS token reached the emulator and was verified against STS.
    const posts = g.kube.requests.filter(
      (r) => r.method === 'POST' && r.path === '/api/v1/namespaces/default/serviceaccounts',
    );
    assert.ok(posts.length > 0);
    assert.match(posts.at(-1)?.user ?? '', /^arn:aws:(sts|iam)::123456789012:/);
    // A second run converges: everything unchanged, no writes, exit 0.
    const before = await g.awsState();
    const writes = g.kubeWrites();
    const again = await csa('--name', 'app', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do/);
    assert.doesNotMatch(again.stdout, /[+~] (create|update)/);
    assert.deepEqual(await g.awsState(), before);
    assert.equal(g.kubeWrites(), writes);
  });

  test('--role-only prints kubectl commands that annotate the service account, missing or not', async () => {
    const r = await csa(
      '--namespace',
      'nextns',
      '--name',
      'api',
      '--attach-policy-arn',
      READONLY,
      '--role-only',
      '--approve',
    );
    assert.equal(r.code, 0, r.stderr);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/iamsa-demo-nextns-api`;
    const [, step = ''] = r.stdout.split('\nNext step:\n');
    const [sentence, ...commands] = step
      .trimEnd()
      .split('\n')
      .map((l) => l.trim());
    assert.match(sentence ?? '', /^Annotate the service account with the role/);
    assert.ok(
      commands.every((c) => c.startsWith('kubectl ')),
      commands.join('\n'),
    );
    assert.ok(commands.some((c) => c.includes(roleArn)));
    // Run as printed, by a user whose kubeconfig points at the cluster: first with neither the
    // namespace nor the service account there, then again once they are (with a label of its own).
    const dir = tempDir('role-only');
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigFor(g.kube.url, g.adminToken, g.pki.rootCertPath));
    // Asynchronously: the emulator answers from this process.
    const shell = (line: string) =>
      promisify(execFile)('sh', ['-c', line], {
        env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig },
      });
    for (const c of commands) await shell(c);
    assert.equal(sa('nextns', 'api').metadata.annotations[ANNOTATION], roleArn);
    await shell('kubectl label serviceaccount -n nextns api team=x');
    for (const c of commands) await shell(c);
    const again = sa('nextns', 'api');
    assert.equal(again.metadata.annotations[ANNOTATION], roleArn);
    assert.equal(again.metadata.labels.team, 'x');
  });
});

describe('failures and connections', () => {
  test('a failure after the role was made says what exists now, and a re-run finishes the job', async () => {
    g.kube.failNext(
      'POST',
      /\/namespaces\/default\/serviceaccounts$/,
      500,
      'etcdserver: request timed out',
    );
    const r = await csa('--name', 'partial', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /etcdserver: request timed out/);
    assert.match(
      r.stderr,
      /already done: created iam-role arn:aws:iam::123456789012:role\/iamsa-demo-default-partial/,
    );
    assert.match(r.stderr, /re-run the same command/);
    assert.ok(await roleOf('iamsa-demo-default-partial'));
    assert.equal(sa('default', 'partial'), undefined);
    const again = await csa('--name', 'partial', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /= unchanged\s+iam-role/);
    assert.match(again.stdout, /\+ create\s+service-account\s+default\/partial/);
  });

  test('Kubernetes refusing the caller is an auth error (exit 4) before any write', async () => {
    g.kube.failNext(
      'GET',
      /\/serviceaccounts\/denied$/,
      403,
      'serviceaccounts "denied" is forbidden: User cannot get resource',
    );
    const before = await g.awsState();
    const r = await csa('--name', 'denied', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /forbidden/);
    assert.deepEqual(await g.awsState(), before);
  });

  test('--kubeconfig is used as given, with a warning when its server is not the cluster endpoint', async () => {
    const file = join(tempDir('kubeconfig'), 'kubeconfig.yaml');
    writeFileSync(file, kubeconfigFor(g.kube.url, g.adminToken, g.pki.rootCertPath));
    const r = await g.iamsa([
      'create-serviceaccount',
      '--cluster',
      g.cluster,
      '--name',
      'viakubeconfig',
      '--attach-policy-arn',
      READONLY,
      '--kubeconfig',
      file,
      '--approve',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const differs =
      /warning: IRSA-W008 kubeconfig server https:\/\/127\.0\.0\.1:\d+ differs from the endpoint of cluster demo/g;
    assert.equal(r.stderr.match(differs)?.length, 1, `said once:\n${r.stderr}`);
    assert.ok(sa('default', 'viakubeconfig'));
    // doctor reads through the same connection: the warning is said once there too.
    const doctor = await g.iamsa([
      'doctor',
      '--cluster',
      g.cluster,
      '--name',
      'viakubeconfig',
      '--kubeconfig',
      file,
    ]);
    assert.equal(doctor.stderr.match(differs)?.length, 1, `said once:\n${doctor.stderr}`);
    const missing = await g.iamsa([
      'create-serviceaccount',
      '--cluster',
      g.cluster,
      '--name',
      'x',
      '--attach-policy-arn',
      READONLY,
      '--kubeconfig',
      file,
      '--context',
      'nope',
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /context nope not found/);
  });

  test('TLS stays verified: a CA that did not sign the server certificate is refused', async (t) => {
    const other = createTestPki();
    t.after(() => other.close());
    const before = await g.awsState();
    const r = await g.iamsa([
      'create-serviceaccount',
      '--cluster',
      g.cluster,
      '--name',
      'tls',
      '--attach-policy-arn',
      READONLY,
      '--kube-server',
      g.kube.url,
      '--kube-ca-file',
      other.rootCertPath,
      '--approve',
    ]);
    assert.equal(r.code, 1, r.stderr);
    // The CA file was given: it is the one at fault, not a missing flag.
    const [error = '', hint = ''] = r.stderr.trimEnd().split('\n');
    assert.match(
      error,
      /^error: --kube-ca-file \S+root\.crt does not sign the certificate of the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(/,
    );
    assert.match(hint, /^hint: pass the CA that signed/);
    assert.doesNotMatch(r.stderr, /use --kube-ca-file/);
    assert.deepEqual(await g.awsState(), before);
  });

  test('by default iamsa connects to the endpoint EKS reports for the cluster', async () => {
    const r = await g.iamsa([
      'create-serviceaccount',
      '--cluster',
      g.cluster,
      '--name',
      'direct',
      '--attach-policy-arn',
      READONLY,
    ]);
    assert.equal(r.code, 1, r.stderr);
    const endpoint =
      (await g.eks.send(new DescribeClusterCommand({ name: g.cluster }))).cluster?.endpoint ?? '';
    assert.ok(r.stderr.includes(endpoint.replace(/\/$/, '')), r.stderr);
  });
});
