// `iamsa apply -f` through the built binary against moto_server and the Kubernetes emulator.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT, type Ground, startGround } from '../support/ground.js';
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
before(async () => {
  g = await startGround('demo');
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
