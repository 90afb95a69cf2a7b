// The command line's contract in-process (test/support/harness.ts): help, usage errors in iamsa's
// words, empty values, -o json errors. What only the process shows (streams, start-up, the SDK's
// chains, exit status of a failed write) stays in test/integration/cli.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHarness } from '../support/harness.js';

const h = createHarness();

test("every command's help shows the global flags and examples of that command", async () => {
  const overview = (await h.run(['--help'])).stdout;
  const commands = [...overview.matchAll(/^ {2}([a-z-]+) \[options\]|^ {2}(completion) /gm)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
  assert.ok(commands.length >= 7, commands.join(' '));
  for (const command of commands) {
    const r = await h.run([command, '--help']);
    assert.equal(r.code, 0, command);
    const [, global = ''] = r.stdout.split('\nGlobal flags:\n');
    for (const flag of [
      '--region',
      '--profile',
      '-o, --output',
      '--verbose',
      '--no-input',
      '--no-color',
    ])
      assert.ok(global.includes(flag), `${command}: ${flag}`);
    assert.doesNotMatch(global, /--version/);
    const [, examples = ''] = r.stdout.split('\nExamples:\n');
    assert.match(examples, new RegExp(`^  iamsa ${command}`, 'm'), command);
  }
});

test('completion --help says how to load the script in each shell', async () => {
  const r = await h.run(['completion', '--help']);
  assert.match(r.stdout, /source <\(iamsa completion bash\)/);
  assert.match(r.stdout, /source <\(iamsa completion zsh\)/);
  assert.match(r.stdout, /iamsa completion fish > ~\/.config\/fish\/completions\/iamsa.fish/);
});

test("parse failures are said in iamsa's words with the help to read", async () => {
  const cases: Array<[string[], RegExp, RegExp]> = [
    [
      ['creat-serviceaccount'],
      /unknown command creat-serviceaccount/,
      /did you mean create-serviceaccount\? see 'iamsa --help'/,
    ],
    [['--nope', 'enable-oidc'], /unknown flag --nope/, /see 'iamsa --help'/],
    // Other tools' version flags (issue 19).
    [['-v'], /unknown flag -v/, /did you mean --version\? see 'iamsa --help'/],
    [['-V'], /unknown flag -V/, /did you mean --version\?/],
    // eksctl habits get the iamsa command.
    [
      ['create', 'iamserviceaccount', '--cluster', 'prod'],
      /unknown command create iamserviceaccount/,
      /in iamsa it is: iamsa create-serviceaccount --cluster prod\. See 'iamsa create-serviceaccount --help'/,
    ],
    [
      ['utils', 'associate-iam-oidc-provider', '--cluster', 'prod', '--approve'],
      /unknown command utils associate-iam-oidc-provider/,
      /in iamsa it is: iamsa enable-oidc --cluster prod --approve\./,
    ],
    [
      ['get', 'iamserviceaccount', '--cluster', 'prod'],
      /unknown command get iamserviceaccount/,
      /in iamsa it is: iamsa get-serviceaccounts --cluster prod\./,
    ],
    [
      [
        'create-serviceaccount',
        '-c',
        'p',
        '--name',
        'a',
        '--attach-policy-arn',
        'arn:aws:iam::aws:policy/X',
        '--mechanism',
        'podidentity',
        '--region',
        'us-east-1',
      ],
      /invalid --mechanism "podidentity": expected irsa or pod-identity/,
      /did you mean --mechanism pod-identity\?/,
    ],
    [
      ['create-serviceaccount', '--nme', 'x'],
      /unknown flag --nme/,
      /did you mean --name\? see 'iamsa create-serviceaccount --help'/,
    ],
    [
      ['enable-oidc', '--cluster'],
      /flag --cluster needs a value/,
      /see 'iamsa enable-oidc --help'/,
    ],
    [
      ['enable-oidc', 'prod'],
      /unexpected argument prod: enable-oidc takes only flags/,
      /see 'iamsa enable-oidc --help'/,
    ],
    [
      ['completion'],
      /completion needs <shell>: bash, zsh or fish/,
      /see 'iamsa completion --help'/,
    ],
    [['completion', 'pwsh'], /no completion for shell pwsh/, /see 'iamsa completion --help'/],
    // A mistyped help topic is that error, not the whole help and "no command given".
    [['help', 'doctr'], /^error: unknown command doctr$/m, /did you mean iamsa help doctor\? see /],
    // Every value of a fixed set names the nearest one (a swap of two letters is one edit).
    [['completion', 'bsh'], /no completion for shell bsh/, /did you mean bash\? see /],
    [
      ['audit', '-c', 'x', '--fail-on', 'hihg'],
      /invalid --fail-on "hihg": expected high, medium or low/,
      /did you mean --fail-on high\? see 'iamsa audit --help'/,
    ],
    [
      ['migrate-from-kube2iam', '-c', 'x', '--flavour', 'kaim', '--region', 'us-east-1'],
      /invalid --flavour "kaim": expected kube2iam or kiam/,
      /did you mean --flavour kiam\? see 'iamsa migrate-from-kube2iam --help'/,
    ],
    [
      ['migrate-from-kube2iam', '-c', 'x', '--namespace-restriction-format', 'regex'],
      /invalid --namespace-restriction-format "regex": expected glob or regexp/,
      /did you mean --namespace-restriction-format regexp\?/,
    ],
    [
      ['create-serviceaccount', '-c', 'x', '--well-known', 'ebsCSIController'],
      /unknown flag --well-known$/,
      /did you mean --well-known-policies or --well-known-scope\? see /,
    ],
    [['-o', 'jsn', 'enable-oidc'], /not jsn/, /did you mean -o json\? see 'iamsa --help'/],
    [
      ['-o', 'xml', 'enable-oidc'],
      /-o\/--output takes text, json, yaml, not xml$/,
      /see 'iamsa --help'/,
    ],
    // Only the formats the command takes: sarif is audit's.
    [['enable-oidc', '-o', 'jsno'], /takes text, json, yaml, not jsno$/, /did you mean -o json\?/],
    [['audit', '-c', 'x', '-o', 'xml'], /takes text, json, yaml, sarif, not xml$/, /see /],
    // A boolean flag given a value is that, not an unknown flag.
    [
      ['enable-oidc', '-c', 'x', '--approve=false'],
      /^error: flag --approve takes no value$/,
      /^hint: see 'iamsa enable-oidc --help'$/,
    ],
    [['enable-oidc', '--approve=yes'], /^error: flag --approve takes no value$/, /^hint: see /],
    [['--verbose=1', 'enable-oidc'], /^error: flag --verbose takes no value$/, /^hint: see /],
  ];
  for (const [args, message, hint] of cases) {
    const r = await h.run(args);
    assert.equal(r.code, 2, args.join(' '));
    const [error = '', hintLine = ''] = r.stderr.split('\n');
    assert.match(error, /^error: /, args.join(' '));
    assert.match(error, message, args.join(' '));
    assert.match(hintLine, /^hint: /, args.join(' '));
    assert.match(hintLine, hint, args.join(' '));
    assert.doesNotMatch(r.stderr, /option '|Did you mean|\(/, args.join(' '));
  }
});

test('a value of a fixed set is taken in any case; a mistyped well-known key names the nearest', async () => {
  const g = createHarness({ clusters: ['prod'] });
  assert.equal((await g.run(['enable-oidc', '-c', 'prod', '--approve'])).code, 0);
  const audit = await g.run(['audit', '-c', 'prod', '--fail-on', 'HIGH']);
  assert.equal(audit.code, 0, audit.stderr);
  const json = await g.run(['well-known-policies', '-o', 'JSON']);
  assert.equal(json.code, 0, json.stderr);
  // A document like every other: versioned, named for its command.
  const listed = JSON.parse(json.stdout);
  assert.equal(listed.schemaVersion, 2);
  assert.equal(listed.command, 'well-known-policies');
  assert.ok(listed.policies.some((p: { key: string }) => p.key === 'karpenter'));
  const csa = (...args: string[]) =>
    g.run(['create-serviceaccount', '-c', 'prod', '--name', 'app', '--role-only', ...args]);
  const upper = await csa('--well-known-policies', 'ebscsicontroller', '--mechanism', 'IRSA');
  assert.equal(upper.code, 0, upper.stderr);
  assert.match(upper.stdout, /EBS|ebsCSIController|ebs-csi/i);
  const typo = await csa('--well-known-policies', 'ebsCSIControler');
  assert.equal(typo.code, 2);
  assert.equal(
    typo.stderr,
    'error: unknown well-known policy "ebsCSIControler" in --well-known-policies\nhint: did you mean ebsCSIController? (iamsa well-known-policies lists them all)\n',
  );
});

test('a mistyped region is exit 2 before any call, naming the nearest region the SDK knows', async () => {
  const g = createHarness({ clusters: ['prod'] });
  const before = g.state();
  const r = await g.run(['enable-oidc', '-c', 'prod', '--region', 'us-est-1', '--approve']);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'error: invalid --region "us-est-1": no AWS region has that name\nhint: did you mean us-east-1?\n',
  );
  assert.deepEqual(g.state(), before);
  // A dash left out fails the region's shape, and still names the nearest region.
  const dash = await g.run(['enable-oidc', '-c', 'prod', '--region', 'us-east1']);
  assert.equal(dash.code, 2);
  assert.match(dash.stderr, /invalid --region "us-east1": must be an AWS region code/);
  assert.match(dash.stderr, /\nhint: did you mean us-east-1\?\n$/);
  // Regions the SDK knows, in every partition, and a number newer than it: no refusal.
  for (const region of [
    'eu-west-1',
    'ap-southeast-2',
    'us-gov-west-1',
    'cn-north-1',
    'eusc-de-east-1',
    'ap-east-9',
  ]) {
    const ok = await g.run(['enable-oidc', '-c', 'prod', '--region', region]);
    assert.doesNotMatch(ok.stderr, /invalid --region/, region);
  }
});

test('an empty global or --tags value is a usage error, not a fall back to defaults', async () => {
  for (const args of [
    ['--region', '', 'enable-oidc', '--cluster', 'x'],
    ['--profile', '', 'enable-oidc', '--cluster', 'x'],
    ['enable-oidc', '--cluster', 'x', '--region='],
    ['enable-oidc', '--cluster', 'x', '--tags', ''],
    [
      'create-serviceaccount',
      '--cluster',
      'x',
      '--name',
      'a',
      '--attach-policy-arn',
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      '--tags',
      '',
    ],
  ]) {
    // Any AWS call would reach the fakes (cluster x does not exist: exit 3), so exit 2 means none was made.
    const r = await h.run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^error: --(region|profile|tags) was given an empty value/);
  }
});

test('a missing required flag is a usage error (exit 2)', async () => {
  const r = await h.run(['create-serviceaccount', '--name', 'a']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--cluster/);
});

test('errors in -o json are one JSON document on stdout', async () => {
  const r = await h.run([
    'create-serviceaccount',
    '--cluster',
    'x',
    '--name',
    'BAD',
    '--attach-policy-arn',
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
    '-o',
    'json',
  ]);
  assert.equal(r.code, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.error.exitCode, 2);
  assert.match(doc.error.message, /BAD/);
});

test('a usage error with -o json in any spelling is one JSON document on stdout', async () => {
  for (const spelling of [
    ['-o', 'json'],
    ['--output=json'],
    ['-ojson'],
    ['--output', 'json'],
    // In any case, as the flag takes it.
    ['-o', 'JSON'],
    ['--output=Json'],
  ]) {
    const r = await h.run(['enable-oidc', '--cluster', 'x', '--nope', ...spelling]);
    assert.equal(r.code, 2, spelling.join(' '));
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.error.exitCode, 2);
    assert.equal(doc.error.message, 'unknown flag --nope');
    assert.equal(doc.error.hint, "see 'iamsa enable-oidc --help'");
  }
});

test('a usage error with -o YAML in any case is one YAML document on stdout', async () => {
  const r = await h.run(['enable-oidc', '--cluster', 'x', '--nope', '--output=Yaml']);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /^error:\n {2}message: unknown flag --nope\n/);
  assert.match(r.stdout, /^ {2}exitCode: 2$/m);
});

test('parser errors in -o json keep the one-line message and put suggestions in the hint', async () => {
  const typo = await h.run(['enable-oidc', '--cluster', 'x', '--approv', '-o', 'json']);
  assert.equal(typo.code, 2);
  const doc = JSON.parse(typo.stdout);
  assert.equal(doc.error.message, 'unknown flag --approv');
  assert.equal(doc.error.hint, "did you mean --approve? see 'iamsa enable-oidc --help'");
  const bare = await h.run(['-o', 'json']);
  assert.equal(bare.code, 2);
  assert.equal(JSON.parse(bare.stdout).error.message, 'no command given');
});

test('a mistyped flag is reported as such, before any missing one', async () => {
  const r = await h.run(['enable-oidc', '--clustr', 'demo']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown flag --clustr/);
  assert.match(r.stderr, /did you mean --cluster\?/);
  const missing = await h.run(['enable-oidc']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing required flag: --cluster/);
});

test("eksctl's habits, spaced or hyphenated, get the iamsa command with the flags typed", async () => {
  for (const habit of [
    ['create', 'iamserviceaccount'],
    ['create-iamserviceaccount'],
    ['create', 'iamserviceaccounts'],
  ]) {
    const r = await h.run([...habit, '--cluster', 'prod', '--name', 'my app']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /in iamsa it is: iamsa create-serviceaccount --cluster prod --name 'my app'\. See 'iamsa create-serviceaccount --help'/,
      habit.join(' '),
    );
  }
  const pods = await h.run(['create-podidentityassociation', '--cluster', 'prod']);
  assert.match(
    pods.stderr,
    /in iamsa it is: iamsa create-serviceaccount --mechanism pod-identity --cluster prod\. See/,
  );
});

test("-o sarif is shown in audit's help only", async () => {
  const audit = (await h.run(['audit', '--help'])).stdout;
  assert.match(audit, /"sarif",\s+default: "text"/);
  for (const command of ['create-serviceaccount', 'doctor', 'apply']) {
    const help = (await h.run([command, '--help'])).stdout;
    const line = help.split('\n').find((l) => l.includes('--output')) ?? '';
    assert.ok(line, command);
    assert.doesNotMatch(help, /sarif/, command);
  }
  assert.match((await h.run(['--help'])).stdout, /audit also takes sarif/);
});

test('--help lists the commands and the global flags', async () => {
  const r = await h.run(['--help']);
  assert.equal(r.code, 0);
  for (const word of [
    'enable-oidc',
    'create-serviceaccount',
    '--region',
    '--profile',
    '--output',
    '--no-color',
    '--verbose',
  ]) {
    assert.ok(r.stdout.includes(word), word);
  }
});

test('an unknown flag is a usage error (exit 2)', async () => {
  const r = await h.run(['enable-oidc', '--cluster', 'x', '--nope']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: unknown flag --nope\nhint: see 'iamsa enable-oidc --help'\n$/);
});

test('bare iamsa prints the help on stdout and exits 0', async () => {
  const r = await h.run([]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: iamsa/);
  assert.match(r.stdout, /Commands:/);
  assert.equal(r.stderr, '');
});
