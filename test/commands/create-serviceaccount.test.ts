// create-serviceaccount in-process (test/support/harness.ts): input checks, preconditions, empty
// flag values, the output a user acts on, and the full path (plan, apply, converge, drift, existing
// service accounts, bring-your-own roles, ownership refusals) over the stateful fakes, with the
// ground's set-up calls (test/support/fake-ground.ts). What needs the real services, the real
// Kubernetes client or a process (kubectl, kubeconfig, TLS, failures of the API server) stays in
// test/integration/create-serviceaccount.test.ts.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, beforeEach, describe, test } from 'node:test';
import {
  CreateRoleCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { parse as parseYaml } from 'yaml';
import { ACCOUNT } from '../support/fakes.js';
import { type FakeGround, fakeGround } from '../support/fake-ground.js';
import { createHarness, type Harness } from '../support/harness.js';
import { irsaTrust } from '../support/expected-trust.js';
import { tempDir } from '../support/temp.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const csa = (h: Harness, ...args: string[]) =>
  h.run(['create-serviceaccount', '--cluster', 'demo', ...args]);

/** A cluster "demo" with its OIDC provider, as after enable-oidc. */
async function enabled(): Promise<Harness> {
  const h = createHarness({ clusters: ['demo'] });
  const r = await h.run(['enable-oidc', '--cluster', 'demo', '--approve']);
  assert.equal(r.code, 0, r.stderr);
  return h;
}

describe('missing preconditions (exit 3, nothing changed)', () => {
  test('missing cluster', async () => {
    const h = await enabled();
    const r = await h.run([
      'create-serviceaccount',
      '--cluster',
      'nope',
      '--name',
      'a',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cluster nope not found/);
  });

  test('missing namespace', async () => {
    const h = await enabled();
    const before = h.state();
    const r = await csa(
      h,
      '--namespace',
      'absent',
      '--name',
      'a',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /namespace absent does not exist/);
    assert.match(r.stderr, /--create-namespace/);
    assert.deepEqual(h.state(), before);
  });

  test('missing OIDC provider: the hint is the exact command', async () => {
    const h = createHarness({ clusters: ['demo'] });
    const before = h.state();
    const r = await csa(h, '--name', 'a', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /iamsa enable-oidc --cluster demo --region us-east-1 --approve/);
    assert.deepEqual(h.state(), before);
    assert.equal(await h.kube('demo').getServiceAccount('default', 'a'), undefined);
  });
});

describe('invalid input (exit 2, message names the value, nothing changed)', () => {
  const dir = tempDir('invalid-input');
  const badFile = join(dir, 'bad.json');
  const notPolicy = join(dir, 'not-a-policy.json');
  before(() => {
    writeFileSync(badFile, '{ "Version": "2012-10-17", ');
    writeFileSync(
      notPolicy,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Maybe', Action: 's3:*', Resource: '*' }],
      }),
    );
  });
  const cases: Array<[string, string[], RegExp]> = [
    [
      'more than 20 managed policies',
      [
        '--name',
        'many',
        ...Array.from({ length: 21 }, (_, i) => [
          '--attach-policy-arn',
          `arn:aws:iam::${ACCOUNT}:policy/p${i}`,
        ]).flat(),
      ],
      /21 --attach-policy-arn given; IAM attaches at most 20/,
    ],
    [
      '--role-only with a Kubernetes-only flag',
      ['--name', 'a', '--attach-policy-arn', READONLY, '--role-only', '--create-namespace'],
      // Only the flags given are named.
      /^error: --role-only only makes the IAM role and makes no Kubernetes call; it cannot be combined with --create-namespace\n/,
    ],
    [
      'namespace',
      ['--namespace', 'Bad_NS', '--name', 'a', '--attach-policy-arn', READONLY],
      /Bad_NS/,
    ],
    ['service account name', ['--name', 'UPPER', '--attach-policy-arn', READONLY], /UPPER/],
    [
      'role name too long',
      ['--name', 'a', '--role-name', 'r'.repeat(65), '--attach-policy-arn', READONLY],
      /r{65}/,
    ],
    [
      'role name charset',
      ['--name', 'a', '--role-name', 'bad role', '--attach-policy-arn', READONLY],
      /bad role/,
    ],
    [
      'role path',
      ['--name', 'a', '--role-path', 'nopath', '--attach-policy-arn', READONLY],
      /nopath/,
    ],
    [
      'policy ARN malformed',
      ['--name', 'a', '--attach-policy-arn', 'arn:aws:iam::aws:role/X'],
      /arn:aws:iam::aws:role\/X/,
    ],
    [
      'policy ARN that does not exist',
      ['--name', 'a', '--attach-policy-arn', 'arn:aws:iam::aws:policy/NoSuchPolicyXyz'],
      /NoSuchPolicyXyz/,
    ],
    [
      'permissions boundary',
      ['--name', 'a', '--attach-policy-arn', READONLY, '--permissions-boundary', 'nope'],
      /nope/,
    ],
    [
      'policy file missing',
      ['--name', 'a', '--attach-policy', '/no/such/file.json'],
      // In words, not Node's ENOENT.
      /^error: cannot read --attach-policy file \/no\/such\/file\.json: no such file\n/,
    ],
    [
      'policy file a directory',
      ['--name', 'a', '--attach-policy', dir],
      /^error: cannot read --attach-policy file \S+: is a directory\n/,
    ],
    ['policy file not JSON', ['--name', 'a', '--attach-policy', badFile], /bad\.json/],
    ['policy file not a policy', ['--name', 'a', '--attach-policy', notPolicy], /Maybe/],
    ['tags', ['--name', 'a', '--attach-policy-arn', READONLY, '--tags', 'novalue'], /novalue/],
    [
      'role ARN',
      ['--name', 'a', '--attach-role-arn', 'arn:aws:iam::1:role/x'],
      /arn:aws:iam::1:role\/x/,
    ],
    ['no permissions', ['--name', 'a'], /--attach-policy-arn/],
    [
      'kube server',
      ['--name', 'a', '--attach-policy-arn', READONLY, '--kube-server', 'http://plain'],
      /http:\/\/plain/,
    ],
  ];
  test('cluster name', async () => {
    const h = await enabled();
    const r = await h.run([
      'create-serviceaccount',
      '--cluster',
      'bad cluster!',
      '--name',
      'a',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bad cluster!/);
  });
  for (const [what, args, pattern] of cases) {
    test(what, async () => {
      const h = await enabled();
      const before = h.state();
      const r = await h.run(['create-serviceaccount', '--cluster', 'demo', ...args, '--approve']);
      assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /^error: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(h.state(), before);
    });
  }
});

describe('empty flag values (an unset variable in CI) are refused, not dropped', () => {
  test("a required flag's empty value is not told it may be left out", async () => {
    const h = await enabled();
    const r = await csa(h, '--name', '', '--attach-policy-arn', READONLY);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      'error: --name was given an empty value\nhint: give it a value: --name is required\n',
    );
    const optional = await csa(
      h,
      '--name',
      'a',
      '--attach-policy-arn',
      READONLY,
      '--role-path',
      '',
    );
    assert.match(optional.stderr, /hint: give it a value, or leave the flag out/);
  });

  for (const [flag, pattern] of [
    ['--permissions-boundary', /invalid permissions boundary ARN ""|--permissions-boundary/],
    ['--attach-role-arn', /--attach-role-arn/],
    ['--kube-ca-file', /--kube-ca-file/],
    ['--context', /--context was given an empty value/],
    ['--kubeconfig', /--kubeconfig was given an empty value/],
  ] as const) {
    test(`${flag} ''`, async () => {
      const h = await enabled();
      const before = h.state();
      const r = await h.run([
        'create-serviceaccount',
        '--cluster',
        'demo',
        '--name',
        'empty',
        '--attach-policy-arn',
        READONLY,
        flag,
        '',
        '--approve',
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.deepEqual(h.state(), before);
    });
  }
});

describe('output a user acts on', () => {
  test('-o yaml is the -o json document, written out without YAML anchors or aliases', async () => {
    const h = await enabled();
    const args = ['--name', 'yaml-out', '--attach-policy-arn', READONLY];
    const [asYaml, asJson] = await Promise.all([
      csa(h, ...args, '-o', 'yaml'),
      csa(h, ...args, '-o', 'json'),
    ]);
    assert.equal(asYaml.code, 0, asYaml.stderr);
    // bindings[].steps and steps are the same arrays in memory.
    assert.doesNotMatch(asYaml.stdout, /[&*]a\d+\b|: [&*]\w/);
    assert.deepEqual(parseYaml(asYaml.stdout), json(asJson.stdout));
  });

  test('--approve ends with the next step; a converged run is headed as up to date', async () => {
    const h = await enabled();
    const args = ['--namespace', 'default', '--name', 'next', '--attach-policy-arn', READONLY];
    const r = await csa(h, ...args, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Applied: create-serviceaccount on cluster demo/);
    assert.match(
      r.stdout,
      /\nNext step:\n {2}Restart the pods of default\/next so they pick up the role, e.g.\n {2}kubectl rollout restart deployment -n default <deployment using service account next>\n$/,
    );
    // The summary labels line up.
    const facts = r.stdout
      .split('\n')
      .filter((l) => /^(OIDC provider|Role ARN|Service account):/.test(l));
    assert.equal(facts.length, 3);
    assert.equal(
      new Set(facts.map((l) => l.search(/ (arn:|default\/)/))).size,
      1,
      facts.join('\n'),
    );
    const again = await csa(h, ...args, '--approve');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^Up to date: create-serviceaccount on cluster demo/);
    assert.doesNotMatch(again.stdout, /Applied:/);
    assert.match(again.stdout, /Nothing to do: everything is already in place\./);
    // Nothing changed: there is nothing to restart either.
    assert.doesNotMatch(again.stdout, /Next step|Restart the pods/);
    // A plan has no next step but the --approve line.
    const plan = await csa(
      h,
      '--namespace',
      'default',
      '--name',
      'next-plan',
      '--attach-policy-arn',
      READONLY,
    );
    assert.doesNotMatch(plan.stdout, /Next step/);
  });

  test('--role-only ends with the kubectl commands that annotate the service account', async () => {
    const h = await enabled();
    const r = await csa(
      h,
      '--namespace',
      'payments',
      '--name',
      'api',
      '--attach-policy-arn',
      READONLY,
      '--role-only',
      '--approve',
    );
    assert.equal(r.code, 0, r.stderr);
    // The commands themselves are run against the emulator by test/integration/create-serviceaccount.
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/iamsa-demo-payments-api`;
    const [, step = ''] = r.stdout.split('\nNext step:\n');
    const [sentence = '', ...commands] = step
      .trimEnd()
      .split('\n')
      .map((l) => l.trim());
    assert.match(sentence, /^Annotate the service account with the role/);
    assert.ok(commands.length > 0 && commands.every((c) => c.startsWith('kubectl ')), step);
    assert.ok(
      commands.some((c) => c.includes('-n payments') && c.includes(roleArn)),
      step,
    );
  });

  test('plan-mode warnings say what would happen', async () => {
    const policies = [
      'ReadOnlyAccess',
      'AmazonS3ReadOnlyAccess',
      'AmazonEC2ReadOnlyAccess',
      'AmazonDynamoDBReadOnlyAccess',
      'AmazonSQSReadOnlyAccess',
      'AmazonSNSReadOnlyAccess',
      'CloudWatchReadOnlyAccess',
      'AmazonRDSReadOnlyAccess',
      'IAMReadOnlyAccess',
      'AmazonRoute53ReadOnlyAccess',
      'AmazonVPCReadOnlyAccess',
    ].flatMap((p) => ['--attach-policy-arn', `arn:aws:iam::aws:policy/${p}`]);
    const h = await enabled();
    const r = await csa(h, '--name', 'many-policies', ...policies);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: IRSA-W005 role iamsa-demo-default-many-policies would have 11 managed policies; .* attaching would fail unless/,
    );
  });
});

describe('well-known karpenter: the node role it may pass is the one the account has', () => {
  const karpenterPolicy = (h: Harness) => {
    const stored = [...h.iam.managed].find(([arn]) => arn.endsWith('-karpenter'))?.[1];
    assert.ok(stored, 'the karpenter policy was created');
    const document = stored.versions.find((v) => v.id === stored.defaultId)?.document ?? '';
    const statements = JSON.parse(decodeURIComponent(document)).Statement as Array<{
      Action: string[];
      Resource: string | string[];
    }>;
    return statements.find((s) => s.Action.includes('iam:PassRole'))?.Resource;
  };
  const nodeRole = (h: Harness, name: string) =>
    h.iam.createRole({ name, path: '/', trustPolicy: '{}', description: 'node', tags: {} });
  const karpenter = (h: Harness) =>
    csa(
      h,
      ...['--namespace', 'karpenter', '--name', 'karpenter', '--create-namespace'],
      ...['--well-known-policies', 'karpenter', '--approve', '-o', 'json'],
    );

  test("eksctl's eksctl-KarpenterNodeRole-<cluster> is found and passed, and the plan says so", async () => {
    const h = await enabled();
    await nodeRole(h, 'eksctl-KarpenterNodeRole-demo');
    const r = await karpenter(h);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(karpenterPolicy(h), `arn:aws:iam::${ACCOUNT}:role/eksctl-KarpenterNodeRole-demo`);
    assert.match(
      json(r.stdout).warnings.join('\n'),
      /iam:PassRole is granted on node role eksctl-KarpenterNodeRole-demo, found in the account; to pass another, give karpenter.nodeRoleARNs=/,
    );
  });

  test("neither exists: the Karpenter docs' name, said to be assumed, with how to change it", async () => {
    const h = await enabled();
    const r = await karpenter(h);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(karpenterPolicy(h), `arn:aws:iam::${ACCOUNT}:role/KarpenterNodeRole-demo`);
    assert.match(
      json(r.stdout).warnings.join('\n'),
      /neither KarpenterNodeRole-demo nor eksctl-KarpenterNodeRole-demo exists in the account, so iam:PassRole is granted on node role KarpenterNodeRole-demo .*assumed; to pass another, give karpenter.nodeRoleARNs=/,
    );
  });

  test('GetRole on the node roles denied: a warning, the assumed name, and the binding made', async () => {
    const h = await enabled();
    await nodeRole(h, 'eksctl-KarpenterNodeRole-demo');
    h.iam.denied.add('getRole:KarpenterNodeRole-demo');
    const r = await karpenter(h);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(karpenterPolicy(h), `arn:aws:iam::${ACCOUNT}:role/KarpenterNodeRole-demo`);
    const warnings = json(r.stdout).warnings.join('\n');
    assert.match(
      warnings,
      /UNCHECKED_ACCESS_DENIED: iam:GetRole access denied .*KarpenterNodeRole-demo/,
    );
    assert.match(
      warnings,
      /node role KarpenterNodeRole-demo \(the Karpenter docs' name; eksctl names it eksctl-KarpenterNodeRole-demo\), assumed/,
    );
  });

  test('nodeRoleARNs given: nothing looked up, no note', async () => {
    const h = await enabled();
    const given = `arn:aws:iam::${ACCOUNT}:role/my-nodes`;
    const calls = h.iam.calls.length;
    const r = await csa(
      h,
      ...['--namespace', 'karpenter', '--name', 'karpenter', '--create-namespace'],
      ...[
        '--well-known-policies',
        'karpenter',
        '--well-known-scope',
        `karpenter.nodeRoleARNs=${given}`,
      ],
      ...['--approve', '-o', 'json'],
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([karpenterPolicy(h)].flat(), [given]);
    assert.doesNotMatch(json(r.stdout).warnings.join('\n'), /node role/);
    assert.equal(h.iam.calls.slice(calls).filter((c) => c === 'getRole').length, 1);
  });
});

// The full path, as a user runs it: each test starts from a fresh cluster "demo" with its OIDC
// provider, set up and inspected through the ground's calls.
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';
let h: Harness;
let g: FakeGround;
let providerArn: string;
async function fresh() {
  h = createHarness({ clusters: ['demo'] });
  g = fakeGround(h, 'demo');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve', '-o', 'json']);
  assert.equal(enabled.code, 0, enabled.stderr);
  providerArn = json(enabled.stdout).providerArn;
}
const ground = (...args: string[]) =>
  g.iamsa(['create-serviceaccount', '--cluster', g.cluster, ...g.kubeFlags, ...args]);
const sa = (ns: string, name: string) => g.kube.getObject('serviceaccounts', ns, name);
const roleOf = async (name: string) =>
  (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
/** The trust policy of irsa.md for namespace/name of the cluster's provider. */
const expectedTrust = (namespace: string, name: string) => irsaTrust(providerArn, namespace, name);
/** A binding made for a test's own use (default namespace, ReadOnlyAccess). */
const bound = async (name: string) => {
  const r = await ground('--name', name, '--attach-policy-arn', READONLY, '--approve');
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

describe('the full path', () => {
  beforeEach(fresh);

  test('plan first: nothing changes without --approve, and the plan says how to apply', async () => {
    const before = await g.awsState();
    const r = await ground(
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
      /\+ create\s+iam-role\s+arn:aws:iam::111122223333:role\/iamsa-demo-default-planned/,
    );
    assert.match(r.stdout, /\+ create\s+service-account\s+default\/planned/);
    assert.match(r.stdout, /--approve/);
    assert.deepEqual(await g.awsState(), before);
    assert.equal(sa('default', 'planned'), undefined);
  });

  test('creates the role with the exact trust policy and annotates a new service account', async () => {
    const r = await ground(
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
    const tags = Object.fromEntries((role?.Tags ?? []).map((t: any) => [t.Key, t.Value]));
    assert.equal(tags['iamsa.io/managed-by'], 'iamsa');
    assert.equal(tags['iamsa.io/service-account'], 'app');
    const attached = await g.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'iamsa-demo-default-app' }),
    );
    assert.deepEqual(
      attached.AttachedPolicies?.map((p: any) => p.PolicyArn),
      [READONLY],
    );
    const account = sa('default', 'app');
    assert.equal(account.metadata.annotations[ANNOTATION], out.roleArn);
    assert.equal(account.metadata.labels['app.kubernetes.io/managed-by'], 'iamsa');
  });

  test('a second run converges: everything unchanged, no writes, exit 0', async () => {
    await bound('converged');
    const before = await g.awsState();
    const writes = g.kubeWrites();
    const r = await ground('--name', 'converged', '--attach-policy-arn', READONLY, '--approve');
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
    const r = await ground(
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
    const again = await ground(
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

  test("a trust widened by hand is repaired on re-run; one that no longer holds iamsa's statement is refused (exit 5)", async () => {
    await bound('drifted');
    const name = 'iamsa-demo-default-drifted';
    const trustOf = async () =>
      JSON.parse(decodeURIComponent((await roleOf(name))?.AssumeRolePolicyDocument ?? ''));
    const [ours] = (await trustOf()).Statement;
    const ec2 = {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    };
    const setTrust = (...Statement: object[]) =>
      g.iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: name,
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement }),
        }),
      );
    const rerun = () => ground('--name', 'drifted', '--attach-policy-arn', READONLY, '--approve');
    await setTrust(ours, ec2);
    const r = await rerun();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /~ update\s+iam-role[\s\S]*trust policy/);
    assert.deepEqual((await trustOf()).Statement, [ours]);

    await setTrust(ec2);
    const replaced = await rerun();
    assert.equal(replaced.code, 5, replaced.stderr);
    assert.match(
      replaced.stderr,
      /role iamsa-demo-default-drifted carries iamsa's tags for default\/drifted .* but its trust holds no statement iamsa writes for that binding/,
    );
    assert.deepEqual((await trustOf()).Statement, [ec2], 'nothing was changed');
  });
});

describe('existing service accounts', () => {
  beforeEach(fresh);

  test('an existing service account keeps its labels and annotations', async () => {
    await kubePost('default', {
      metadata: { name: 'kept', labels: { team: 'a' }, annotations: { note: 'keep me' } },
    });
    const r = await ground('--name', 'kept', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /~ update\s+service-account\s+default\/kept/);
    const account = sa('default', 'kept');
    assert.equal(account.metadata.labels.team, 'a');
    assert.equal(account.metadata.annotations.note, 'keep me');
    assert.match(account.metadata.annotations[ANNOTATION], /role\/iamsa-demo-default-kept$/);
    assert.equal(account.metadata.labels['app.kubernetes.io/managed-by'], undefined);
  });

  test('a service account annotated with another role is refused (exit 5), then overridden', async () => {
    const other = 'arn:aws:iam::111122223333:role/someone-else';
    await kubePost('default', {
      metadata: { name: 'taken', annotations: { [ANNOTATION]: other } },
    });
    const before = await g.awsState();
    const refused = await ground('--name', 'taken', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /someone-else/);
    assert.match(refused.stderr, /--override-existing-serviceaccounts/);
    assert.deepEqual(await g.awsState(), before);
    assert.equal(sa('default', 'taken').metadata.annotations[ANNOTATION], other);

    const forced = await ground(
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
    const first = await ground('--name', 'cased', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(first.code, 0, first.stderr);
    const arn = sa('default', 'cased').metadata.annotations[ANNOTATION] as string;
    const shouted = arn.replace(/role\/(.*)$/, (_, name: string) => `role/${name.toUpperCase()}`);
    await kubePatch('default', 'cased', { metadata: { annotations: { [ANNOTATION]: shouted } } });
    const r = await ground('--name', 'cased', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /~ update\s+service-account\s+default\/cased/);
    assert.equal(sa('default', 'cased').metadata.annotations[ANNOTATION], arn);
  });

  test('a deleted service account is recreated on re-run', async () => {
    await ground('--name', 'gone', '--attach-policy-arn', READONLY, '--approve');
    await kubeDelete('default', 'gone');
    assert.equal(sa('default', 'gone'), undefined);
    const r = await ground('--name', 'gone', '--attach-policy-arn', READONLY, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /= unchanged\s+iam-role/);
    assert.match(r.stdout, /\+ create\s+service-account\s+default\/gone/);
    assert.ok(sa('default', 'gone'));
  });
});

describe('modes', () => {
  beforeEach(fresh);

  test('--role-only makes no Kubernetes calls at all', async () => {
    const connections = h.connections.length;
    const calls = h.kube('demo').calls.length;
    const r = await ground(
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
    assert.equal(h.connections.length, connections, 'no Kubernetes connection');
    assert.deepEqual(h.kube('demo').calls.slice(calls), []);
    assert.ok(await roleOf('iamsa-demo-default-roleonly'));
    assert.equal(json(r.stdout).serviceAccount, undefined);
  });

  test('--attach-role-arn uses a role whose trust admits the service account', async () => {
    const arn = await byoRole('byo-role', 'byo');
    const r = await ground('--name', 'byo', '--attach-role-arn', arn, '--approve');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sa('default', 'byo').metadata.annotations[ANNOTATION], arn);
  });

  test('--attach-role-arn with a trust that does not admit the service account says what is missing', async () => {
    const arn = await byoRole('byo-for-someone-else', 'someone-else');
    const r = await ground('--name', 'other', '--attach-role-arn', arn, '--approve');
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
    const r = await ground(...args, '--approve');
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
    const doc = json((await ground(...args, '-o', 'json')).stdout);
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
    const r = await ground('--name', 'ec2', '--attach-role-arn', arn, '--approve');
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
    const doc = json(
      (await ground('--name', 'ec2', '--attach-role-arn', arn, '-o', 'json')).stdout,
    );
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
    const r = await ground(
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
      /is in account 999999999999, not 111122223333: its trust could not be read/,
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
    const r = await ground(
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
    const r = await ground(
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
    assert.ok(await h.kube('demo').namespaceExists('fresh'));
    assert.ok(sa('fresh', 'app'));
  });

  test("an explicit --role-path / does not adopt iamsa's role at another path (exit 5)", async () => {
    const args = ['--name', 'pathed', '--attach-policy-arn', READONLY, '--approve'];
    const made = await ground(...args, '--role-path', '/irsa/');
    assert.equal(made.code, 0, made.stderr);
    const before = await g.awsState();
    const r = await ground(...args, '--role-path', '/');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /exists with path \/irsa\/, not \//);
    assert.deepEqual(await g.awsState(), before);
    const converged = await ground(...args);
    assert.equal(converged.code, 0, converged.stderr);
    assert.match(converged.stdout, /Nothing to do/);
  });

  test('a cluster of the same name in another region does not take the role over (exit 5)', async () => {
    const args = ['--name', 'twin', '--attach-policy-arn', READONLY, '--role-only', '--approve'];
    const home = await ground(...args);
    assert.equal(home.code, 0, home.stderr);
    h.eks('us-west-2').addCluster('demo');
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
    const clash = await ground(...args, '--region', 'us-west-2');
    assert.equal(clash.code, 5, clash.stderr);
    assert.match(clash.stderr, /another cluster named demo \(arn:aws:eks:us-east-1:/);
    assert.match(clash.stderr, /--role-name iamsa-demo-us-west-2-default-twin/);
    assert.deepEqual(await g.awsState(), before);
    const own = await ground(
      ...args,
      '--region',
      'us-west-2',
      '--role-name',
      'iamsa-demo-us-west-2-default-twin',
    );
    assert.equal(own.code, 0, own.stderr);
    const tags = Object.fromEntries(
      ((await roleOf('iamsa-demo-us-west-2-default-twin'))?.Tags ?? []).map((t: any) => [
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
    const r = await ground(
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

test("the README's plan sample is what the tool prints", async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const [, block = ''] =
    /Without `--approve` you get the plan:\n\n {3}```text\n([\s\S]*?) {3}```/.exec(readme) ?? [];
  const sample = block.replace(/^ {3}/gm, '');
  assert.ok(sample, 'the README has no plan sample');
  const h = createHarness({ clusters: [] });
  h.eks('eu-west-1').addCluster('prod');
  await h.kube('prod').createNamespace('payments');
  const region = ['--cluster', 'prod', '--region', 'eu-west-1'];
  assert.equal((await h.run(['enable-oidc', ...region, '--approve'])).code, 0);
  const r = await h.run([
    'create-serviceaccount',
    ...region,
    ...['--namespace', 'payments', '--name', 'api'],
    ...['--attach-policy-arn', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'],
  ]);
  assert.equal(r.code, 0, r.stderr);
  // The README shows an issuer id as AWS makes them; the fakes' is the cluster's name.
  assert.equal(sample, r.stdout.replaceAll('/id/PROD0000', '/id/EXAMPLED539D4633E53DE1B71EXAMPLE'));
});
