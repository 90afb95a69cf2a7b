// The ownership rules (src/policy/role-ownership.ts) held by every command, in-process over the
// stateful fakes: a role is iamsa's for a binding only when its tags name the binding and its trust
// holds iamsa's statement for it; a delete takes a role only when its trust is wholly the binding's;
// a shared role keeps the statements of the clusters it records, found by their ARNs, not by region;
// the policies fingerprint records only what iamsa was asked for.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  buildTrustStatement,
  policiesFingerprint,
  roleOwnershipTags,
  sharedClusterTagKey,
  TAG_CLUSTERS,
  TAG_MANAGED_BY,
  TAG_MANAGED_BY_VALUE,
  TAG_NAMESPACE,
  TAG_POLICIES,
  TAG_SERVICE_ACCOUNT,
} from '../../src/policy/index.js';
import { ACCOUNT } from '../support/fakes.js';
import { createHarness, type Harness } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const awsManaged = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const [RO, S3, ADMIN] = ['ReadOnlyAccess', 'AmazonS3ReadOnlyAccess', 'AdministratorAccess'].map(
  awsManaged,
) as [string, string, string];
const HEAD = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\n';
const DEMO_ARN = `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`;
const host = (region: string, id: string) => `oidc.eks.${region}.amazonaws.com/id/${id}`;
const provider = (h: string) => `arn:aws:iam::${ACCOUNT}:oidc-provider/${h}`;
/** iamsa's statement for ns/name on the provider of this issuer host. */
const statement = (issuerHostPath: string, namespace: string, serviceAccount: string) =>
  buildTrustStatement({
    providerArn: provider(issuerHostPath),
    issuerHostPath,
    namespace,
    serviceAccount,
  });
const DEMO = host('us-east-1', 'DEMO0000');
const OTHER = host('eu-west-1', 'OTHER');

let h: Harness;
const dir = tempDir('ownership-in-process');
after(() => removeTempDir(dir));
let fileNo = 0;
const file = (text: string) => {
  const path = join(dir, `bindings-${++fileNo}.yaml`);
  writeFileSync(path, text);
  return path;
};
const trustOf = async (name: string) =>
  JSON.parse(decodeURIComponent((await h.iam.getRole(name))?.trustPolicy ?? '{}'));
const setTrust = (name: string, ...Statement: object[]) =>
  h.iam.updateTrustPolicy(name, JSON.stringify({ Version: '2012-10-17', Statement }));
const ok = async (args: string[]) => {
  const r = await h.run(args);
  assert.equal(r.code, 0, r.stderr);
  return r;
};
/** A cluster enabled for IRSA (its own region's EKS, its own Kubernetes API). */
const clusterIn = async (name: string, region = 'us-east-1') => {
  if (region !== 'us-east-1') h.eks(region).addCluster(name);
  h.kube(name);
  await ok(['enable-oidc', '--cluster', name, '--region', region, '--approve']);
};
/** A role made outside iamsa, with these tags, trust and policies. */
async function handMade(
  name: string,
  tags: Record<string, string>,
  trust: object[],
  arns: string[],
) {
  await h.iam.createRole({
    name,
    path: '/',
    trustPolicy: JSON.stringify({ Version: '2012-10-17', Statement: trust }),
    description: '',
    tags,
  });
  for (const arn of arns) await h.iam.attachPolicy(name, arn);
}

describe('delete: a shared decoy whose trust does not name this cluster (H4)', () => {
  const sharedTags = {
    [TAG_MANAGED_BY]: TAG_MANAGED_BY_VALUE,
    [TAG_NAMESPACE]: 'default',
    [TAG_SERVICE_ACCOUNT]: 's1',
    [TAG_CLUSTERS]: 'demo',
    [sharedClusterTagKey(DEMO_ARN)]: DEMO_ARN,
  };
  const cases: Record<string, object[]> = {
    'another provider only': [statement(OTHER, 'default', 's1')],
    "this cluster's and an unrecorded provider's": [
      statement(DEMO, 'default', 's1'),
      statement(OTHER, 'default', 's1'),
    ],
  };
  for (const [what, trust] of Object.entries(cases)) {
    for (const roleName of [[], ['--role-name', 'victim-shared']]) {
      test(`${what}${roleName.length ? ', named with --role-name' : ''}: IRSA-W048, kept`, async () => {
        h = createHarness({ clusters: ['demo'] });
        await clusterIn('demo');
        await handMade('victim-shared', sharedTags, trust, [RO]);
        const del = ['delete-serviceaccount', '-c', 'demo', '-n', 'default', '--name', 's1'];
        const plan = await ok([...del, ...roleName]);
        assert.match(
          plan.stderr,
          /IRSA-W048 role victim-shared carries iamsa's tags for default\/s1/,
        );
        assert.doesNotMatch(plan.stdout, /delete\s+(iam-role|policy-attachment)/);
        await ok([...del, ...roleName, '--approve']);
        assert.ok(await h.iam.getRole('victim-shared'), 'the role is kept');
        assert.deepEqual(await h.iam.listAttachedPolicyArns('victim-shared'), [RO]);
      });
    }
  }

  test("a real shared role: another recorded cluster's statement is found by DescribeCluster of its ARN; one that cannot be read is a warning, and the role is kept", async () => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('demo');
    await clusterIn('dr', 'eu-west-1');
    const path = file(
      `${HEAD}bindings:\n  - name: s1\n    roleOnly: true\n    clusters: [{name: demo, region: us-east-1}, {name: dr, region: eu-west-1}]\n    attachPolicyARNs: [${RO}]\n`,
    );
    await ok(['apply', '-f', path, '--approve']);
    const role = 'iamsa-shared-default-s1';
    const del = ['delete-serviceaccount', '-c', 'demo', '-n', 'default', '--name', 's1'];
    const plan = await ok([...del, '--role-only']);
    assert.match(plan.stdout, /trust: remove the statement of cluster demo/);
    assert.doesNotMatch(plan.stderr, /IRSA-W04[89]/);

    h.eks('eu-west-1').clusters.delete('dr');
    const gone = await ok([...del, '--role-only', '--approve']);
    assert.match(
      gone.stderr,
      /IRSA-W054 could not read cluster arn:aws:eks:eu-west-1:.*:cluster\/dr/,
    );
    assert.match(gone.stderr, /IRSA-W048 role iamsa-shared-default-s1/);
    assert.equal((await trustOf(role)).Statement.length, 2, 'nothing was changed');
  });
});

describe('create, update and apply: one ownership rule (tags AND trust)', () => {
  const d2 = 'iamsa-demo-default-d2';
  const ec2 = {
    Effect: 'Allow',
    Principal: { Service: 'ec2.amazonaws.com' },
    Action: 'sts:AssumeRole',
  };
  const decoy = async () => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('demo');
    await h.kube('demo').createServiceAccount('default', 'd2', {});
    await handMade(d2, roleOwnershipTags('demo', 'default', 'd2', DEMO_ARN), [ec2], [ADMIN]);
  };
  const refused = async (args: string[]) => {
    const before = h.state();
    const r = await h.run(args);
    assert.equal(r.code, 5, r.stderr);
    assert.match(
      r.stdout + r.stderr,
      new RegExp(
        `role ${d2} carries iamsa's tags for default/d2 .*its trust holds no statement iamsa writes for that binding`,
      ),
    );
    assert.deepEqual(h.state(), before, 'nothing was changed');
  };

  test('an EC2 role carrying copied tags is refused by create, update and apply (exit 5), and called foreign by delete', async () => {
    await decoy();
    const flags = ['-c', 'demo', '-n', 'default', '--name', 'd2'];
    await refused(['create-serviceaccount', ...flags, '--attach-policy-arn', RO, '--approve']);
    await refused(['update-serviceaccount', ...flags, '--attach-policy-arn', RO, '--approve']);
    const path = file(
      `${HEAD}cluster: demo\nbindings:\n  - name: d2\n    attachPolicyARNs: [${RO}]\n`,
    );
    await refused(['apply', '-f', path, '--approve']);
    const del = await ok(['delete-serviceaccount', ...flags]);
    assert.match(del.stderr, /IRSA-W048 role iamsa-demo-default-d2/);
    assert.deepEqual((await trustOf(d2)).Statement, [ec2]);
  });

  test("a role whose trust holds iamsa's statement beside an EC2 one is iamsa's: the extra statement is drift, removed", async () => {
    await decoy();
    await setTrust(d2, statement(DEMO, 'default', 'd2'), ec2);
    // Its trust holds iamsa's statement now: the role is iamsa's, and the EC2 statement is drift.
    const r = await ok([
      'create-serviceaccount',
      '-c',
      'demo',
      '-n',
      'default',
      '--name',
      'd2',
      '--attach-policy-arn',
      RO,
      '--approve',
    ]);
    assert.match(r.stdout, /trust policy/);
    assert.deepEqual((await trustOf(d2)).Statement, [statement(DEMO, 'default', 'd2')]);
  });
});

describe("a wildcard subject is iamsa's only for a binding declaring that pattern (issue 16)", () => {
  test('update, create and apply refuse a namespace-wide role carrying copied tags (exit 5)', async () => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('demo');
    const wide = buildTrustStatement({
      providerArn: provider(DEMO),
      issuerHostPath: DEMO,
      namespace: 'default',
      serviceAccount: 'app3',
      subjectPattern: '*',
    });
    await handMade('ns-wide', roleOwnershipTags('demo', 'default', 'app3', DEMO_ARN), [wide], []);
    await h.kube('demo').createServiceAccount('default', 'app3', {
      annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/ns-wide` },
    });
    const flags = ['-c', 'demo', '-n', 'default', '--name', 'app3', '--attach-policy-arn', S3];
    const path = file(
      `${HEAD}cluster: demo\nbindings:\n  - name: app3\n    roleName: ns-wide\n    attachPolicyARNs: [${S3}]\n`,
    );
    for (const args of [
      ['update-serviceaccount', ...flags],
      ['create-serviceaccount', ...flags, '--role-name', 'ns-wide'],
      ['apply', '-f', path],
    ]) {
      const before = h.state();
      const r = await h.run([...args, '--approve']);
      assert.equal(r.code, 5, `${args[0]}: ${r.stdout}${r.stderr}`);
      assert.deepEqual(h.state(), before, 'nothing was changed');
    }
    assert.deepEqual((await trustOf('ns-wide')).Statement, [wide]);
  });

  test('a binding that declares the pattern converges on its own role: the re-run is Nothing to do', async () => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('demo');
    const path = file(
      `apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: demo, region: us-east-1}\niam:\n  serviceAccounts:\n    - metadata: {name: wsb, namespace: default}\n      roleName: own-wild\n      subjectPattern: "*"\n      attachPolicyARNs: [${S3}]\n`,
    );
    const first = await h.run(['apply', '-f', path, '--allow-subject-pattern', '--approve']);
    assert.equal(first.code, 0, first.stderr);
    const again = await h.run(['apply', '-f', path, '--allow-subject-pattern']);
    assert.equal(again.code, 0, `${again.stdout}${again.stderr}`);
    assert.match(again.stdout, /Nothing to do/);
  });
});

describe('a shared role keeps the statements of the clusters it records, found by ARN (M2)', () => {
  test("a foreign provider's statement in a dropped cluster's region is drift; the dropped cluster's own is kept", async () => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('demo');
    await clusterIn('dr', 'eu-west-1');
    await clusterIn('c3', 'us-west-2');
    const bindings = (clusters: string) =>
      file(
        `${HEAD}bindings:\n  - name: s3\n    roleOnly: true\n    clusters: [${clusters}]\n    attachPolicyARNs: [${RO}]\n`,
      );
    const demo = '{name: demo, region: us-east-1}';
    const c3 = '{name: c3, region: us-west-2}';
    await ok([
      'apply',
      '-f',
      bindings(`${demo}, {name: dr, region: eu-west-1}, ${c3}`),
      '--approve',
    ]);
    const role = 'iamsa-shared-default-s3';
    const real = (await trustOf(role)).Statement;
    const dr = real.find((s: any) => s.Principal.Federated.includes('eu-west-1'));
    assert.ok(dr);
    await setTrust(role, statement(OTHER, 'default', 's3'), ...real);

    const two = bindings(`${demo}, ${c3}`);
    const r = await ok(['apply', '-f', two, '--approve']);
    assert.match(r.stdout, /keeping 1 for clusters no longer listed/);
    const after = (await trustOf(role)).Statement;
    assert.equal(after.length, 3);
    assert.ok(
      after.some((s: any) => JSON.stringify(s) === JSON.stringify(dr)),
      "dr's statement is kept",
    );
    assert.ok(!JSON.stringify(after).includes('/id/OTHER'), 'the foreign statement is gone');
    const again = await ok(['apply', '-f', two]);
    assert.match(again.stdout, /Nothing to do/);
    // A kept statement is said in every plan, not only when the trust changes.
    assert.match(
      again.stderr,
      /IRSA-W057 role iamsa-shared-default-s3 keeps the trust statements of 1 cluster/,
    );
  });
});

describe("a forged iamsa.io/cluster-arn/<hash> tag is not iamsa's record (issue 16)", () => {
  const EVIL_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/evil`;
  const EVIL = host('eu-west-1', 'EVIL0000');
  const forged = { [sharedClusterTagKey(EVIL_ARN)]: EVIL_ARN };
  const role = 'iamsa-shared-default-shr';
  /** default/shr applied for demo and dr; evil is a third cluster of the account. */
  const appliedShared = async () => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('demo');
    await clusterIn('dr', 'us-west-2');
    await clusterIn('evil', 'eu-west-1');
    const path = file(
      `${HEAD}bindings:\n  - name: shr\n    roleOnly: true\n    clusters: [demo, {name: dr, region: us-west-2}]\n    attachPolicyARNs: [${RO}]\n`,
    );
    await ok(['apply', '-f', path, '--approve']);
    const real = (await trustOf(role)).Statement;
    return { path, real };
  };

  test("apply of a shared role: the forged cluster's statement is drift, removed with the tag (IRSA-W058), never 'unchanged'", async () => {
    const { path, real } = await appliedShared();
    await h.iam.tagRole(role, forged);
    await setTrust(role, ...real, statement(EVIL, 'default', 'shr'));

    const r = await ok(['apply', '-f', path, '--approve']);
    assert.doesNotMatch(r.stdout, /2 unchanged/);
    assert.match(
      r.stderr,
      /IRSA-W058 role iamsa-shared-default-shr has iamsa\.io\/cluster-arn\/\w+=arn:aws:eks:eu-west-1:\d+:cluster\/evil/,
    );
    assert.deepEqual((await trustOf(role)).Statement, real, "the evil cluster's statement is gone");
    const tags = (await h.iam.getRole(role))?.tags ?? {};
    assert.ok(!(sharedClusterTagKey(EVIL_ARN) in tags), 'the forged tag is gone');
    assert.equal(tags[TAG_CLUSTERS], 'demo,dr');
  });

  test('a hash tag whose key is not the hash of its value is ignored too', async () => {
    const { path, real } = await appliedShared();
    // The evil cluster is named in iamsa.io/clusters, but its tag's key is another ARN's hash.
    await h.iam.tagRole(role, {
      [TAG_CLUSTERS]: 'demo,dr,evil',
      [sharedClusterTagKey(`${EVIL_ARN}x`)]: EVIL_ARN,
    });
    await setTrust(role, ...real, statement(EVIL, 'default', 'shr'));
    const r = await ok(['apply', '-f', path, '--approve']);
    assert.match(r.stderr, /IRSA-W058/);
    assert.deepEqual((await trustOf(role)).Statement, real);
  });

  const decoy8 = async () => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('demo');
    await clusterIn('evil', 'eu-west-1');
    await handMade(
      'decoy8',
      { ...roleOwnershipTags('demo', 'default', 'd8', DEMO_ARN), ...forged },
      [statement(DEMO, 'default', 'd8'), statement(EVIL, 'default', 'd8')],
      [RO],
    );
    await h.kube('demo').createServiceAccount('default', 'd8', {
      annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/decoy8` },
    });
  };

  test("single-cluster tags beside a hash tag are not iamsa's: delete keeps the role (IRSA-W048)", async () => {
    await decoy8();
    const del = ['delete-serviceaccount', '-c', 'demo', '-n', 'default', '--name', 'd8'];
    const plan = await ok(del);
    assert.match(plan.stderr, /IRSA-W048 role decoy8 carries iamsa's tags for default\/d8/);
    assert.doesNotMatch(plan.stdout, /remove the statement of cluster demo/);
    const before = await trustOf('decoy8');
    await ok([...del, '--approve']);
    assert.deepEqual(await trustOf('decoy8'), before, 'the trust is kept');
    assert.deepEqual(await h.iam.listAttachedPolicyArns('decoy8'), [RO]);
  });

  test('create, update and apply refuse it (exit 5); audit sees the two-cluster trust (IRSA107)', async () => {
    await decoy8();
    const flags = ['-c', 'demo', '-n', 'default', '--name', 'd8', '--role-name', 'decoy8'];
    const apply = file(
      `${HEAD}cluster: demo\nbindings:\n  - name: d8\n    roleName: decoy8\n    attachPolicyARNs: [${S3}]\n`,
    );
    for (const args of [
      [
        'create-serviceaccount',
        ...flags,
        '--attach-policy-arn',
        S3,
        '--approve',
        '--override-existing-serviceaccounts',
      ],
      ['update-serviceaccount', ...flags, '--attach-policy-arn', S3, '--approve'],
      ['apply', '-f', apply, '--approve'],
    ]) {
      const before = h.state();
      const r = await h.run(args);
      assert.equal(r.code, 5, `${args[0]}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout + r.stderr, /role decoy8 has both iamsa's single-cluster tags/);
      assert.deepEqual(h.state(), before, 'nothing was changed');
    }
    const audit = await h.run(['audit', '-c', 'demo']);
    assert.match(audit.stdout, /IRSA107/);
  });
});

describe('the policies fingerprint records only what iamsa applied (M3)', () => {
  const a3 = 'iamsa-demo-default-a3';
  const flags = ['-c', 'demo', '-n', 'default', '--name', 'a3'];
  const setUp = async (record: string | undefined) => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('demo');
    await ok(['create-serviceaccount', ...flags, '--attach-policy-arn', S3, '--approve']);
    await h.iam.attachPolicy(a3, ADMIN);
    if (record === undefined) await h.iam.untagRole(a3, [TAG_POLICIES]);
    else await h.iam.tagRole(a3, { [TAG_POLICIES]: record });
  };
  const recorded = async () => (await h.iam.getRole(a3))?.tags[TAG_POLICIES];
  const adopted = policiesFingerprint({ managedArns: [S3, ADMIN] });

  for (const record of [undefined, 'garbage']) {
    test(`update with no flags and ${record ? 'a garbage' : 'no'} record: IRSA-W055, nothing attached is adopted`, async () => {
      await setUp(record);
      const r = await ok(['update-serviceaccount', ...flags, '--approve']);
      assert.match(
        r.stderr,
        /IRSA-W055 role iamsa-demo-default-a3 has no readable record of the policies iamsa applied/,
      );
      assert.match(r.stderr, /AdministratorAccess/);
      assert.notEqual(await recorded(), adopted);
      assert.equal(await recorded(), policiesFingerprint({ managedArns: [] }));
      const doctor = await h.run(['doctor', ...flags]);
      assert.match(doctor.stdout, /IRSA010/);
      assert.doesNotMatch(doctor.stdout, /ok\s+IRSA010|IRSA010\s+ok/i);
    });
  }

  test('create over the role without a record: W002 names Admin, and the record leaves it out', async () => {
    await setUp(undefined);
    const r = await ok(['create-serviceaccount', ...flags, '--attach-policy-arn', S3, '--approve']);
    assert.match(r.stderr, /IRSA-W002 .*AdministratorAccess/);
    assert.equal(await recorded(), policiesFingerprint({ managedArns: [S3] }));
  });

  test("an iamsa-inline edited by hand is not recorded by a re-run with flags (W002), and apply -f restores the file's", async () => {
    h = createHarness({ clusters: ['demo'] });
    await clusterIn('demo');
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
    };
    const inl = join(dir, 'inl.json');
    writeFileSync(inl, JSON.stringify(doc));
    await ok(['create-serviceaccount', ...flags, '--attach-policy', inl, '--approve']);
    const star = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    await h.iam.putInlinePolicy(a3, 'iamsa-inline', star);
    for (const cmd of ['create-serviceaccount', 'update-serviceaccount']) {
      const r = await ok([cmd, ...flags, '--attach-policy-arn', S3, '--approve']);
      assert.match(
        r.stderr,
        /IRSA-W002 .*inline policy iamsa-inline \(not the one iamsa recorded/,
        cmd,
      );
      assert.equal(await recorded(), policiesFingerprint({ managedArns: [S3] }), cmd);
      assert.notEqual(
        await recorded(),
        policiesFingerprint({ managedArns: [S3], inlinePolicy: star }),
      );
    }
    const doctor = await h.run(['doctor', ...flags]);
    assert.doesNotMatch(doctor.stdout, /ok\s+IRSA010|IRSA010\s+ok/i);
    const path = file(
      `${HEAD}cluster: demo\nbindings:\n  - name: a3\n    attachPolicyARNs: [${S3}]\n    attachPolicyFile: ${inl}\n`,
    );
    await ok(['apply', '-f', path, '--approve']);
    const now = JSON.parse(
      decodeURIComponent((await h.iam.getInlinePolicy(a3, 'iamsa-inline')) ?? '{}'),
    );
    assert.deepEqual(now, doc);
    assert.equal(
      await recorded(),
      policiesFingerprint({ managedArns: [S3], inlinePolicy: JSON.stringify(doc) }),
    );
  });
});
