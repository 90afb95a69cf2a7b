// `iamsa apply -f` through the built binary against moto_server and the Kubernetes emulator.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateClusterCommand, DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT, type Ground, startGround } from '../support/ground.js';
import { startLatencyProxy } from '../support/latency-proxy.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const S3 = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';
const HEAD = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\n';

let g: Ground;
const dir = tempDir('apply');
let fileNo = 0;
/** Writes a bindings file and returns its path. */
const file = (text: string) => {
  const path = join(dir, `bindings-${++fileNo}.yaml`);
  writeFileSync(path, text);
  return path;
};
const apply = (path: string, ...args: string[]) =>
  g.iamsa(['apply', '-f', path, ...g.kubeFlags, ...args]);
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const sa = (ns: string, name: string) => g.kube.getObject('serviceaccounts', ns, name);
const roleOf = async (name: string) =>
  (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
const trustOf = async (name: string) =>
  JSON.parse(decodeURIComponent((await roleOf(name))?.AssumeRolePolicyDocument ?? '{}'));
const enableOidc = async (cluster: string, region?: string) => {
  const r = await g.iamsa([
    'enable-oidc',
    '--cluster',
    cluster,
    ...(region ? ['--region', region] : []),
    '--approve',
  ]);
  assert.equal(r.code, 0, r.stderr);
};
/** A cluster alone in its region (moto gives all clusters of a region one issuer). */
const clusterIn = async (name: string, region: string) => {
  const eks = new EKSClient({
    region,
    endpoint: g.moto.url,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
  });
  // Made already by another test of this file: a test may run alone or after the others.
  await eks
    .send(
      new CreateClusterCommand({
        name,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: ['subnet-1'] },
      }),
    )
    .catch((error: { name?: string }) => {
      if (error.name !== 'ResourceInUseException') throw error;
    });
  eks.destroy();
  await enableOidc(name, region);
};

before(async () => {
  // One emulator stands in for the other clusters' API servers too (they share its objects).
  g = await startGround('demo', { alsoClusters: ['shared-0', 'shared-1', 'shared-2', 'pruned'] });
});
after(async () => {
  await g.close();
  removeTempDir(dir);
});

describe('an eksctl ClusterConfig as it is', () => {
  test('withOIDC, labels, annotations, inline policy, role-only and attach-role-arn: plan, apply, converge', async () => {
    // withOIDC makes the provider in the same run: start without one.
    const providers = (await g.iam.send(new ListOpenIDConnectProvidersCommand({})))
      .OpenIDConnectProviderList;
    for (const p of providers ?? []) {
      await g.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.Arn }));
    }
    const issuer =
      (await g.eks.send(new DescribeClusterCommand({ name: 'demo' }))).cluster?.identity?.oidc
        ?.issuer ?? '';
    const host = issuer.replace('https://', '');
    const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}`;
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'existing-web',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: providerArn },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: {
                  [`${host}:sub`]: 'system:serviceaccount:web:frontend',
                  [`${host}:aud`]: 'sts.amazonaws.com',
                },
              },
            },
          ],
        }),
      }),
    );
    const path = file(`# yaml-language-server: $schema=../schema/iamsa-bindings.schema.json
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: demo
  region: us-east-1
  version: "1.30"
  tags: {env: test}
vpc: {cidr: 10.0.0.0/16}
managedNodeGroups: [{name: ng-1, instanceType: m5.large}]
iam:
  withOIDC: true
  serviceAccounts:
    - metadata:
        name: s3-reader
        namespace: data
        labels: {app.kubernetes.io/name: s3-reader}
        annotations: {team: data}
      attachPolicyARNs: [${S3}]
      tags: {owner: data}
    - metadata: {name: writer, namespace: data}
      attachPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ["s3:PutObject"]
            Resource: "arn:aws:s3:::bucket/*"
    - metadata: {name: batch, namespace: jobs}
      attachPolicyARNs: [${RO}]
      roleOnly: true
    - metadata: {name: frontend, namespace: web}
      attachRoleARN: arn:aws:iam::${ACCOUNT}:role/existing-web
`);
    const before = await g.awsState();
    const plan = await apply(path);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /\+ create\s+oidc-provider/);
    assert.match(plan.stdout, /4 bindings: 4 to create, 0 unchanged/);
    assert.match(
      plan.stderr,
      /ignoring metadata\.version, vpc, managedNodeGroups|ignoring vpc, managedNodeGroups, metadata\.version/,
    );
    assert.deepEqual(await g.awsState(), before, 'a plan changes nothing');

    const applied = await apply(path, '--approve', '-o', 'json');
    assert.equal(applied.code, 0, applied.stderr);
    const doc = json(applied.stdout);
    assert.equal(doc.command, 'apply');
    assert.equal(doc.applied, true);
    assert.equal(doc.bindings.length, 4);
    assert.ok(doc.bindings.every((b: any) => !b.error));
    const s3 = sa('data', 's3-reader');
    assert.equal(s3.metadata.labels['app.kubernetes.io/name'], 's3-reader');
    assert.equal(s3.metadata.labels['app.kubernetes.io/managed-by'], 'iamsa');
    assert.equal(s3.metadata.annotations.team, 'data');
    assert.equal(
      s3.metadata.annotations[ANNOTATION],
      `arn:aws:iam::${ACCOUNT}:role/iamsa-demo-data-s3-reader`,
    );
    const tags = Object.fromEntries(
      ((await roleOf('iamsa-demo-data-s3-reader'))?.Tags ?? []).map((t) => [t.Key, t.Value]),
    );
    assert.equal(tags.env, 'test');
    assert.equal(tags.owner, 'data');
    const inline = await g.iam.send(
      new GetRolePolicyCommand({ RoleName: 'iamsa-demo-data-writer', PolicyName: 'iamsa-inline' }),
    );
    assert.match(decodeURIComponent(inline.PolicyDocument ?? ''), /s3:PutObject/);
    assert.ok(await roleOf('iamsa-demo-jobs-batch'));
    assert.equal(sa('jobs', 'batch'), undefined, 'role-only makes no service account');
    assert.equal(
      sa('web', 'frontend').metadata.annotations[ANNOTATION],
      `arn:aws:iam::${ACCOUNT}:role/existing-web`,
    );

    const again = await apply(path);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /4 bindings: 4 unchanged\nNothing to do/);
  });
});

describe("eksctl's wellKnownPolicies", () => {
  test("all seven keys apply; the DNS writers get eksctl's every-zone grant, flagged over-broad", async () => {
    const path = file(`
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: demo, region: us-east-1}
iam:
  withOIDC: true
  serviceAccounts:
    - metadata: {name: all-controllers, namespace: kube-system}
      wellKnownPolicies:
        imageBuilder: true
        autoScaler: true
        awsLoadBalancerController: true
        externalDNS: true
        certManager: true
        ebsCSIController: true
        efsCSIController: true
`);
    const r = await apply(path, '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /externalDNS: hostedZoneARNs '\*' covers every hosted zone .*over-broad/,
    );
    assert.match(r.stderr, /certManager: hostedZoneARNs '\*'/);
    const [binding] = json(r.stdout).bindings;
    assert.equal(binding.error, undefined);
    const policies = binding.steps.filter((st: any) => st.resource === 'managed-policy');
    assert.ok(policies.some((st: any) => /externalDNS$/.test(st.id)));
    const again = await apply(path);
    assert.match(again.stdout, /Nothing to do/);
  });
});

describe('siblings', () => {
  test('a namespace one binding creates serves the others of the file in the same run', async () => {
    const path = file(
      `${HEAD}cluster: demo\nbindings:\n  - namespace: sibs\n    name: first\n    createNamespace: true\n    attachPolicyARNs: [${RO}]\n  - namespace: sibs\n    name: second\n    attachPolicyARNs: [${RO}]\n`,
    );
    await enableOidc('demo');
    const r = await apply(path, '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const doc = json(r.stdout);
    assert.ok(
      doc.bindings.every((b: any) => !b.error),
      JSON.stringify(doc.bindings),
    );
    assert.equal(doc.steps.filter((st: any) => st.resource === 'namespace').length, 1);
    assert.ok(sa('sibs', 'first') && sa('sibs', 'second'));
    assert.match((await apply(path)).stdout, /Nothing to do/);
  });
});

describe('Pod Identity from files', () => {
  test('eksctl podIdentityAssociations and iamsa mechanism: pod-identity apply and converge', async () => {
    await g.installPodIdentityAgent('demo').catch(() => undefined); // installed by an earlier test
    const eksctl = file(`
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: demo, region: us-east-1}
iam:
  podIdentityAssociations:
    - namespace: pid
      serviceAccountName: reader
      createServiceAccount: true
      permissionPolicyARNs: [${S3}]
`);
    const own = file(
      `${HEAD}cluster: demo\nbindings:\n  - namespace: pid\n    name: writer\n    createNamespace: true\n    mechanism: pod-identity\n    attachPolicyARNs: [${RO}]\n`,
    );
    for (const path of [eksctl, own]) {
      const r = await apply(path, '--approve', '-o', 'json');
      assert.equal(r.code, 0, r.stderr);
      const [binding] = json(r.stdout).bindings;
      assert.equal(binding.error, undefined);
      assert.equal(binding.mechanism, 'pod-identity');
      assert.ok(binding.steps.some((st: any) => st.resource === 'pod-identity-association'));
      assert.match((await apply(path)).stdout, /Nothing to do/);
    }
    const trust = await trustOf('iamsa-demo-pid-reader');
    assert.equal(trust.Statement[0].Principal.Service, 'pods.eks.amazonaws.com');
    assert.equal(sa('pid', 'writer').metadata.annotations?.[ANNOTATION], undefined);

    // --prune with a file that no longer lists pid/writer deletes its association with it.
    const without = file(
      `${HEAD}cluster: demo\nbindings:\n  - namespace: pid\n    name: reader\n    mechanism: pod-identity\n    attachPolicyARNs: [${S3}]\n`,
    );
    const pruned = await apply(without, '--prune', '--approve', '-o', 'json');
    assert.equal(pruned.code, 0, pruned.stderr);
    const gone = json(pruned.stdout).steps.filter((st: any) => st.action === 'delete');
    assert.ok(
      gone.some((st: any) => st.resource === 'pod-identity-association' && st.id === 'pid/writer'),
      JSON.stringify(gone),
    );
    await assert.rejects(roleOf('iamsa-demo-pid-writer'));
  });
});

describe('a file of 100 bindings', () => {
  const many = (inline: string, others = 99) =>
    `${HEAD}cluster: demo\ntags: {team: platform}\nbindings:\n` +
    Array.from(
      { length: others },
      (_, i) =>
        `  - namespace: team-${i % 5}\n    name: app-${i}\n    createNamespace: true\n    attachPolicyARNs: [${i % 2 ? RO : S3}]\n`,
    ).join('') +
    `  - namespace: team-0\n    name: inline\n    createNamespace: true\n    attachPolicy: ${inline}\n`;
  const policy = (action: string) =>
    `{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "${action}", Resource: "*"}]}`;

  test('apply, converge, and repair a deleted service account and a changed policy', async () => {
    await enableOidc('demo');
    const path = file(many(policy('s3:GetObject')));
    const applied = await apply(path, '--approve');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /100 bindings: 100 created, 0 unchanged\nDone\./);
    for (const i of [0, 42, 98]) {
      assert.equal(
        sa(`team-${i % 5}`, `app-${i}`).metadata.annotations[ANNOTATION],
        `arn:aws:iam::${ACCOUNT}:role/iamsa-demo-team-${i % 5}-app-${i}`,
      );
    }
    // Converged, through a proxy that counts: one account scan and one LIST per namespace, not
    // three IAM reads and a GET per binding.
    const counting = await startLatencyProxy(g.moto.url, { latencyMs: 0 });
    const listsBefore = g.kube.requests.length;
    const converged = await g.iamsa(['apply', '-f', path, ...g.kubeFlags], {
      AWS_ENDPOINT_URL: counting.url,
    });
    assert.equal(converged.code, 0, converged.stderr);
    assert.match(converged.stdout, /100 bindings: 100 unchanged\nNothing to do/);
    const actions = counting.iamActions;
    assert.ok(actions.includes('GetAccountAuthorizationDetails'), actions.join(' '));
    assert.equal(actions.filter((a) => a === 'GetRole').length, 0, actions.join(' '));
    assert.ok(actions.length < 10, actions.join(' '));
    // Write only what changes: a converged file writes nothing (no TagRole, no re-put inline).
    assert.deepEqual(
      actions.filter((a) => !/^(Get|List)/.test(a)),
      [],
    );
    const kubeReads = g.kube.requests.slice(listsBefore);
    const gets = kubeReads.filter((r) => /\/serviceaccounts\/./.test(r.path));
    assert.equal(gets.length, 0, 'no GET of a single service account');
    await counting.close();

    // Without iam:GetAccountAuthorizationDetails: a warning, and the reads go role by role.
    const denying = await startLatencyProxy(g.moto.url, {
      latencyMs: 0,
      iamDeny: ['GetAccountAuthorizationDetails'],
    });
    // (20 of the bindings, the smallest batch that scans: role by role is slow on a busy machine.)
    const twenty = file(many(policy('s3:GetObject'), 19));
    const denied = await g.iamsa(['apply', '-f', twenty, ...g.kubeFlags], {
      AWS_ENDPOINT_URL: denying.url,
    });
    await denying.close();
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(denied.stdout, /20 bindings: 20 unchanged\nNothing to do/);
    assert.match(denied.stderr, /could not read the account's roles at once .*one role at a time/);
    assert.equal(denying.iamActions.filter((a) => a === 'GetRole').length, 20);

    // Drift: a service account deleted, an inline policy edited by hand.
    await g.kubeAdmin('DELETE', '/api/v1/namespaces/team-2/serviceaccounts/app-7');
    await g.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'iamsa-demo-team-0-inline',
        PolicyName: 'iamsa-inline',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    const drift = await apply(path);
    assert.match(drift.stdout, /100 bindings: 1 to create, 1 to update, 98 unchanged/);
    assert.match(drift.stdout, /\+ create\s+service-account\s+team-2\/app-7/);
    assert.match(drift.stdout, /~ update\s+inline-policy/);
    const repaired = await apply(path, '--approve');
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.ok(sa('team-2', 'app-7'));
    const inline = await g.iam.send(
      new GetRolePolicyCommand({
        RoleName: 'iamsa-demo-team-0-inline',
        PolicyName: 'iamsa-inline',
      }),
    );
    assert.match(decodeURIComponent(inline.PolicyDocument ?? ''), /s3:GetObject/);

    // A changed file: the inline policy is rewritten, the rest stays.
    const changed = await apply(file(many(policy('s3:ListBucket'))), '--approve');
    assert.match(changed.stdout, /100 bindings: 1 updated, 99 unchanged/);
    assert.match((await apply(path)).stdout, /1 to update, 99 unchanged/);
  });
});

describe('failures', () => {
  test('a binding that fails does not stop the others; the exit code is the most serious', async () => {
    await enableOidc('demo');
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'not-iamsas',
        AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
      }),
    );
    const path = file(`${HEAD}cluster: demo\nbindings:
  - name: fine-1
    attachPolicyARNs: [${RO}]
  - name: missing-policy
    attachPolicyARNs: [arn:aws:iam::${ACCOUNT}:policy/does-not-exist]
  - name: taken
    roleName: not-iamsas
    attachPolicyARNs: [${RO}]
  - name: fine-2
    attachPolicyARNs: [${RO}]
`);
    const r = await apply(path, '--approve');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /4 bindings: 2 created, 0 unchanged, 2 failed/);
    assert.match(r.stdout, /failed demo default\/missing-policy: bad input \(exit 2\)/);
    assert.match(r.stdout, /failed demo default\/taken: conflict \(exit 5\)/);
    assert.ok(sa('default', 'fine-1'));
    assert.ok(sa('default', 'fine-2'));
    const doc = json((await apply(path, '-o', 'json')).stdout);
    assert.equal(doc.exitCode, 5);
    assert.deepEqual(
      doc.bindings.map((b: any) => b.error?.exitCode ?? 0),
      [0, 2, 5, 0],
    );
  });

  test('a broken file changes nothing and lists every problem with its line', async () => {
    const path = file(`${HEAD}cluster: demo\nbindings:
  - name: Bad_Name
    attachPolicyARNs: [${RO}]
  - name: ok
    attachPolicyARN: [${RO}]
  - name: ok2
    attachPolicyARNs: [not-an-arn]
`);
    const before = [await g.awsState(), g.kubeWrites()];
    const r = await apply(path, '--approve');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /3 problems; nothing was changed/);
    assert.match(r.stderr, /bindings-\d+\.yaml:5: invalid bindings\[0\]\.name "Bad_Name"/);
    assert.match(
      r.stderr,
      /bindings-\d+\.yaml:8: bindings\[1\]\.attachPolicyARN: unknown field "attachPolicyARN"; did you mean "attachPolicyARNs"\?/,
    );
    assert.match(
      r.stderr,
      /bindings-\d+\.yaml:10: invalid bindings\[2\]\.attachPolicyARNs\[0\] "not-an-arn"/,
    );
    assert.deepEqual([await g.awsState(), g.kubeWrites()], before);
    const machine = await apply(path, '-o', 'json');
    assert.equal(json(machine.stdout).error.detail.split('\n').length, 3);
  });

  test('flags that contradict the file are refused', async () => {
    const path = file(
      `${HEAD}cluster: demo\nbindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n`,
    );
    const r = await apply(path, '--cluster', 'other');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /:3: cluster: the file says cluster demo but --cluster says other/);
    const region = await g.iamsa([
      'apply',
      '-f',
      file(
        `${HEAD}cluster: demo\nregion: us-east-1\nbindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n`,
      ),
      '--region',
      'eu-west-1',
    ]);
    assert.equal(region.code, 2);
    assert.match(region.stderr, /the file says region us-east-1 but --region says eu-west-1/);
  });
});

describe('--prune', () => {
  test('deletes exactly the bindings iamsa owns that the file no longer lists, first in the plan', async () => {
    g.kube.reset();
    await clusterIn('pruned', 'ap-northeast-2');
    const cluster = 'cluster: pruned\nregion: ap-northeast-2\n';
    const full = file(`${HEAD}${cluster}bindings:
  - {name: stays, attachPolicyARNs: [${RO}]}
  - {name: goes, attachPolicyARNs: [${RO}]}
  - {name: role-goes, roleOnly: true, attachPolicyARNs: [${RO}]}
`);
    const r = await apply(full, '--approve');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // Not iamsa's: made by hand, annotated with a role; prune never touches it.
    await g.kubeAdmin('POST', '/api/v1/namespaces/default/serviceaccounts', {
      metadata: {
        name: 'by-hand',
        annotations: { [ANNOTATION]: `arn:aws:iam::${ACCOUNT}:role/x` },
      },
    });
    const fewer = file(
      `${HEAD}${cluster}bindings:\n  - {name: stays, attachPolicyARNs: [${RO}]}\n`,
    );
    assert.match((await apply(fewer)).stdout, /Nothing to do/, 'without --prune nothing goes');
    const plan = await apply(fewer, '--prune');
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /3 bindings: 2 to delete, 1 unchanged/);
    const order = ['pruned default/goes', 'pruned default/role-goes', 'pruned default/stays'].map(
      (h) => plan.stdout.indexOf(h),
    );
    assert.ok(
      order.every((i) => i >= 0) && order[0]! < order[2]! && order[1]! < order[2]!,
      plan.stdout,
    );
    const pruned = await apply(fewer, '--prune', '--approve');
    assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
    assert.equal(sa('default', 'goes'), undefined);
    assert.ok(sa('default', 'stays'));
    assert.ok(sa('default', 'by-hand'));
    await assert.rejects(roleOf('iamsa-pruned-default-goes'));
    await assert.rejects(roleOf('iamsa-pruned-default-role-goes'));
    assert.ok(await roleOf('iamsa-pruned-default-stays'));
    assert.match((await apply(fewer, '--prune')).stdout, /1 binding: 1 unchanged\nNothing to do/);
  });
});

describe('a role shared by several clusters', () => {
  const REGIONS = ['us-west-1', 'us-west-2', 'eu-west-1'];

  test('one role, one trust statement per cluster; a dropped cluster keeps its statement until --prune', async () => {
    g.kube.reset();
    for (const [i, region] of REGIONS.entries()) await clusterIn(`shared-${i}`, region);
    const clusters = (n: number) =>
      REGIONS.slice(0, n)
        .map((region, i) => `{name: shared-${i}, region: ${region}}`)
        .join(', ');
    const shared = (n: number) =>
      file(
        `${HEAD}bindings:\n  - namespace: jobs\n    name: batch\n    roleOnly: true\n    clusters: [${clusters(n)}]\n    attachPolicyARNs: [${RO}]\n`,
      );
    const three = shared(3);
    const r = await apply(three, '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const doc = json(r.stdout);
    assert.deepEqual(
      doc.bindings.map((b: any) => b.cluster),
      ['shared-0', 'shared-1', 'shared-2'],
    );
    const trust = await trustOf('iamsa-shared-jobs-batch');
    assert.equal(trust.Statement.length, 3);
    const providers = trust.Statement.map((s: any) => s.Principal.Federated);
    assert.equal(new Set(providers).size, 3);
    assert.ok(
      REGIONS.every((region) => providers.some((p: string) => p.includes(`oidc.eks.${region}.`))),
    );
    const tags = Object.fromEntries(
      ((await roleOf('iamsa-shared-jobs-batch'))?.Tags ?? []).map((t) => [t.Key, t.Value]),
    );
    assert.equal(tags['iamsa.io/clusters'], 'shared-0,shared-1,shared-2');
    assert.equal(Object.keys(tags).filter((k) => k.startsWith('iamsa.io/cluster-arn/')).length, 3);
    assert.match((await apply(three)).stdout, /3 bindings: 3 unchanged\nNothing to do/);

    const two = shared(2);
    const kept = await apply(two);
    assert.match(kept.stdout, /Nothing to do/);
    const pruned = await apply(two, '--prune', '--approve');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /trust policy -> 2 statements for clusters shared-0, shared-1/);
    const after = await trustOf('iamsa-shared-jobs-batch');
    assert.equal(after.Statement.length, 2);
    assert.ok(!JSON.stringify(after).includes('oidc.eks.eu-west-1.'));
    const afterTags = ((await roleOf('iamsa-shared-jobs-batch'))?.Tags ?? []).map((t) => t.Key);
    assert.equal(afterTags.filter((k) => k?.startsWith('iamsa.io/cluster-arn/')).length, 2);
    assert.match((await apply(two, '--prune')).stdout, /Nothing to do/);
  });

  test('get-serviceaccounts shows its clusters; delete-serviceaccount in one cluster removes only that statement', async () => {
    for (const [i, region] of REGIONS.slice(0, 2).entries()) await clusterIn(`shared-${i}`, region);
    const clusters = REGIONS.slice(0, 2)
      .map((region, i) => `{name: shared-${i}, region: ${region}}`)
      .join(', ');
    await g
      .kubeAdmin('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'twice' },
      })
      .catch(() => undefined);
    const path = file(
      `${HEAD}bindings:\n  - namespace: twice\n    name: web\n    clusters: [${clusters}]\n    attachPolicyARNs: [${RO}]\n`,
    );
    const r = await apply(path, '--approve');
    assert.equal(r.code, 0, r.stderr);
    const got = await g.iamsa([
      'get-serviceaccounts',
      '-c',
      'shared-0',
      '--region',
      REGIONS[0] ?? '',
      '-n',
      'twice',
      ...g.kubeFlags,
      '-o',
      'json',
    ]);
    assert.equal(got.code, 0, got.stderr);
    const [row] = json(got.stdout).serviceAccounts;
    assert.equal(row.status, 'ok');
    assert.deepEqual(row.clusters, ['shared-0', 'shared-1']);

    // In shared-0 only: the annotation is kept (the emulator stands in for both clusters' API).
    const del = await g.iamsa([
      'delete-serviceaccount',
      '-c',
      'shared-0',
      '--region',
      REGIONS[0] ?? '',
      '-n',
      'twice',
      '--name',
      'web',
      '--role-only',
      '--approve',
    ]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /trust: remove the statement of cluster shared-0/);
    const trust = await trustOf('iamsa-shared-twice-web');
    assert.equal(trust.Statement.length, 1);
    assert.ok(JSON.stringify(trust).includes(`oidc.eks.${REGIONS[1]}.`));
    const last = await g.iamsa([
      'delete-serviceaccount',
      '-c',
      'shared-1',
      '--region',
      REGIONS[1] ?? '',
      '-n',
      'twice',
      '--name',
      'web',
      ...g.kubeFlags,
      '--approve',
    ]);
    assert.equal(last.code, 0, last.stderr);
    await assert.rejects(roleOf('iamsa-shared-twice-web'), 'the last cluster deletes the role');
  });

  test('a role for 10 clusters is over the trust size quota: refused before any write', async () => {
    const regions = [
      'us-east-2',
      'ca-central-1',
      'sa-east-1',
      'eu-west-2',
      'eu-central-1',
      'eu-north-1',
      'ap-south-1',
      'ap-northeast-1',
      'ap-southeast-1',
      'ap-southeast-2',
    ];
    for (const [i, region] of regions.entries()) await clusterIn(`wide-${i}`, region);
    const path = file(
      `${HEAD}bindings:\n  - name: everywhere\n    roleOnly: true\n    clusters: [${regions.map((r, i) => `{name: wide-${i}, region: ${r}}`).join(', ')}]\n    attachPolicyARNs: [${RO}]\n`,
    );
    const before = await g.awsState();
    const r = await apply(path, '--approve');
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stdout,
      /the trust policy of role iamsa-shared-default-everywhere for 10 clusters would be \d+ characters; the account allows 2048 \(IAM's trust policy size quota\), so \d of these clusters fit/,
    );
    assert.match(r.stdout, /Pod Identity/);
    assert.deepEqual(await g.awsState(), before);
    const raised = await apply(path, '--max-trust-policy-size', '4096');
    assert.equal(raised.code, 0, raised.stdout);
  });
});

describe('the file is the whole state of its roles', () => {
  test('a policy taken out of the file and one attached by hand are detached; a re-run is unchanged', async () => {
    await enableOidc('demo');
    const both = file(
      `${HEAD}cluster: demo\nbindings:\n  - namespace: whole\n    name: app\n    createNamespace: true\n    attachPolicyARNs: [${RO}, ${S3}]\n`,
    );
    const made = await apply(both, '--approve');
    assert.equal(made.code, 0, made.stdout + made.stderr);
    await g.iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'iamsa-demo-whole-app',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess',
      }),
    );
    const one = file(
      `${HEAD}cluster: demo\nbindings:\n  - namespace: whole\n    name: app\n    createNamespace: true\n    attachPolicyARNs: [${RO}]\n`,
    );
    const plan = await apply(one);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /- delete\s+policy-attachment\s+arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess/,
    );
    assert.match(
      plan.stdout,
      /- delete\s+policy-attachment\s+arn:aws:iam::aws:policy\/AmazonEC2ReadOnlyAccess/,
    );
    const applied = await apply(one, '--approve');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const attached = await g.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'iamsa-demo-whole-app' }),
    );
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyArn),
      [RO],
    );
    assert.match((await apply(one)).stdout, /Nothing to do/);
  });
});
