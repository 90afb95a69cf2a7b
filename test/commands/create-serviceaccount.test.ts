// create-serviceaccount in-process (test/support/harness.ts): input checks, preconditions, empty
// flag values and the output a user acts on, over the stateful fakes. What needs the real
// services or a process stays in test/integration/create-serviceaccount.test.ts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ACCOUNT } from '../support/fakes.js';
import { createHarness, type Harness } from '../support/harness.js';
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
