// Well-known policies in-process (test/support/harness.ts) over the stateful fakes: every key's
// documents and attachments, scope changes within IAM's five versions, input errors, update and
// delete, the listing and the printed documents. The set-up and inspection calls are the ground's
// (test/support/fake-ground.ts). The smoke run against moto stays in
// test/integration/well-known.test.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT } from '../support/fakes.js';
import { type FakeGround, fakeGround } from '../support/fake-ground.js';
import { createHarness, REGION } from '../support/harness.js';
import { wellKnownHelpers } from '../support/well-known-ground.js';
import { evaluateIdentityPolicies, WELL_KNOWN_POLICIES } from '../../src/policy/index.js';

let g: FakeGround;
const ZONE = (id: string) => `arn:aws:route53:::hostedzone/${id}`;
const { json, policyArn, roleName, csa, attachedTo, storedDocument, localPolicies, printed } =
  wellKnownHelpers(() => g, ACCOUNT);

/** A scope for every key that needs one. */
const SCOPES: Record<string, string[]> = {
  externalDNS: [`externalDNS.hostedZoneARNs=${ZONE('ZDNS')}`],
  certManager: [`certManager.hostedZoneARNs=${ZONE('ZCERT')}`],
  externalSecrets: [
    `externalSecrets.secretsManagerARNs=arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app/*`,
  ],
  mountpointS3CSI: ['mountpointS3CSI.bucketARNs=arn:aws:s3:::data'],
  velero: ['velero.bucketARNs=arn:aws:s3:::backups'],
  nodeTerminationHandler: [`nodeTerminationHandler.queueARNs=arn:aws:sqs:${REGION}:${ACCOUNT}:nth`],
  vpcCNI: ['vpcCNI.ipFamily=ipv6'],
  ebsCSIController: [`ebsCSIController.kmsKeyARNs=arn:aws:kms:${REGION}:${ACCOUNT}:key/k1`],
};

// Each test starts from a fresh cluster "demo" with its OIDC provider.
beforeEach(async () => {
  g = fakeGround(createHarness({ clusters: ['demo'] }), 'demo');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve']);
  assert.equal(enabled.code, 0, enabled.stderr);
});

describe('well-known policies', () => {
  test('every key creates its policy or attachment, with the documents it prints', async () => {
    const keys = WELL_KNOWN_POLICIES.map((p) => p.key);
    // A few keys per service account keeps each role within IAM's 10 attached policies.
    const groups = [0, 1, 2, 3].map((i) => keys.filter((_, k) => k % 4 === i));
    for (const [i, group] of groups.entries()) {
      const sa = `wk-${i}`;
      const r = await csa(
        sa,
        '--well-known-policies',
        group.join(','),
        ...group.flatMap((k) => SCOPES[k] ?? []).flatMap((s) => ['--well-known-scope', s]),
      );
      assert.equal(r.code, 0, r.stderr);
      const attached = await attachedTo(roleName(sa));
      for (const key of group) {
        const expected = await printed(key, SCOPES[key] ?? []);
        for (const arn of expected.managedPolicyArns) assert.ok(attached.includes(arn), arn);
        for (const [part, p] of (expected.policies as any[]).entries()) {
          const name = p.name.replace('iamsa-<cluster>-<namespace>-<name>', roleName(sa));
          assert.equal(name, `${roleName(sa)}-${key}${part ? `-${part + 1}` : ''}`);
          assert.ok(attached.includes(policyArn(name)), `${name} attached`);
          assert.deepEqual((await storedDocument(policyArn(name))).doc, p.document, key);
        }
        assert.ok(expected.managedPolicyArns.length + expected.policies.length > 0, key);
      }
      // Ownership tags, like the role's.
      const tags = Object.fromEntries(
        (
          (
            await g.iam.send(
              new GetPolicyCommand({ PolicyArn: policyArn(`${roleName(sa)}-${group[1]}`) }),
            )
          ).Policy?.Tags ?? []
        ).map((t: any) => [t.Key, t.Value]),
      );
      assert.equal(tags['iamsa.io/managed-by'], 'iamsa');
      assert.equal(tags['iamsa.io/service-account'], sa);
      assert.equal(tags['iamsa.io/well-known-policy'], group[1]);
      const again = await csa(
        sa,
        '--well-known-policies',
        group.join(','),
        ...group.flatMap((k) => SCOPES[k] ?? []).flatMap((s) => ['--well-known-scope', s]),
      );
      assert.equal(again.code, 0, again.stderr);
      assert.equal(json(again.stdout).changed, false, 'a re-run is unchanged');
    }
  });

  test('the stored autoscaler policy of cluster demo cannot resize the groups of cluster b', async () => {
    const r = await csa('scaler', '--well-known-policies', 'autoScaler');
    assert.equal(r.code, 0, r.stderr);
    const { doc } = await storedDocument(policyArn(`${roleName('scaler')}-autoScaler`));
    const asg = `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:u:autoScalingGroupName/ng`;
    const resize = (cluster: string) =>
      evaluateIdentityPolicies([doc], {
        action: 'autoscaling:SetDesiredCapacity',
        resource: asg,
        context: { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: 'owned' },
      });
    assert.equal(resize('b'), 'implicit-deny');
    assert.equal(resize('demo'), 'allow');
  });

  test('a scope change converges to a new default version, within IAM five', async () => {
    const arn = policyArn(`${roleName('dns')}-externalDNS`);
    const run = (zone: string) =>
      csa(
        'dns',
        '--well-known-policies',
        'externalDNS',
        '--well-known-scope',
        `externalDNS.hostedZoneARNs=${ZONE(zone)}`,
      );
    assert.equal((await run('Z1')).code, 0);
    assert.equal((await storedDocument(arn)).version, 'v1');
    const changed = await run('Z2');
    assert.equal(changed.code, 0, changed.stderr);
    const step = json(changed.stdout).steps.find((s: any) => s.id === arn);
    assert.equal(step.action, 'update');
    assert.deepEqual(step.changes, ['new default version: statements +1 -1']);
    const stored = await storedDocument(arn);
    assert.equal(stored.version, 'v2');
    assert.equal(stored.doc.Statement[0]?.Resource, ZONE('Z2'));
    for (const zone of ['Z3', 'Z4', 'Z5', 'Z6', 'Z7']) assert.equal((await run(zone)).code, 0);
    const versions = (await g.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions;
    assert.equal(versions?.length, 5);
    assert.equal((await storedDocument(arn)).version, 'v7');
    assert.equal(json((await run('Z7')).stdout).changed, false);
  });

  test('a DNS key without zones exits 2 naming the scope flag, and changes nothing', async () => {
    const before = [await g.awsState(), await localPolicies()];
    const r = await csa('nozones', '--well-known-policies', 'externalDNS,autoScaler');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--well-known-scope externalDNS\.hostedZoneARNs=ARN/);
    assert.deepEqual([await g.awsState(), await localPolicies()], before);
  });

  test('an unknown key exits 2 naming the nearest one', async () => {
    const r = await csa('typo', '--well-known-policies', 'autoscaler,externalDSN');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown well-known policy "externalDSN" in --well-known-policies/);
    assert.match(r.stderr, /did you mean externalDNS\?/);
  });

  test("an explicit '*' is allowed and flagged as over-broad in the plan", async () => {
    const r = await g.iamsa([
      'create-serviceaccount',
      '--cluster',
      'demo',
      '--name',
      'anyzone',
      ...g.kubeFlags,
      '--well-known-policies',
      'certManager',
      '--well-known-scope',
      'certManager.hostedZoneARNs=*',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /hostedZoneARNs '\*' covers every hosted zone.*over-broad/);
    assert.match(
      r.stdout,
      /\+ create\s+managed-policy\s+arn:aws:iam::111122223333:policy\/iamsa-demo-default-anyzone-certManager/,
    );
  });
});

describe('update-serviceaccount and delete-serviceaccount', () => {
  const lifecycle = (command: string, sa: string, ...args: string[]) =>
    g.iamsa([
      command,
      '--cluster',
      'demo',
      '-n',
      'default',
      '--name',
      sa,
      ...g.kubeFlags,
      '--approve',
      '-o',
      'json',
      ...args,
    ]);

  test('update adds a key, changes a scope, and removing a key leaves nothing behind', async () => {
    const role = roleName('life');
    const velero = policyArn(`${role}-velero`);
    const cw = 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy';
    assert.equal((await csa('life', '--well-known-policies', 'autoScaler')).code, 0);
    const added = await lifecycle(
      'update-serviceaccount',
      'life',
      '--well-known-policies',
      'velero,cloudWatchObservability',
      '--well-known-scope',
      'velero.bucketARNs=arn:aws:s3:::one',
    );
    assert.equal(added.code, 0, added.stderr);
    assert.ok((await attachedTo(role)).includes(velero));
    assert.ok((await attachedTo(role)).includes(cw));
    assert.ok((await attachedTo(role)).includes(policyArn(`${role}-autoScaler`)), 'kept');
    const rescoped = await lifecycle(
      'update-serviceaccount',
      'life',
      '--well-known-policies',
      'velero',
      '--well-known-scope',
      'velero.bucketARNs=arn:aws:s3:::two',
    );
    assert.equal(rescoped.code, 0, rescoped.stderr);
    assert.equal((await storedDocument(velero)).version, 'v2');
    const removed = await lifecycle(
      'update-serviceaccount',
      'life',
      '--remove-well-known-policies',
      'velero,cloudWatchObservability',
    );
    assert.equal(removed.code, 0, removed.stderr);
    const actions = json(removed.stdout).steps.map((s: any) => `${s.action} ${s.resource} ${s.id}`);
    assert.ok(actions.includes(`delete managed-policy ${velero}`), actions.join('\n'));
    assert.ok(actions.includes(`delete policy-attachment ${cw}`), actions.join('\n'));
    assert.deepEqual(await attachedTo(role), [policyArn(`${role}-autoScaler`)]);
    assert.ok(!(await localPolicies()).includes(velero), 'the policy is deleted');

    const deleted = await lifecycle('delete-serviceaccount', 'life');
    assert.equal(deleted.code, 0, deleted.stderr);
    const left = (await localPolicies()).filter((a: string) => a.includes(role));
    assert.deepEqual(left, [], 'delete-serviceaccount deletes its well-known policies');
  });
});

describe('iamsa well-known-policies', () => {
  test('lists every key, its text in one column', async () => {
    const r = await g.iamsa(['well-known-policies']);
    assert.equal(r.code, 0, r.stderr);
    for (const p of WELL_KNOWN_POLICIES) assert.match(r.stdout, new RegExp(`^${p.key}( |\n)`, 'm'));
    // Every key's text starts in the same column, the longest key's too (on the next line).
    const columns = r.stdout
      .split('\n\n')[0]!
      .split('\n')
      .map((line) => /^\S*\s+/.exec(line)?.[0].length ?? 0)
      .filter((c) => c > 0);
    assert.equal(new Set(columns).size, 1, r.stdout);
    // The footer says a required (*) field needs its --well-known-scope, not that it is optional.
    assert.match(r.stdout, /\* required: give it with --well-known-scope KEY\.FIELD=VALUE/);
  });

  test('an unknown key is named as the argument it was given as', async () => {
    const r = await g.iamsa(['well-known-policies', 'foo']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: unknown well-known policy "foo"\n/);
  });

  test('the --cluster line names only the placeholders the documents hold', async () => {
    const zone = `externalDNS.hostedZoneARNs=${ZONE('Z1')}`;
    const dns = await g.iamsa(['well-known-policies', 'externalDNS', '--well-known-scope', zone]);
    assert.equal(dns.code, 0, dns.stderr);
    assert.doesNotMatch(dns.stdout, /<account>|<region>|pass --cluster/);
    const cni = await g.iamsa(['well-known-policies', 'vpcCNI']);
    assert.match(cni.stdout, /\n# <account>, <region>: pass --cluster to fill them in\n$/);
    const scaler = await g.iamsa(['well-known-policies', 'autoScaler']);
    assert.match(
      scaler.stdout,
      /\n# <account>, <region>, <cluster>: pass --cluster to fill them in\n$/,
    );
  });

  test('prints the document with placeholders without --cluster', async () => {
    const r = await g.iamsa(['well-known-policies', 'autoscaler', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = json(r.stdout);
    assert.equal(out.schemaVersion, 2);
    assert.equal(out.command, 'well-known-policies');
    assert.equal(out.key, 'autoScaler');
    assert.equal(out.policies[0].name, 'iamsa-<cluster>-<namespace>-<name>-autoScaler');
    assert.deepEqual(out.policies[0].document.Statement[2].Condition, {
      StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/<cluster>': 'owned' },
    });
    const withCluster = await printed('autoScaler', []);
    assert.equal(
      withCluster.policies[0].document.Statement[1].Resource,
      `arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/demo/*`,
    );
  });
});

test('a policy of the name before decisions/0009 (iamsa-iamsa-...) is replaced by one re-run, then by nothing', async () => {
  const role = roleName('legacy');
  const current = policyArn(`${role}-autoScaler`);
  const legacy = policyArn(`iamsa-${role}-autoScaler`);
  assert.equal((await csa('legacy', '--well-known-policies', 'autoScaler')).code, 0);
  // The state an earlier iamsa left: the same policy and tags under the old name.
  const { doc } = await storedDocument(current);
  const tags = (await g.iam.send(new ListPolicyTagsCommand({ PolicyArn: current }))).Tags;
  await g.iam.send(
    new CreatePolicyCommand({
      PolicyName: `iamsa-${role}-autoScaler`,
      PolicyDocument: JSON.stringify(doc),
      Tags: tags,
    }),
  );
  await g.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: legacy }));
  await g.iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: current }));
  await g.iam.send(new DeletePolicyCommand({ PolicyArn: current }));

  const renamed = await csa('legacy', '--well-known-policies', 'autoScaler');
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.deepEqual(await attachedTo(role), [current]);
  assert.ok(!(await localPolicies()).includes(legacy), 'the old-named policy is deleted');
  const again = await csa('legacy', '--well-known-policies', 'autoScaler');
  assert.equal(json(again.stdout).changed, false, again.stdout);
});
