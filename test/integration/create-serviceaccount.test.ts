// create-serviceaccount through the built binary against moto_server and the Kubernetes emulator.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import {
  CreateRoleCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { CreateClusterCommand, DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { ACCOUNT, type Ground, startGround } from '../support/ground.js';
import { kubeconfigFor } from '../support/kube-emulator/index.js';
import { createTestPki } from '../support/pki.js';
import { tempDir } from '../support/temp.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';

let g: Ground;
let providerArn: string;
const csa = (...args: string[]) =>
  g.iamsa(['create-serviceaccount', '--cluster', g.cluster, ...g.kubeFlags, ...args]);
const sa = (ns: string, name: string) => g.kube.getObject('serviceaccounts', ns, name);
const roleOf = async (name: string) =>
  (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
/** The trust policy of irsa.md, written out literally (not with iamsa's own builder). */
const expectedTrust = (namespace: string, name: string) => {
  const host = providerArn.split('oidc-provider/')[1];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${host}:sub`]: `system:serviceaccount:${namespace}:${name}`,
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
};
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
/** A binding made for a test's own use (default namespace, ReadOnlyAccess). */
const bound = async (name: string) => {
  const r = await csa('--name', name, '--attach-policy-arn', READONLY, '--approve');
  assert.equal(r.code, 0, r.stderr);
};
/** A role made outside iamsa whose trust admits default/<admits>. */
const byoRole = async (roleName: string, admits: string) =>
  (
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify(expectedTrust('default', admits)),
      }),
    )
  ).Role?.Arn ?? '';

before(async () => {
  g = await startGround('demo');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve', '-o', 'json']);
  assert.equal(enabled.code, 0, enabled.stderr);
  providerArn = json(enabled.stdout).providerArn;
});
after(() => g.close());

describe('the full path', () => {
  test('plan first: nothing changes without --approve, and the plan says how to apply', async () => {
    const before = await g.awsState();
    const r = await csa(
      '--namespace',
      'default',
      '--name',
      'planned',
      '--attach-policy-arn',
      READONLY,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /\+ create\s+iam-role\s+arn:aws:iam::123456789012:role\/iamsa-demo-default-planned/,
    );
    assert.match(r.stdout, /\+ create\s+service-account\s+default\/planned/);
    assert.match(r.stdout, /--approve/);
    assert.deepEqual(await g.awsState(), before);
    assert.equal(sa('default', 'planned'), undefined);
  });

  test('creates the role with the exact trust policy and annotates a new service account', async () => {
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
  });

  test('the EKS token reached the emulator and was verified against STS', async () => {
    await bound('token');
    const writes = g.kube.requests.filter(
      (r) => r.method === 'POST' && r.path === '/api/v1/namespaces/default/serviceaccounts',
    );
    assert.ok(writes.length > 0);
    assert.match(writes[0]?.user ?? '', /^arn:aws:(sts|iam)::123456789012:/);
  });

  test('a second run converges: everything unchanged, no writes, exit 0', async () => {
    await bound('converged');
    const before = await g.awsState();
    const writes = g.kubeWrites();
    const r = await csa('--name', 'converged', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Nothing to do/);
    assert.doesNotMatch(r.stdout, /[+~] (create|update)/);
    assert.deepEqual(await g.awsState(), before);
    assert.equal(g.kubeWrites(), writes);
  });

  test('adding a policy and an inline policy converges the existing role', async () => {
    await bound('grown');
    const file = join(tempDir('policy'), 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      }),
    );
    const r = await csa(
      '--name',
      'grown',
      '--attach-policy-arn',
      READONLY,
      '--attach-policy-arn',
      S3_READ,
      '--attach-policy',
      file,
      '--approve',
    );
    assert.equal(r.code, 0, r.stderr);
    // The role changes only in its record of the policies it has (iamsa.io/policies).
    assert.match(
      r.stdout,
      /~ update\s+iam-role\s+\S+\n\s+tags iamsa\.io\/policies: [0-9a-f]{12} -> [0-9a-f]{12}\n\s+= unchanged/,
    );
    assert.match(
      r.stdout,
      /\+ create\s+policy-attachment\s+arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess/,
    );
    assert.match(r.stdout, /\+ create\s+inline-policy/);
    const again = await csa(
      '--name',
      'grown',
      '--attach-policy-arn',
      READONLY,
      '--attach-policy-arn',
      S3_READ,
      '--attach-policy',
      file,
      '--approve',
    );
    assert.match(again.stdout, /Nothing to do/);
  });

  test('a drifted trust policy is fixed on re-run', async () => {
    await bound('drifted');
    const { UpdateAssumeRolePolicyCommand } = await import('@aws-sdk/client-iam');
    await g.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'iamsa-demo-default-drifted',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'ec2.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    const r = await csa('--name', 'drifted', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /~ update\s+iam-role[\s\S]*trust policy/);
    const doc = JSON.parse(
      decodeURIComponent(
        (await roleOf('iamsa-demo-default-drifted'))?.AssumeRolePolicyDocument ?? '',
      ),
    );
    assert.equal(doc.Statement[0].Action, 'sts:AssumeRoleWithWebIdentity');
  });
});

describe('existing service accounts', () => {
  test('an existing service account keeps its labels and annotations', async () => {
    await kubePost('default', {
      metadata: { name: 'kept', labels: { team: 'a' }, annotations: { note: 'keep me' } },
    });
    const r = await csa('--name', 'kept', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /~ update\s+service-account\s+default\/kept/);
    const account = sa('default', 'kept');
    assert.equal(account.metadata.labels.team, 'a');
    assert.equal(account.metadata.annotations.note, 'keep me');
    assert.match(account.metadata.annotations[ANNOTATION], /role\/iamsa-demo-default-kept$/);
    assert.equal(account.metadata.labels['app.kubernetes.io/managed-by'], undefined);
  });

  test('a service account annotated with another role is refused (exit 5), then overridden', async () => {
    const other = 'arn:aws:iam::123456789012:role/someone-else';
    await kubePost('default', {
      metadata: { name: 'taken', annotations: { [ANNOTATION]: other } },
    });
    const before = await g.awsState();
    const refused = await csa('--name', 'taken', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /someone-else/);
    assert.match(refused.stderr, /--override-existing-serviceaccounts/);
    assert.deepEqual(await g.awsState(), before);
    assert.equal(sa('default', 'taken').metadata.annotations[ANNOTATION], other);

    const forced = await csa(
      '--name',
      'taken',
      '--attach-policy-arn',
      READONLY,
      '--override-existing-serviceaccounts',
      '--approve',
    );
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(
      sa('default', 'taken').metadata.annotations[ANNOTATION],
      /role\/iamsa-demo-default-taken$/,
    );
  });

  test('an annotation naming the same role in another case is not a conflict', async () => {
    const first = await csa('--name', 'cased', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(first.code, 0, first.stderr);
    const arn = sa('default', 'cased').metadata.annotations[ANNOTATION] as string;
    const shouted = arn.replace(/role\/(.*)$/, (_, name: string) => `role/${name.toUpperCase()}`);
    await kubePatch('default', 'cased', { metadata: { annotations: { [ANNOTATION]: shouted } } });
    const r = await csa('--name', 'cased', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /~ update\s+service-account\s+default\/cased/);
    assert.equal(sa('default', 'cased').metadata.annotations[ANNOTATION], arn);
  });

  test('a deleted service account is recreated on re-run', async () => {
    await csa('--name', 'gone', '--attach-policy-arn', READONLY, '--approve');
    await kubeDelete('default', 'gone');
    assert.equal(sa('default', 'gone'), undefined);
    const r = await csa('--name', 'gone', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /= unchanged\s+iam-role/);
    assert.match(r.stdout, /\+ create\s+service-account\s+default\/gone/);
    assert.ok(sa('default', 'gone'));
  });
});

describe('modes', () => {
  test('--role-only makes no Kubernetes calls at all', async () => {
    const requests = g.kube.requests.length;
    const r = await csa(
      '--name',
      'roleonly',
      '--attach-policy-arn',
      READONLY,
      '--role-only',
      '--approve',
      '-o',
      'json',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(g.kube.requests.length, requests);
    assert.ok(await roleOf('iamsa-demo-default-roleonly'));
    assert.equal(json(r.stdout).serviceAccount, undefined);
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

  test('--attach-role-arn uses a role whose trust admits the service account', async () => {
    const arn = await byoRole('byo-role', 'byo');
    const r = await csa('--name', 'byo', '--attach-role-arn', arn, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sa('default', 'byo').metadata.annotations[ANNOTATION], arn);
  });

  test('--attach-role-arn with a trust that does not admit the service account says what is missing', async () => {
    const arn = await byoRole('byo-for-someone-else', 'someone-else');
    const r = await csa('--name', 'other', '--attach-role-arn', arn, '--approve');
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /system:serviceaccount:default:other/);
    assert.match(r.stderr, /AssumeRoleWithWebIdentity/);
    assert.equal(sa('default', 'other'), undefined);
  });

  test('a trust mismatch keeps the error line short and prints the statement to add once', async () => {
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'byo-mismatch',
        AssumeRolePolicyDocument: JSON.stringify(expectedTrust('default', 'someone-else')),
      }),
    );
    const args = [
      '--name',
      'mismatch',
      '--attach-role-arn',
      `arn:aws:iam::${ACCOUNT}:role/byo-mismatch`,
    ];
    const r = await csa(...args, '--approve');
    assert.equal(r.code, 3, r.stderr);
    const [first = '', ...rest] = r.stderr.trimEnd().split('\n');
    assert.match(
      first,
      /^error: role \S+byo-mismatch does not trust system:serviceaccount:default:mismatch/,
    );
    assert.ok(first.length < 250, `a short error line (${first.length})`);
    const statement = JSON.parse(rest.slice(0, -1).join('\n'));
    assert.deepEqual(statement, expectedTrust('default', 'mismatch').Statement[0]);
    assert.match(
      rest.at(-1) ?? '',
      /^hint: add the statement above to the trust policy of role byo-mismatch$/,
    );
    assert.equal(r.stderr.split('AssumeRoleWithWebIdentity').length, 2, 'the statement once');
    // The JSON error document carries it as its own field.
    const doc = json((await csa(...args, '-o', 'json')).stdout);
    assert.deepEqual(JSON.parse(doc.error.detail), statement);
    assert.doesNotMatch(doc.error.message + doc.error.hint, /AssumeRoleWithWebIdentity/);
    assert.equal(sa('default', 'mismatch'), undefined);
  });

  test('a role trusting no OIDC provider: a short error line, the statement once, no JSON in the problems', async () => {
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'byo-ec2',
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
      }),
    );
    const arn = `arn:aws:iam::${ACCOUNT}:role/byo-ec2`;
    const r = await csa('--name', 'ec2', '--attach-role-arn', arn, '--approve');
    assert.equal(r.code, 3, r.stderr);
    const [first = '', ...rest] = r.stderr.trimEnd().split('\n');
    assert.equal(
      first,
      `error: role ${arn} does not trust system:serviceaccount:default:ec2: statement 0 trusts Service ec2.amazonaws.com, not an OIDC provider; no statement trusts the OIDC provider ${providerArn}`,
    );
    assert.deepEqual(
      JSON.parse(rest.slice(0, -1).join('\n')),
      expectedTrust('default', 'ec2').Statement[0],
    );
    assert.equal(r.stderr.split('AssumeRoleWithWebIdentity').length, 2, 'the statement once');
    const doc = json((await csa('--name', 'ec2', '--attach-role-arn', arn, '-o', 'json')).stdout);
    assert.doesNotMatch(doc.error.message, /[{}]|add this statement/);
    // get-serviceaccounts' Problems lines come from the same evaluation: words, no JSON.
    await kubePost('default', {
      metadata: { name: 'ec2', annotations: { [ANNOTATION]: arn } },
    });
    const listed = await g.iamsa([
      'get-serviceaccounts',
      '--cluster',
      g.cluster,
      '-n',
      'default',
      '--name',
      'ec2',
      ...g.kubeFlags,
    ]);
    assert.equal(listed.code, 0, listed.stderr);
    const problems = listed.stdout.split('\nProblems:\n')[1] ?? '';
    assert.match(problems, /^ {2}default\/ec2: statement 0 trusts Service ec2\.amazonaws\.com/);
    assert.doesNotMatch(problems, /[{}]|add this statement/);
  });

  test('--attach-role-arn of another account (cross-account IRSA): annotated, the plan says its trust could not be read', async () => {
    const other = 'arn:aws:iam::999999999999:role/byo-role';
    const r = await csa(
      '--name',
      'byo-cross',
      '--attach-role-arn',
      other,
      '--approve',
      '-o',
      'json',
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.match(
      out.warnings.join('\n'),
      /is in account 999999999999, not 123456789012: its trust could not be read/,
    );
    assert.ok(
      out.steps.some(
        (s: any) => s.resource === 'service-account' && s.changes.join(' ').includes(other),
      ),
      JSON.stringify(out.steps),
    );
    assert.ok(!out.steps.some((s: any) => s.resource === 'iam-role' && s.action !== 'unchanged'));
  });

  test('--attach-role-arn with the wrong path names the role that does exist (exit 3)', async () => {
    await byoRole('byo-at-root', 'byo-pathed');
    const writes = g.kubeWrites();
    const r = await csa(
      '--name',
      'byo-pathed',
      '--attach-role-arn',
      `arn:aws:iam::${ACCOUNT}:role/team/byo-at-root`,
      '--approve',
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /role\/team\/byo-at-root \(--attach-role-arn\) does not exist/);
    assert.match(
      r.stderr,
      new RegExp(`--attach-role-arn arn:aws:iam::${ACCOUNT}:role/byo-at-root`),
    );
    assert.equal(g.kubeWrites(), writes);
  });

  test('--create-namespace creates a missing namespace', async () => {
    const r = await csa(
      '--namespace',
      'fresh',
      '--name',
      'app',
      '--attach-policy-arn',
      READONLY,
      '--create-namespace',
      '--approve',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(g.kube.getObject('namespaces', undefined, 'fresh'));
    assert.ok(sa('fresh', 'app'));
  });

  test("an explicit --role-path / does not adopt iamsa's role at another path (exit 5)", async () => {
    const args = ['--name', 'pathed', '--attach-policy-arn', READONLY, '--approve'];
    const made = await csa(...args, '--role-path', '/irsa/');
    assert.equal(made.code, 0, made.stderr);
    const before = await g.awsState();
    const r = await csa(...args, '--role-path', '/');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /exists with path \/irsa\/, not \//);
    assert.deepEqual(await g.awsState(), before);
    const converged = await csa(...args);
    assert.equal(converged.code, 0, converged.stderr);
    assert.match(converged.stdout, /Nothing to do/);
  });

  test('a cluster of the same name in another region does not take the role over (exit 5)', async () => {
    const args = ['--name', 'twin', '--attach-policy-arn', READONLY, '--role-only', '--approve'];
    const home = await csa(...args);
    assert.equal(home.code, 0, home.stderr);
    const west = new EKSClient({
      region: 'us-west-2',
      endpoint: g.moto.url,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
    });
    await west.send(
      new CreateClusterCommand({
        name: 'demo',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
      }),
    );
    const enabled = await g.iamsa([
      'enable-oidc',
      '--cluster',
      'demo',
      '--region',
      'us-west-2',
      '--approve',
    ]);
    assert.equal(enabled.code, 0, enabled.stderr);
    const before = await g.awsState();
    const clash = await csa(...args, '--region', 'us-west-2');
    assert.equal(clash.code, 5, clash.stderr);
    assert.match(clash.stderr, /another cluster named demo \(arn:aws:eks:us-east-1:/);
    assert.match(clash.stderr, /--role-name iamsa-demo-us-west-2-default-twin/);
    assert.deepEqual(await g.awsState(), before);
    const own = await csa(
      ...args,
      '--region',
      'us-west-2',
      '--role-name',
      'iamsa-demo-us-west-2-default-twin',
    );
    assert.equal(own.code, 0, own.stderr);
    const tags = Object.fromEntries(
      ((await roleOf('iamsa-demo-us-west-2-default-twin'))?.Tags ?? []).map((t) => [
        t.Key,
        t.Value,
      ]),
    );
    assert.match(tags['iamsa.io/cluster-arn'] ?? '', /^arn:aws:eks:us-west-2:/);
  });

  test('a role of that name that iamsa does not own: exit 5, nothing touched', async () => {
    await g.iam.send(
      new CreateRoleCommand({
        RoleName: 'not-ours',
        AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
      }),
    );
    const before = await g.awsState();
    const writes = g.kubeWrites();
    const r = await csa(
      '--name',
      'svc',
      '--role-name',
      'not-ours',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /not-ours/);
    assert.deepEqual(await g.awsState(), before);
    assert.equal(g.kubeWrites(), writes);
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
      /warning: kubeconfig server https:\/\/127\.0\.0\.1:\d+ differs from the endpoint of cluster demo/g;
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

const kubePost = (ns: string, body: object) =>
  g.kubeAdmin('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    ...body,
  });
const kubePatch = (ns: string, name: string, patch: object) =>
  g.kubeAdmin('PATCH', `/api/v1/namespaces/${ns}/serviceaccounts/${name}`, patch);
const kubeDelete = (ns: string, name: string) =>
  g.kubeAdmin('DELETE', `/api/v1/namespaces/${ns}/serviceaccounts/${name}`);
