// get-serviceaccounts, update-serviceaccount and delete-serviceaccount through the built binary,
// against moto_server and the Kubernetes emulator. Each test builds the state it needs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { ACCOUNT, type Ground, startGround } from '../support/ground.js';
import { startAwsProxy } from '../support/aws-proxy.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let g: Ground;
let providerArn: string;
let dir: string;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const withKube = (command: string, args: string[]) =>
  g.iamsa([command, '--cluster', g.cluster, ...g.kubeFlags, ...args]);
const csa = (...args: string[]) => withKube('create-serviceaccount', args);
const del = (...args: string[]) => withKube('delete-serviceaccount', args);
const get = (...args: string[]) => withKube('get-serviceaccounts', args);
const sa = (ns: string, name: string) => g.kube.getObject('serviceaccounts', ns, name);
const role = async (name: string) => {
  try {
    return (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch {
    return undefined;
  }
};

/** A binding made by iamsa itself, as a user would make it. */
async function bind(name: string, ...extra: string[]) {
  const r = await csa('-n', 'default', '--name', name, '--approve', ...extra);
  assert.equal(r.code, 0, r.stderr);
}

/** A service account made by someone else (kubectl), with metadata iamsa must keep. */
async function foreignServiceAccount(name: string, annotations: Record<string, string> = {}) {
  await g.kubeAdmin('POST', '/api/v1/namespaces/default/serviceaccounts', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, labels: { team: 'pay' }, annotations: { note: 'keep me', ...annotations } },
  });
}

/** A role whose trust admits exactly ns/name of the ground's cluster (made without iamsa). */
function exactTrust(ns: string, name: string, subject = `system:serviceaccount:${ns}:${name}`) {
  const host = providerArn.split('oidc-provider/')[1];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          [subject.includes('*') ? 'StringLike' : 'StringEquals']: {
            [`${host}:sub`]: subject,
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  });
}

before(async () => {
  dir = tempDir('lifecycle');
  g = await startGround('life');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'life', '--approve', '-o', 'json']);
  assert.equal(enabled.code, 0, enabled.stderr);
  providerArn = json(enabled.stdout).providerArn;
});
after(async () => {
  await g.close();
  removeTempDir(dir);
});

describe('get-serviceaccounts', () => {
  test('lists bindings across all namespaces by default, each with a computed status', async () => {
    await g.kubeAdmin('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'getns' },
    });
    // ok: made by iamsa, in another namespace than default
    // Two policies given in reverse order: POLICIES lists them sorted, with or without --orphans.
    const okr = await csa(
      '-n',
      'getns',
      '--name',
      'get-ok',
      '--attach-policy-arn',
      READONLY,
      '--attach-policy-arn',
      'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      '--approve',
    );
    assert.equal(okr.code, 0, okr.stderr);
    // role-missing: annotation names a role that does not exist
    await foreignServiceAccount('get-missing', { [ANNOTATION]: roleArn('no-such-role') });
    // trust-mismatch: the role trusts another service account
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'get-mismatch-role',
        AssumeRolePolicyDocument: exactTrust('default', 'someone-else'),
      }),
    );
    await foreignServiceAccount('get-mismatch', { [ANNOTATION]: roleArn('get-mismatch-role') });
    // over-broad: the role trusts every service account of the namespace
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'get-broad-role',
        AssumeRolePolicyDocument: exactTrust('default', 'x', 'system:serviceaccount:default:*'),
      }),
    );
    await foreignServiceAccount('get-broad', { [ANNOTATION]: roleArn('get-broad-role') });
    // no-annotation: iamsa made it, then someone removed the annotation
    await bind('get-unannotated', '--attach-policy-arn', READONLY);
    await g.kubeAdmin('PATCH', '/api/v1/namespaces/default/serviceaccounts/get-unannotated', {
      metadata: { annotations: { [ANNOTATION]: null } },
    });
    // no-sa (orphan, only with --orphans): iamsa's role whose service account was deleted
    await bind('get-orphan', '--attach-policy-arn', READONLY);
    await g.kubeAdmin('DELETE', '/api/v1/namespaces/default/serviceaccounts/get-orphan');

    const r = await get('-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const rows = json(r.stdout).serviceAccounts as Array<Record<string, any>>;
    const status = (name: string) => rows.find((row) => row.name === name)?.status;
    assert.equal(status('get-ok'), 'ok');
    assert.equal(rows.find((row) => row.name === 'get-ok')?.namespace, 'getns');
    assert.equal(status('get-missing'), 'role-missing');
    assert.equal(status('get-mismatch'), 'trust-mismatch');
    assert.equal(status('get-broad'), 'over-broad');
    assert.equal(status('get-unannotated'), 'no-annotation');
    assert.equal(status('get-orphan'), undefined, 'orphans need --orphans (a ListRoles scan)');
    const sorted = ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', READONLY].sort();
    assert.deepEqual(rows.find((row) => row.name === 'get-ok')?.policies, sorted);
    assert.equal(rows.find((row) => row.name === 'get-ok')?.managedBy, 'iamsa');
    assert.equal(rows.find((row) => row.name === 'get-mismatch')?.managedBy, 'other');

    const withOrphans = json((await get('--orphans', '-o', 'json')).stdout)
      .serviceAccounts as Array<Record<string, any>>;
    assert.equal(withOrphans.find((row) => row.name === 'get-orphan')?.status, 'no-sa');
    assert.deepEqual(withOrphans.find((row) => row.name === 'get-ok')?.policies, sorted);

    // The text table: aligned columns, one row per binding, problems listed below.
    const text = await get('-n', 'default');
    assert.equal(text.code, 0, text.stderr);
    const [head, ...lines] = text.stdout.split('\n');
    assert.match(
      head ?? '',
      /^NAMESPACE\s+NAME\s+MECHANISM\s+ROLE\s+MANAGED-BY\s+STATUS\s+POLICIES$/,
    );
    const row = lines.find((l) => l.includes('get-mismatch')) ?? '';
    assert.equal(row.indexOf('trust-mismatch'), (head ?? '').indexOf('STATUS'));
    assert.doesNotMatch(text.stdout, /get-ok/, '--namespace default leaves getns out');
    assert.match(text.stdout, /Problems:/);
  });

  test('a malformed annotation and a namespace that does not exist are said as such', async () => {
    await foreignServiceAccount('get-malformed', { [ANNOTATION]: 'my-role' });
    const r = await get('--name', 'get-malformed', '-o', 'json');
    const [row] = json(r.stdout).serviceAccounts;
    assert.equal(row.status, 'invalid-annotation');
    const none = await get('-n', 'no-such-ns');
    assert.equal(none.code, 0);
    assert.match(none.stderr, /namespace no-such-ns does not exist/);
  });

  test('reads every page of a namespace with more service accounts than one page holds', async () => {
    await g.kubeAdmin('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'crowded' },
    });
    const names = Array.from({ length: 520 }, (_, i) => `sa-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 40) {
      await Promise.all(
        names.slice(i, i + 40).map((name) =>
          g.kubeAdmin('POST', '/api/v1/namespaces/crowded/serviceaccounts', {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: {
              name,
              ...(name === 'sa-519'
                ? { annotations: { [ANNOTATION]: roleArn('no-such-role') } }
                : {}),
            },
          }),
        ),
      );
    }
    const before = g.kube.requests.length;
    const r = await get('-n', 'crowded', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      json(r.stdout).serviceAccounts.map((row: { name: string }) => row.name),
      ['sa-519'],
    );
    const lists = g.kube.requests
      .slice(before)
      .filter((q) => q.method === 'GET' && q.path.endsWith('/crowded/serviceaccounts'));
    assert.equal(lists.length, 2, 'two pages of at most 500');
    assert.match(lists[1]?.query ?? '', /continue=/);
  });

  test('--name narrows to one service account', async () => {
    await bind('get-one', '--attach-policy-arn', READONLY);
    const rows = json((await get('--name', 'get-one', '-o', 'json')).stdout).serviceAccounts;
    assert.deepEqual(
      rows.map((r: { name: string }) => r.name),
      ['get-one'],
    );
  });
});

describe('delete-serviceaccount', () => {
  test('a failure midway says what is already deleted, and a re-run finishes the job', async () => {
    await bind('del-fail', '--attach-policy-arn', READONLY);
    const proxy = await startAwsProxy(g.moto.url);
    proxy.failNext('DeleteRole', 403, 'AccessDenied', 'not allowed to delete roles');
    try {
      const r = await g.iamsa(
        [
          'delete-serviceaccount',
          '--cluster',
          g.cluster,
          ...g.kubeFlags,
          '-n',
          'default',
          '--name',
          'del-fail',
          '--approve',
        ],
        { AWS_ENDPOINT_URL: proxy.url },
      );
      assert.equal(r.code, 4, r.stderr);
      assert.match(
        r.stderr,
        /already done: deleted service-account default\/del-fail; deleted policy-attachment/,
      );
      assert.match(r.stderr, /re-run the same command/);
    } finally {
      await proxy.close();
    }
    assert.equal(sa('default', 'del-fail'), undefined);
    assert.ok(await role('iamsa-life-default-del-fail'), 'the role is what is left');
    const again = await del('-n', 'default', '--name', 'del-fail', '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await role('iamsa-life-default-del-fail'), undefined);
  });
});
