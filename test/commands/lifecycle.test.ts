// update-serviceaccount and delete-serviceaccount in-process (test/support/harness.ts), over the
// fakes: exactly what was asked, ownership refusals, what is kept. The set-up and inspection calls
// are the ground's (test/support/fake-ground.ts); get-serviceaccounts' paging and a failure midway
// stay on moto and the emulator in test/integration/lifecycle.test.ts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT } from '../support/fakes.js';
import { type FakeGround, fakeGround } from '../support/fake-ground.js';
import { createHarness, type Harness } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let g: FakeGround;
const dir = tempDir('lifecycle-in-process');
after(() => removeTempDir(dir));
let providerArn: string;
/** The harness under g, for what no AWS call of the ground does (a provider deleted by hand). */
let ground: Harness;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const withKube = (command: string, args: string[]) =>
  g.iamsa([command, '--cluster', g.cluster, ...g.kubeFlags, ...args]);
const csa = (...args: string[]) => withKube('create-serviceaccount', args);
const update = (...args: string[]) => withKube('update-serviceaccount', args);
const del = (...args: string[]) => withKube('delete-serviceaccount', args);
const sa = (ns: string, name: string) => g.kube.getObject('serviceaccounts', ns, name);
const role = async (name: string) => {
  try {
    return (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch {
    return undefined;
  }
};
const attached = async (name: string) =>
  (
    (await g.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ??
    []
  )
    .map((p: any) => p.PolicyArn)
    .sort();
const inline = async (name: string) =>
  (await g.iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];
const tagsOf = async (name: string) =>
  Object.fromEntries(((await role(name))?.Tags ?? []).map((t: any) => [t.Key, t.Value]));

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

// Each test starts from a fresh cluster "life" with its OIDC provider.
beforeEach(async () => {
  ground = createHarness({ clusters: ['life'] });
  g = fakeGround(ground, 'life');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'life', '--approve', '-o', 'json']);
  assert.equal(enabled.code, 0, enabled.stderr);
  providerArn = json(enabled.stdout).providerArn;
});

describe('update-serviceaccount', () => {
  test('adds and removes exactly what was asked and nothing else; a re-run changes nothing', async () => {
    await bind('upd', '--attach-policy-arn', READONLY);
    const name = 'iamsa-life-default-upd';
    const file = join(dir, 'upd-policy.json');
    writeFileSync(
      file,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      }),
    );
    const args = [
      '-n',
      'default',
      '--name',
      'upd',
      '--attach-policy-arn',
      S3_READ,
      '--attach-policy',
      file,
      '--tags',
      'team=pay',
    ];
    const plan = await update(...args);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(await attached(name), [READONLY], 'a plan changes nothing');
    const applied = await update(...args, '--approve', '-o', 'json');
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(await attached(name), [S3_READ, READONLY].sort(), 'nothing is detached');
    assert.deepEqual(await inline(name), ['iamsa-inline']);
    assert.equal((await tagsOf(name)).team, 'pay');
    const again = await update(...args, '--approve');
    assert.match(again.stdout, /Nothing to do/);

    const removed = await update(
      '-n',
      'default',
      '--name',
      'upd',
      '--detach-policy-arn',
      READONLY,
      '--remove-inline-policy',
      '--remove-tags',
      'team',
      '--approve',
      '-o',
      'json',
    );
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(
      json(removed.stdout)
        .steps.filter((s: { action: string }) => s.action === 'delete')
        .map((s: { resource: string }) => s.resource)
        .sort(),
      ['inline-policy', 'policy-attachment'],
    );
    assert.deepEqual(await attached(name), [S3_READ]);
    assert.deepEqual(await inline(name), []);
    assert.equal((await tagsOf(name)).team, undefined);
    assert.equal((await tagsOf(name))['iamsa.io/managed-by'], 'iamsa', 'ownership tags stay');
  });

  test('--detach-policy-arn of a policy the role does not have: warned, naming the nearest (IRSA-W059)', async () => {
    await bind('upd-typo', '--attach-policy-arn', READONLY);
    const typo = READONLY.replace(/Access$/, 'Acess');
    const r = await update(
      '-n',
      'default',
      '--name',
      'upd-typo',
      '--detach-policy-arn',
      typo,
      '--approve',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /IRSA-W059/);
    assert.match(
      r.stderr,
      new RegExp(`not attached to role iamsa-life-default-upd-typo.*did you mean ${READONLY}\\?`),
    );
    assert.deepEqual(await attached('iamsa-life-default-upd-typo'), [READONLY]);
  });

  test('refuses to leave the role with no permission (exit 2), pointing at delete', async () => {
    await bind('upd-empty', '--attach-policy-arn', READONLY);
    const r = await update(
      '-n',
      'default',
      '--name',
      'upd-empty',
      '--detach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /would grant nothing/);
    assert.match(r.stderr, /iamsa delete-serviceaccount/);
    assert.deepEqual(await attached('iamsa-life-default-upd-empty'), [READONLY]);
  });

  test('sets and removes the permissions boundary', async () => {
    await bind('upd-boundary', '--attach-policy-arn', READONLY);
    const name = 'iamsa-life-default-upd-boundary';
    const base = ['-n', 'default', '--name', 'upd-boundary', '--approve'];
    assert.equal((await update(...base, '--permissions-boundary', READONLY)).code, 0);
    assert.equal((await role(name))?.PermissionsBoundary?.PermissionsBoundaryArn, READONLY);
    assert.equal((await update(...base, '--remove-permissions-boundary')).code, 0);
    assert.equal((await role(name))?.PermissionsBoundary, undefined);
  });

  test('--namespace defaults to default, as in create-serviceaccount', async () => {
    await bind('upd-ns', '--attach-policy-arn', READONLY);
    const r = await update('--name', 'upd-ns', '--attach-policy-arn', S3_READ, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await attached('iamsa-life-default-upd-ns'), [S3_READ, READONLY].sort());
  });

  test('update names a foreign role as not managed, not as already existing', async () => {
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'iamsa-life-default-upd-notours',
        AssumeRolePolicyDocument: exactTrust('default', 'upd-notours'),
      }),
    );
    const r = await update(
      '-n',
      'default',
      '--name',
      'upd-notours',
      '--attach-policy-arn',
      S3_READ,
    );
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /role iamsa-life-default-upd-notours is not managed by iamsa/);
    assert.doesNotMatch(r.stderr, /already exists/);
  });

  test("refuses a role iamsa does not own for this binding (exit 5), naming the owner's tags", async () => {
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'iamsa-life-default-upd-foreign',
        AssumeRolePolicyDocument: exactTrust('default', 'upd-foreign'),
        Tags: [{ Key: 'owner', Value: 'terraform' }],
      }),
    );
    const r = await update(
      '-n',
      'default',
      '--name',
      'upd-foreign',
      '--attach-policy-arn',
      S3_READ,
      '--approve',
    );
    assert.equal(r.code, 5, r.stderr);
    assert.match(
      r.stderr,
      /not managed by iamsa: no iamsa\.io\/managed-by tag, tags owner=terraform;/,
    );
    assert.doesNotMatch(r.stderr, /--attach-role-arn/, 'update has no such flag to suggest');
    assert.deepEqual(await attached('iamsa-life-default-upd-foreign'), []);
  });

  test('no binding to update is a missing precondition (exit 3); asking both ways is exit 2', async () => {
    const missing = await update('-n', 'default', '--name', 'upd-none', '--tags', 'a=b');
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /no binding to update/);
    await bind('upd-clash', '--attach-policy-arn', READONLY);
    const clash = await update(
      '-n',
      'default',
      '--name',
      'upd-clash',
      '--attach-policy-arn',
      S3_READ,
      '--detach-policy-arn',
      S3_READ,
    );
    assert.equal(clash.code, 2, clash.stderr);
    assert.match(clash.stderr, /add and remove the same thing/);
  });
});

describe('delete-serviceaccount', () => {
  test('a namespace that does not exist: Nothing to do, exit 0, with IRSA-W025 naming the nearest one', async () => {
    await g.kubeAdmin('POST', '/api/v1/namespaces', { metadata: { name: 'payments' } });
    const r = await del('-n', 'paymnts', '--name', 'worker');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: IRSA-W025 namespace paymnts does not exist in cluster \S+: did you mean payments\?/,
    );
    assert.match(r.stdout, /Nothing to do/);
    const far = await del('-n', 'zzzz', '--name', 'worker', '-o', 'json');
    assert.equal(far.code, 0, far.stderr);
    assert.deepEqual(
      json(far.stdout).warningDetails.map((w: { code: string }) => w.code),
      ['IRSA-W025'],
    );
    assert.doesNotMatch(json(far.stdout).warnings[0], /did you mean/);
    // A namespace that exists, without the binding: no warning.
    const there = await del('-n', 'payments', '--name', 'worker', '-o', 'json');
    assert.deepEqual(json(there.stdout).warnings, []);
  });

  test('a mistyped name: Nothing to do, exit 0, with IRSA-W060 naming the nearest service account', async () => {
    await bind('api', '--attach-policy-arn', READONLY);
    const r = await del('-n', 'default', '--name', 'apu', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: IRSA-W060 service account default\/apu does not exist in cluster \S+: did you mean --namespace default --name api\?/,
    );
    assert.match(r.stdout, /Nothing to do/);
    assert.ok(await sa('default', 'api'), 'nothing deleted');
  });

  test('a role carrying copied iamsa tags but another trust is never deleted on a re-run (IRSA-W048)', async () => {
    await bind('del-custom', '--role-name', 'custom-name', '--attach-policy-arn', READONLY);
    const tags = await tagsOf('custom-name');
    const ec2 = { Service: 'ec2.amazonaws.com' };
    const ec2Trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: ec2, Action: 'sts:AssumeRole' }],
    };
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'decoy',
        AssumeRolePolicyDocument: JSON.stringify(ec2Trust),
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    await g.iam.send(new AttachRolePolicyCommand({ RoleName: 'decoy', PolicyArn: admin }));
    const first = await del('-n', 'default', '--name', 'del-custom', '--approve');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(await role('custom-name'), undefined, "iamsa's own role goes");
    const again = await del('-n', 'default', '--name', 'del-custom', '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stderr,
      /IRSA-W048 role decoy carries iamsa's tags for default\/del-custom but its trust is not iamsa's: not deleted/,
    );
    assert.doesNotMatch(again.stdout + again.stderr, /delete (iam-role|policy-attachment)/);
    assert.ok(await role('decoy'), 'the decoy is kept');
    assert.deepEqual(await attached('decoy'), [admin]);
  });

  test("a role whose trust holds iamsa's statement among others is never deleted (IRSA-W048)", async () => {
    const ours = (name: string) => JSON.parse(exactTrust('default', name)).Statement[0];
    const root = {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'sts:AssumeRole',
    };
    const podIdentity = {
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    };
    const decoys: Record<string, (name: string) => object[]> = {
      'plus-root': (name) => [ours(name), root],
      'plus-other': (name) => [ours(name), JSON.parse(exactTrust('default', 'other')).Statement[0]],
      'plus-deny': (name) => [ours(name), { ...root, Effect: 'Deny' }],
      'pod-identity-any-cluster': () => [podIdentity],
    };
    for (const [name, statements] of Object.entries(decoys)) {
      await bind(name, '--role-name', `decoy-${name}`, '--attach-policy-arn', READONLY);
      await g.iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: `decoy-${name}`,
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements(name) }),
        }),
      );
      const r = await del('-n', 'default', '--name', name, '--approve');
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`IRSA-W048 role decoy-${name} carries iamsa's tags for default/${name}`),
        name,
      );
      assert.ok(await role(`decoy-${name}`), `${name}: the role is kept`);
      // Kept with its role: the label alone does not make it iamsa's to delete.
      assert.ok(sa('default', name), `${name}: the service account is kept with the role`);
      assert.match(r.stderr, new RegExp(`service account default/${name} is kept with it`), name);
    }
  });

  test("a role the service account's annotation names is deleted only with iamsa's trust (IRSA-W048)", async () => {
    await bind('d7', '--attach-policy-arn', READONLY);
    const tags = await tagsOf('iamsa-life-default-d7');
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'ec2-decoy',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'ec2.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    await g.kubeAdmin('PATCH', '/api/v1/namespaces/default/serviceaccounts/d7', {
      metadata: { annotations: { [ANNOTATION]: roleArn('ec2-decoy') } },
    });
    const r = await del('-n', 'default', '--name', 'd7', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /IRSA-W048 role ec2-decoy carries iamsa's tags for default\/d7/);
    assert.ok(await role('ec2-decoy'), 'the decoy is kept');
  });

  test('leaves no role, attachment or inline policy behind, deletes the service account iamsa made; a re-run is Nothing to do', async () => {
    const file = join(dir, 'del-policy.json');
    writeFileSync(
      file,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      }),
    );
    await bind(
      'del',
      '--attach-policy-arn',
      READONLY,
      '--attach-policy-arn',
      S3_READ,
      '--attach-policy',
      file,
    );
    const name = 'iamsa-life-default-del';
    const plan = await del('-n', 'default', '--name', 'del', '-o', 'json');
    assert.equal(plan.code, 0, plan.stderr);
    const order = json(plan.stdout).steps.map((s: { resource: string }) => s.resource);
    assert.equal(order[0], 'service-account', 'the annotation goes first');
    assert.equal(order.at(-1), 'iam-role', 'the role goes last');
    assert.ok(await role(name), 'a plan deletes nothing');

    const r = await del('-n', 'default', '--name', 'del', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await role(name), undefined);
    assert.equal(sa('default', 'del'), undefined);
    const again = await del('-n', 'default', '--name', 'del', '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do/);
  });

  test("a service account iamsa did not make keeps everything but iamsa's annotation, byte for byte", async () => {
    await foreignServiceAccount('del-kept');
    await bind('del-kept', '--attach-policy-arn', READONLY);
    const beforeSa = sa('default', 'del-kept');
    const r = await del('-n', 'default', '--name', 'del-kept', '--approve');
    assert.equal(r.code, 0, r.stderr);
    // The whole object, less the annotation iamsa removed and what the server moves on every write.
    const comparable = (o: any, drop?: string) => {
      const metadata = structuredClone(o.metadata);
      delete metadata.resourceVersion;
      delete metadata.managedFields;
      if (drop) delete metadata.annotations[drop];
      return { ...o, metadata };
    };
    assert.ok(beforeSa.metadata.annotations[ANNOTATION]);
    assert.deepEqual(comparable(sa('default', 'del-kept')), comparable(beforeSa, ANNOTATION));
    assert.equal(await role('iamsa-life-default-del-kept'), undefined);
  });

  test('--keep-serviceaccount keeps a service account iamsa made, without the annotation', async () => {
    await bind('del-keep', '--attach-policy-arn', READONLY);
    const r = await del(
      '-n',
      'default',
      '--name',
      'del-keep',
      '--keep-serviceaccount',
      '--approve',
    );
    assert.equal(r.code, 0, r.stderr);
    const kept = sa('default', 'del-keep');
    assert.ok(kept);
    assert.equal(kept.metadata.annotations?.[ANNOTATION], undefined);
  });

  test('refuses a role iamsa does not own (exit 5) and touches nothing', async () => {
    const trust = exactTrust('default', 'del-foreign');
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'iamsa-life-default-del-foreign',
        AssumeRolePolicyDocument: trust,
      }),
    );
    await g.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'iamsa-life-default-del-foreign',
        PolicyName: 'theirs',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
        }),
      }),
    );
    await foreignServiceAccount('del-foreign', {
      [ANNOTATION]: roleArn('iamsa-life-default-del-foreign'),
    });
    const beforeSa = sa('default', 'del-foreign');
    const beforeAws = await g.awsState();
    const r = await del('-n', 'default', '--name', 'del-foreign', '--approve');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /not iamsa's to delete/);
    assert.deepEqual(sa('default', 'del-foreign'), beforeSa);
    assert.deepEqual(await g.awsState(), beforeAws);
  });

  test("iamsa's role of another binding is refused too, naming its tags", async () => {
    await bind('del-twin', '--attach-policy-arn', READONLY);
    // Someone points another service account at that role by hand.
    await foreignServiceAccount('del-other', {
      [ANNOTATION]: roleArn('iamsa-life-default-del-twin'),
    });
    const r = await del('-n', 'default', '--name', 'del-other', '--approve');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /iamsa\.io\/service-account=del-twin/);
    assert.ok(await role('iamsa-life-default-del-twin'));
  });

  test('an --attach-role-arn binding loses only the annotation; the role and the service account stay', async () => {
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'byo-del-role',
        AssumeRolePolicyDocument: exactTrust('default', 'del-byo'),
      }),
    );
    await bind('del-byo', '--attach-role-arn', roleArn('byo-del-role'));
    const r = await del('-n', 'default', '--name', 'del-byo', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(await role('byo-del-role'), 'the given role is never deleted');
    const kept = sa('default', 'del-byo');
    assert.ok(kept, 'only the annotation is removed, even from a service account iamsa made');
    assert.equal(kept.metadata.annotations?.[ANNOTATION], undefined);
    assert.match(r.stdout, /role .*byo-del-role is kept: it was given with --attach-role-arn/);
  });

  test('warns when pods still run as the service account', async () => {
    await bind('del-pods', '--attach-policy-arn', READONLY);
    await g.kubeAdmin('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'del-pods-1' },
      spec: { serviceAccountName: 'del-pods', containers: [{ name: 'app', image: 'busybox' }] },
    });
    const r = await del('-n', 'default', '--name', 'del-pods');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1 pod\(s\) still run as default\/del-pods/);
  });

  test('--namespace is required: a delete never guesses', async () => {
    const r = await g.iamsa(['delete-serviceaccount', '--cluster', g.cluster, '--name', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required flag: --namespace/);
  });
});

describe('update-serviceaccount says what it changes, for both mechanisms', () => {
  const policy = (...actions: string[]) => {
    const file = join(dir, `policy-${actions.join('-').replaceAll(':', '_')}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
      }),
    );
    return file;
  };

  for (const mechanism of ['irsa', 'pod-identity']) {
    test(`${mechanism}: the inline policy's fields that change, and the right header`, async () => {
      const h = createHarness({ clusters: ['life'] });
      h.eks().installAgent('life');
      const ground = fakeGround(h, 'life');
      assert.equal((await ground.iamsa(['enable-oidc', '-c', 'life', '--approve'])).code, 0);
      const run = (command: string, ...args: string[]) =>
        ground.iamsa([command, '-c', 'life', ...ground.kubeFlags, '--name', 'app', ...args]);
      const made = await run(
        'create-serviceaccount',
        '--mechanism',
        mechanism,
        '--attach-policy',
        policy('s3:GetObject', 's3:ListBucket'),
        '--approve',
      );
      assert.equal(made.code, 0, made.stderr);
      const plan = await run(
        'update-serviceaccount',
        '--attach-policy',
        policy('s3:GetObject', 's3:PutObject'),
      );
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(
        plan.stdout,
        /~ update +inline-policy .*\n +from .*policy-s3_GetObject-s3_PutObject\.json\n +statement 0 Action: \+ s3:PutObject, - s3:ListBucket\n/,
      );
      const clusterArn = `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/life`;
      if (mechanism === 'irsa') {
        assert.match(plan.stdout, /^OIDC provider: +arn:aws:iam::/m);
        assert.doesNotMatch(plan.stdout, /Pod Identity:/);
      } else {
        assert.doesNotMatch(plan.stdout, /OIDC provider/);
        const id = [...h.eks().associations.values()][0]?.id ?? '';
        assert.match(
          plan.stdout,
          new RegExp(
            `^Pod Identity: +association of default/app \\(${id}\\) on ${clusterArn}$`,
            'm',
          ),
        );
        const doc = json(
          (
            await run(
              'update-serviceaccount',
              '--attach-policy',
              policy('s3:GetObject'),
              '-o',
              'json',
            )
          ).stdout,
        );
        assert.deepEqual(doc.podIdentity, { clusterArn, associationId: id });
        assert.equal(doc.providerArn, undefined);
      }
    });
  }
});

describe('get-serviceaccounts --orphans', () => {
  test("a role-only binding's role is role-only (its tag), not a no-sa orphan; the tag goes when the binding names its service account", async () => {
    const h = createHarness({ clusters: ['demo'] });
    assert.equal((await h.run(['enable-oidc', '--cluster', 'demo', '--approve'])).code, 0);
    const file = (roleOnly: boolean) => {
      const path = join(dir, `role-only-${roleOnly}.yaml`);
      writeFileSync(
        path,
        `apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\nbindings:\n  - {namespace: jobs, name: batch, roleOnly: ${roleOnly}, createNamespace: ${!roleOnly}, attachPolicyARNs: [${READONLY}]}\n  - {name: gone, attachPolicyARNs: [${READONLY}]}\n`,
      );
      return path;
    };
    const made = await h.run(['apply', '-f', file(true), '--approve']);
    assert.equal(made.code, 0, made.stdout + made.stderr);
    assert.equal(
      (await h.iam.getRole('iamsa-demo-jobs-batch'))?.tags['iamsa.io/role-only'],
      'true',
    );
    assert.equal(
      (await h.iam.getRole('iamsa-demo-default-gone'))?.tags['iamsa.io/role-only'],
      undefined,
    );
    await h.kube('demo').deleteServiceAccount('default', 'gone');
    const get = (...args: string[]) =>
      h.run(['get-serviceaccounts', '--cluster', 'demo', '--orphans', ...args]);
    const orphans = await get('-o', 'json');
    assert.equal(orphans.code, 0, orphans.stderr);
    const rows = Object.fromEntries(
      json(orphans.stdout).serviceAccounts.map((r: any) => [`${r.namespace}/${r.name}`, r]),
    );
    assert.equal(rows['jobs/batch'].status, 'role-only');
    assert.deepEqual(rows['jobs/batch'].problems, []);
    assert.equal(rows['default/gone'].status, 'no-sa');
    const text = await get();
    assert.match(
      text.stdout,
      /\njobs\s+batch\s+irsa\s+\S+iamsa-demo-jobs-batch\s+iamsa\s+role-only\s/,
    );
    // The binding now names its service account: the tag goes, and a re-run is converged.
    const named = await h.run(['apply', '-f', file(false), '--approve']);
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stdout, /remove tags iamsa\.io\/role-only=true/);
    assert.equal(
      (await h.iam.getRole('iamsa-demo-jobs-batch'))?.tags['iamsa.io/role-only'],
      undefined,
    );
    assert.match((await h.run(['apply', '-f', file(false)])).stdout, /Nothing to do/);
  });
});

describe("get-serviceaccounts without the cluster's OIDC provider", () => {
  test('IRSA rows are no-provider with a problem line, in text and JSON, so the documented CI check fails', async () => {
    await bind('api', '--attach-policy-arn', READONLY);
    ground.iam.providers.delete(providerArn); // by hand, as in the console
    const got = await withKube('get-serviceaccounts', ['-o', 'json']);
    assert.equal(got.code, 0, got.stderr);
    const rows = json(got.stdout).serviceAccounts;
    const api = rows.find((r: any) => r.name === 'api');
    assert.equal(api.status, 'no-provider');
    assert.match(api.problems[0], new RegExp(`OIDC provider ${providerArn} does not exist`));
    // docs/commands/get-serviceaccounts.md: jq -e '.serviceAccounts | all(.status == "ok" or .status == "role-only")'
    assert.equal(
      rows.every((r: any) => r.status === 'ok' || r.status === 'role-only'),
      false,
    );
    const text = await withKube('get-serviceaccounts', []);
    assert.match(text.stdout, /default\s+api\s+irsa\s+\S+\s+iamsa\s+no-provider/);
    assert.match(text.stdout, /default\/api: the cluster's IAM OIDC provider .* does not exist/);
    assert.match(text.stderr, /IRSA-W026/);
  });
});
