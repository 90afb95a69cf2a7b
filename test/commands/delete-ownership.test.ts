// One ownership rule for deleting a role, on every path (IRSA, Pod Identity, a migrated binding,
// apply --prune), in-process over the fakes: a role is deleted only when its tags name the binding
// AND its whole trust is iamsa's for it. Tags (of the role or of an association) are anyone's to
// copy: a role whose trust iamsa never wrote is kept with IRSA-W048, and the plan agrees.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import { buildPodIdentityTrustPolicy } from '../../src/policy/index.js';
import { ACCOUNT } from '../support/fakes.js';
import { createHarness, type Harness, REGION } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/demo`;
const arnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
/** The ownership tags iamsa writes for demo's ns/name, copied by hand. */
const ownerTags = (ns: string, name: string) => ({
  'iamsa.io/managed-by': 'iamsa',
  'iamsa.io/cluster': 'demo',
  'iamsa.io/cluster-arn': CLUSTER_ARN,
  'iamsa.io/namespace': ns,
  'iamsa.io/service-account': name,
});
const W048 = (role: string, id: string) =>
  new RegExp(`IRSA-W048 role ${role} carries iamsa's tags for ${id} but its trust is not iamsa's`);
const DELETES_ROLE = /delete\s+(iam-role|policy-attachment|inline-policy)/;

let h: Harness;
const dir = tempDir('delete-ownership');
after(() => removeTempDir(dir));
const run = (...args: string[]) => h.run([...args, '--cluster', 'demo']);
const del = (ns: string, name: string, ...args: string[]) =>
  run('delete-serviceaccount', '-n', ns, '--name', name, ...args);

/** A role made by hand: EC2's trust, the given tags, ReadOnlyAccess. */
async function decoy(name: string, tags: Record<string, string>) {
  await h.iam.createRole({ name, path: '/', description: 'by hand', trustPolicy: EC2_TRUST, tags });
  await h.iam.attachPolicy(name, RO);
}

/** The role is there with its policy: nothing of it was deleted. */
async function kept(name: string) {
  assert.ok(await h.iam.getRole(name), `role ${name} is kept`);
  assert.deepEqual(await h.iam.listAttachedPolicyArns(name), [RO], `${name} keeps its policy`);
}

/** Plan, then apply, delete-serviceaccount of ns/name: each says IRSA-W048 and keeps the role. */
async function deleteKeeps(role: string, ns: string, name: string, ...args: string[]) {
  for (const approve of [[], ['--approve']]) {
    const r = await del(ns, name, ...args, ...approve);
    const what = [...args, ...approve].join(' ');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, W048(role, `${ns}/${name}`), what);
    assert.doesNotMatch(r.stdout, DELETES_ROLE, what);
  }
  await kept(role);
}

/** Adds a statement trusting another account's root to the role's trust. */
async function widen(name: string) {
  const role = (await h.iam.getRole(name))!;
  const trust = JSON.parse(decodeURIComponent(role.trustPolicy));
  trust.Statement.push({
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::999999999999:root' },
    Action: 'sts:AssumeRole',
  });
  await h.iam.updateTrustPolicy(name, JSON.stringify(trust));
}

/** dd/x made by iamsa for IRSA, then migrated to Pod Identity (its IRSA trust kept). */
async function migrated(name: string) {
  const made = await run(
    ...['create-serviceaccount', '-n', 'dd', '--name', name, '--create-namespace'],
    ...['--attach-policy-arn', RO, '--approve'],
  );
  assert.equal(made.code, 0, made.stderr);
  const m = await run('migrate-to-pod-identity', '-n', 'dd', '--name', name, '--approve');
  assert.equal(m.code, 0, m.stderr);
  assert.ok(h.eks().associations.size > 0, 'the migration made the association');
}

beforeEach(async () => {
  h = createHarness({ clusters: ['demo'] });
  const oidc = await h.run(['enable-oidc', '--cluster', 'demo', '--approve']);
  assert.equal(oidc.code, 0, oidc.stderr);
  h.eks().installAgent('demo');
});

describe('delete-serviceaccount keeps a role whose trust is not iamsa for the binding', () => {
  test('--mechanism pod-identity: a role with copied tags and EC2 trust is kept, as the IRSA delete keeps it', async () => {
    await decoy('iamsa-demo-dd-z', ownerTags('dd', 'z'));
    await deleteKeeps('iamsa-demo-dd-z', 'dd', 'z');
    await deleteKeeps('iamsa-demo-dd-z', 'dd', 'z', '--mechanism', 'pod-identity');
  });

  test('an association with copied tags naming a decoy role does not make the role deletable', async () => {
    const tags = { ...ownerTags('dd', 'v'), 'iamsa.io/mechanism': 'pod-identity' };
    await decoy('decoy-v', tags);
    await h.eks().createPodIdentityAssociation({
      cluster: 'demo',
      namespace: 'dd',
      serviceAccount: 'v',
      roleArn: arnOf('decoy-v'),
      tags,
    });
    await deleteKeeps('decoy-v', 'dd', 'v');
  });

  test('a migrated role whose trust was widened by hand is kept: the warning and the plan agree', async () => {
    await migrated('x');
    await widen('iamsa-demo-dd-x');
    await deleteKeeps('iamsa-demo-dd-x', 'dd', 'x');
    // Its trust untouched: iamsa's statements and the hand-added one.
    const trust = JSON.parse(
      decodeURIComponent((await h.iam.getRole('iamsa-demo-dd-x'))!.trustPolicy),
    );
    assert.equal(trust.Statement.length, 3);
  });

  test('apply --prune keeps a migrated role whose trust was widened by hand', async () => {
    await migrated('x');
    await widen('iamsa-demo-dd-x');
    const path = join(dir, 'others.yaml');
    writeFileSync(
      path,
      `apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\nbindings:\n  - {namespace: dd, name: other, attachPolicyARNs: [${RO}]}\n`,
    );
    const plan = await h.run(['apply', '-f', path, '--prune']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stderr, W048('iamsa-demo-dd-x', 'dd/x'));
    assert.doesNotMatch(plan.stdout, /delete\s+iam-role/);
    const r = await h.run(['apply', '-f', path, '--prune', '--approve']);
    assert.equal(r.code, 0, r.stderr);
    await kept('iamsa-demo-dd-x');
  });

  test("iamsa's own migrated role is still deleted, its association and service account with it", async () => {
    await migrated('y');
    const r = await del('dd', 'y', '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /IRSA-W048/);
    assert.equal(await h.iam.getRole('iamsa-demo-dd-y'), undefined);
    assert.equal(h.eks().associations.size, 0);
    assert.equal(await h.kube('demo').getServiceAccount('dd', 'y'), undefined);
  });
});

describe("a Pod Identity role is the binding's only through iamsa's association for it (issue 16)", () => {
  /** team-role: iamsa's Pod Identity trust for demo, tags copied for default/pi2, used by pi2 and pi3. */
  async function teamRole(iamsaMadePi2: boolean) {
    const tags = { ...ownerTags('default', 'pi2'), 'iamsa.io/mechanism': 'pod-identity' };
    const trust = buildPodIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [CLUSTER_ARN] });
    await h.iam.createRole({
      name: 'team-role',
      path: '/',
      description: 'by hand',
      trustPolicy: JSON.stringify(trust),
      tags,
    });
    await h.iam.attachPolicy('team-role', RO);
    for (const sa of ['pi2', 'pi3']) {
      await h.kube('demo').createServiceAccount('default', sa, {});
      await h.eks().createPodIdentityAssociation({
        cluster: 'demo',
        namespace: 'default',
        serviceAccount: sa,
        roleArn: arnOf('team-role'),
        tags: sa === 'pi2' && iamsaMadePi2 ? tags : {},
      });
    }
  }

  test('associations not made by iamsa: the role stays, with IRSA-W048', async () => {
    await teamRole(false);
    await deleteKeeps('team-role', 'default', 'pi2', '--role-name', 'team-role');
    await deleteKeeps('team-role', 'default', 'pi2');
    const pi = await del('default', 'pi2', '--mechanism', 'pod-identity', '--approve');
    assert.equal(pi.code, 5, pi.stderr);
    await kept('team-role');
    assert.equal(h.eks().associations.size, 2);
  });

  test("iamsa's association for the binding, but another association uses the role: kept", async () => {
    await teamRole(true);
    await deleteKeeps('team-role', 'default', 'pi2');
    const left = [...h.eks().associations.values()].map((a) => a.serviceAccount);
    assert.deepEqual(left, ['pi3'], "iamsa's association goes, pi3's stays");
  });
});

describe("a service account whose role is kept as not iamsa's is kept with it", () => {
  const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const ROOT_TRUST = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  });
  /** Role `foreign` (root's trust, copied tags for pa/ghost, Admin) and pa/ghost labelled as iamsa's. */
  async function forged() {
    await h.iam.createRole({
      ...{ name: 'foreign', path: '/', description: 'by hand', trustPolicy: ROOT_TRUST },
      tags: ownerTags('pa', 'ghost'),
    });
    await h.iam.attachPolicy('foreign', ADMIN);
    await h.kube('demo').createNamespace('pa');
    await h.kube('demo').createServiceAccount('pa', 'ghost', {
      labels: { 'app.kubernetes.io/managed-by': 'iamsa' },
      annotations: { 'eks.amazonaws.com/role-arn': arnOf('foreign') },
    });
  }
  const KEPT_SA =
    /IRSA-W048 role foreign carries iamsa's tags for pa\/ghost .*service account pa\/ghost is kept/;

  test('apply --prune keeps both, and says so', async () => {
    await forged();
    const path = join(dir, 'prune-ghost.yaml');
    writeFileSync(
      path,
      `apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\nbindings:\n  - {namespace: pa, name: other, attachPolicyARNs: [${RO}]}\n`,
    );
    for (const approve of [[], ['--approve']]) {
      const r = await h.run(['apply', '-f', path, '--prune', ...approve]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, KEPT_SA);
      assert.doesNotMatch(r.stdout, /delete\s+service-account/);
    }
    assert.ok(await h.kube('demo').getServiceAccount('pa', 'ghost'), 'the service account is kept');
    assert.ok(await h.iam.getRole('foreign'));
  });

  test('delete-serviceaccount keeps both, and says so', async () => {
    await forged();
    for (const approve of [[], ['--approve']]) {
      const r = await del('pa', 'ghost', ...approve);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, KEPT_SA);
      assert.doesNotMatch(r.stdout, /delete\s+service-account/);
    }
    assert.ok(await h.kube('demo').getServiceAccount('pa', 'ghost'), 'the service account is kept');
  });

  test('--mechanism pod-identity keeps both too', async () => {
    await forged();
    const r = await del(
      'pa',
      'ghost',
      '--mechanism',
      'pod-identity',
      '--role-name',
      'foreign',
      '--approve',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, KEPT_SA);
    assert.ok(await h.kube('demo').getServiceAccount('pa', 'ghost'), 'the service account is kept');
  });
});
