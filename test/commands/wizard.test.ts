// The wizard and the prompts of create-serviceaccount in-process (test/support/harness.ts), answered
// by the scripted prompter over the stateful fakes: its flows, declining and cancelling, errors
// before and inside it, and the never-prompt-where-nobody-can-answer rules for scripts. What only a
// real terminal shows (keystrokes, Ctrl-C and Esc, the prompts on the terminal while the document
// goes to a file, one connection and token) stays in tmux in test/integration/wizard.test.ts.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { ACCOUNT } from '../support/fakes.js';
import { type FakeGround, fakeGround } from '../support/fake-ground.js';
import {
  type Answer,
  CANCEL,
  createHarness,
  DEFAULT,
  type Harness,
  type RunOptions,
} from '../support/harness.js';
import { splitShell } from '../support/shell-words.js';

const ANNOTATION = 'eks.amazonaws.com/role-arn';
const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
/** At a terminal, with no CI variable. */
const TTY: RunOptions = { tty: true };
let h: Harness;
let g: FakeGround;

// Each test starts from a fresh cluster "wiz" whose default namespace also has "legacy", a service
// account made by hand.
beforeEach(async () => {
  h = createHarness({ clusters: ['wiz'] });
  g = fakeGround(h, 'wiz');
  await g.kubeAdmin('POST', '/api/v1/namespaces/default/serviceaccounts', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'legacy', labels: { team: 'x' } },
  });
});

/** The cluster's OIDC provider exists. */
async function enabled(): Promise<void> {
  const r = await g.iamsa(['enable-oidc', '--cluster', 'wiz', '--approve']);
  assert.equal(r.code, 0, r.stderr);
}

/** The permissions questions: one policy found by typing, no other, the role name shown. */
const onePolicy = (filter: string, choice: RegExp): Answer[] => [
  [/What will this service account run\?/, DEFAULT], // something else: choose IAM policies
  [/Permissions for the role/, DEFAULT], // attach IAM policies
  [/Policy \(type to filter\)/, { type: filter, pick: choice }],
  [/Attach another policy\?/, DEFAULT], // no
  [/Role name/, DEFAULT],
];

/** What a terminal shows of a run: both streams, without escape sequences. */
const screen = (r: { stdout: string; stderr: string }) =>
  stripVTControlCharacters(r.stdout + r.stderr);

/** The equivalent command the run printed, as arguments. */
function equivalent(output: string): string[] {
  const line = output.split('\n').find((l) => l.trim().startsWith('iamsa create-serviceaccount'));
  assert.ok(line, `the equivalent command is printed:\n${output}`);
  assert.match(line, /--approve/);
  return splitShell(line.trim()).slice(1);
}

test('a first-timer binds a service account from the wizard alone, and the printed command converges', async () => {
  const r = await h.run(['wizard'], {
    ...TTY,
    answers: [
      [/AWS region/, DEFAULT],
      [/EKS cluster/, /wiz\s+\(OIDC provider: missing\)/],
      [/Enable it now\?/, DEFAULT], // yes
      [/Namespace/, DEFAULT], // "default" is preselected
      [/Service account/, /legacy\s+\(no role\)/],
      ...onePolicy('AmazonS3ReadOnly', /^AmazonS3ReadOnlyAccess/),
      [/Apply these changes\?/, true],
    ],
  });
  assert.equal(r.code, 0, r.stderr);
  const out = screen(r);
  assert.match(out, /\+ create\s+oidc-provider/);
  assert.match(
    out,
    new RegExp(`\\+ create\\s+iam-role\\s+arn:aws:iam::${ACCOUNT}:role/iamsa-wiz-default-legacy`),
  );
  assert.match(out, /~ update\s+service-account\s+default\/legacy/);
  assert.match(out, /Role name/);
  const end = out.slice(out.lastIndexOf('Apply these changes?'));
  assert.match(end, /Enabled cluster wiz for IRSA: created arn:aws:iam::\d+:oidc-provider\//);
  assert.match(end, /Done: 2 created, 1 updated, 0 unchanged\./);
  assert.match(
    end,
    /The same, without prompts \(for CI scripts\):\n\s+iamsa enable-oidc --region us-east-1 --cluster wiz --approve\n\s+iamsa create-serviceaccount /,
  );
  assert.match(end, /Next step:/);
  const role = await h.iam.getRole('iamsa-wiz-default-legacy');
  assert.deepEqual(await h.iam.listAttachedPolicyArns('iamsa-wiz-default-legacy'), [
    'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
  ]);
  const sa = g.kube.getObject('serviceaccounts', 'default', 'legacy');
  assert.equal(sa.metadata.annotations[ANNOTATION], role?.arn);
  assert.equal(sa.metadata.labels.team, 'x');
  const again = await g.iamsa(equivalent(end));
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to do/);
});

test('re-running the wizard on a service account bound to its own role asks no override', async () => {
  await enabled();
  const bound = await g.iamsa([
    'create-serviceaccount',
    '--cluster',
    'wiz',
    '--name',
    'legacy',
    '--attach-policy-arn',
    'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    '--approve',
  ]);
  assert.equal(bound.code, 0, bound.stderr);
  const r = await h.run(['wizard', '--region', 'us-east-1'], {
    ...TTY,
    answers: [
      [/EKS cluster/, /wiz\s+\(OIDC provider: yes\)/],
      [/Namespace/, DEFAULT],
      [/Service account/, /legacy\s+\(role: arn:aws:iam::\d+:role\/iamsa-wiz-default-legacy\)/],
      ...onePolicy('AmazonS3ReadOnly', /^AmazonS3ReadOnlyAccess/),
    ],
  });
  assert.equal(r.code, 0, r.stderr);
  const done = screen(r);
  assert.match(done, /The same, without prompts/);
  assert.ok(!r.asked.some((q) => /override|Point it at/i.test(q)), r.asked.join('\n'));
  assert.doesNotMatch(done, /Point it at the new role/);
  assert.match(done, /Nothing to do/);
  assert.doesNotMatch(done, /Next step:/, 'nothing changed, nothing to restart');
  assert.doesNotMatch(done, /--override-existing-serviceaccounts/);
});

test('the wizard offers well-known policies, asks for their scope, and the CI command carries it', async () => {
  await enabled();
  const zone = 'arn:aws:route53:::hostedzone/ZWIZ';
  const r = await h.run(
    [
      'create-serviceaccount',
      '--region',
      'us-east-1',
      '--cluster',
      'wiz',
      '--namespace',
      'default',
      '--name',
      'dns-wiz',
    ],
    {
      ...TTY,
      answers: [
        [/What will this service account run\?/, /^externalDNS/],
        [/externalDNS: hosted zone ARNs/, 'not-an-arn'],
        [/externalDNS: hosted zone ARNs/, zone],
        [/Add another well-known policy\?/, false],
        [/Also attach IAM policies/, false],
        [/Role name/, DEFAULT],
        [/Apply these changes\?/, true],
      ],
    },
  );
  assert.equal(r.code, 0, r.stderr);
  const out = screen(r);
  assert.match(out, /is not the ARN of a hosted zone/);
  assert.match(out, /\+ create\s+managed-policy\s+\S+iamsa-wiz-default-dns-wiz-externalDNS/);
  assert.match(out, /Next step:/);
  const args = equivalent(out);
  assert.match(
    args.join(' '),
    /--well-known-policies externalDNS --well-known-scope externalDNS\.hostedZoneARNs=arn:aws:route53:::hostedzone\/ZWIZ/,
  );
  const again = await g.iamsa(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to do/);
});

test('--namespace defaults to default at a terminal too: not asked; cancelling changes nothing', async () => {
  await enabled();
  const before = h.state();
  const r = await h.run(['create-serviceaccount', '--cluster', 'wiz'], {
    ...TTY,
    answers: [[/Service account/, CANCEL]],
  });
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(r.asked, ['select: Service account']);
  assert.deepEqual(h.state(), before);
});

test('create-serviceaccount at a terminal: NO_COLOR keeps progress lines; declining says Cancelled', async () => {
  await enabled();
  const before = h.state();
  const r = await h.run(
    [
      'create-serviceaccount',
      '--cluster',
      'wiz',
      '--name',
      'declined',
      '--attach-policy-arn',
      READONLY,
    ],
    { ...TTY, env: { NO_COLOR: '1' }, answers: [[/Apply these changes\?/, DEFAULT]] },
  );
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(r.asked, ['confirm: Apply these changes?']);
  const shown = screen(r);
  assert.match(shown, /✔ Reading cluster wiz/);
  assert.ok(!(r.stdout + r.stderr).includes('\u001b[3'), 'no colour');
  assert.match(shown, /^Cancelled: nothing was changed\.$/m);
  assert.doesNotMatch(shown, /error:/);
  assert.deepEqual(h.state(), before);
});

test('declining the plan in the wizard exits 130 and changes nothing', async () => {
  await enabled();
  const before = h.state();
  const r = await h.run(['wizard', '--region', 'us-east-1'], {
    ...TTY,
    answers: [
      [/EKS cluster/, /wiz\s+\(OIDC provider: yes\)/],
      [/Namespace/, DEFAULT],
      [/Service account/, DEFAULT], // the namespace's "default" service account
      ...onePolicy('ReadOnlyAccess', /^ReadOnlyAccess/),
      [/Apply these changes\?/, DEFAULT], // no
    ],
  });
  assert.equal(r.code, 130, r.stderr);
  assert.match(screen(r), /Cancelled: nothing was changed\./);
  assert.doesNotMatch(screen(r), /error:/);
  assert.deepEqual(h.state(), before);
  // The command for scripts still comes, before Cancelled, and does what the plan showed.
  const end = screen(r).slice(screen(r).lastIndexOf('Apply these changes?'));
  assert.match(
    end,
    /The same, without prompts \(for CI scripts\):\n\s+iamsa create-serviceaccount [^\n]*--attach-policy-arn arn:aws:iam::aws:policy\/ReadOnlyAccess[^\n]*\n(.*\n)*Cancelled/,
  );
  const made = await g.iamsa(equivalent(end));
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /Done/);
});

test('an API error inside the wizard is the same one-line error and exit code as with flags', async () => {
  const r = await h.run(['create-serviceaccount', '--cluster', 'ghost'], TTY);
  assert.equal(r.code, 3, r.stderr);
  assert.deepEqual(r.asked, []);
  assert.match(screen(r), /error: cluster ghost not found in region us-east-1/);
  assert.doesNotMatch(screen(r), /\n\s+at /);
  const flags = await h.run([
    'create-serviceaccount',
    '--cluster',
    'ghost',
    '--name',
    'a',
    '--attach-policy-arn',
    READONLY,
  ]);
  assert.equal(flags.code, 3);
  assert.match(flags.stderr, /error: cluster ghost not found in region us-east-1/);
});

test('a bad flag given to the wizard is refused before the first question (exit 2)', async () => {
  const r = await h.run(
    [
      'create-serviceaccount',
      '--cluster',
      'wiz',
      '--attach-policy-arn',
      'arn:aws:iam::aws:policy/No Such',
    ],
    TTY,
  );
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(r.asked, []);
  assert.match(screen(r), /error: invalid --attach-policy-arn "arn:aws:iam::aws:policy\/No Such"/);
  assert.doesNotMatch(screen(r), /Namespace|Service account|\?/);
});

test('at a terminal without --approve, a mutating command asks; declining exits 130 with nothing changed', async () => {
  await enabled();
  const before = h.state();
  const r = await h.run(
    [
      'create-serviceaccount',
      '--cluster',
      'wiz',
      '--name',
      'asked',
      '--attach-policy-arn',
      READONLY,
    ],
    { ...TTY, answers: [[/Apply these changes\?/, DEFAULT]] },
  );
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(h.state(), before);
  assert.equal(g.kube.getObject('serviceaccounts', 'default', 'asked'), undefined);
});

test('with -o json at a terminal the question goes to stderr and the answer is one JSON document', async () => {
  await enabled();
  const r = await h.run(
    [
      'create-serviceaccount',
      '--cluster',
      'wiz',
      '--name',
      'jsonasked',
      '--attach-policy-arn',
      READONLY,
      '-o',
      'json',
    ],
    { ...TTY, answers: [[/Apply these changes\?/, true]] },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\? Apply these changes\?/);
  const document = JSON.parse(r.stdout);
  assert.equal(document.applied, true);
  assert.equal(document.changed, true);
  assert.ok(g.kube.getObject('serviceaccounts', 'default', 'jsonasked'));
});

test('stdin not a terminal: no prompt, exit 2 naming every missing flag, no ANSI', async () => {
  const r = await h.run(['create-serviceaccount', '--namespace', 'default']);
  assert.equal(r.code, 2);
  assert.deepEqual(r.asked, []);
  assert.match(r.stderr, /--cluster/);
  assert.match(r.stderr, /--name/);
  assert.match(r.stderr, /--attach-policy-arn/);
  assert.ok(!(r.stdout + r.stderr).includes('\u001b['), 'no ANSI escape codes');
});

test('CI=true at a terminal: still no prompt, exit 2, no ANSI', async () => {
  const r = await h.run(['create-serviceaccount', '--cluster', 'wiz'], {
    ...TTY,
    env: { CI: 'true' },
  });
  assert.equal(r.code, 2);
  assert.deepEqual(r.asked, []);
  assert.match(
    r.stderr,
    /missing required flags: --name, one of --well-known-policies, --attach-policy-arn/,
  );
  assert.ok(!(r.stdout + r.stderr).includes('\u001b['), 'no ANSI escape codes');
});

test('the wizard command itself needs a terminal (exit 2)', async () => {
  const r = await h.run(['wizard']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /interactive terminal/);
});

test('--no-input never prompts', async () => {
  const r = await h.run(['create-serviceaccount', '--cluster', 'wiz', '--no-input'], TTY);
  assert.equal(r.code, 2);
  assert.deepEqual(r.asked, []);
});

test('cancelling after the wizard enabled the cluster says the provider was created', async () => {
  const r = await h.run(['create-serviceaccount', '--cluster', 'wiz'], {
    ...TTY,
    answers: [
      [/Enable it now\?/, DEFAULT],
      [/Service account/, CANCEL],
    ],
  });
  assert.equal(r.code, 130);
  assert.match(screen(r), /only the OIDC provider of cluster wiz was created/);
  const after = await g.iam.send(new ListOpenIDConnectProvidersCommand({}));
  assert.equal(after.OpenIDConnectProviderList?.length, 1);
});

test('the wizard describes its cluster once and opens one Kubernetes connection', async () => {
  await enabled();
  const [describes, calls] = [h.eks().describes, h.iam.calls.length];
  const r = await h.run(['wizard', '--region', 'us-east-1'], {
    ...TTY,
    answers: [
      [/EKS cluster/, /wiz/],
      [/Namespace/, DEFAULT],
      [/Service account/, /New service account/],
      [/Service account name/, 'counted'],
      ...onePolicy('AmazonS3ReadOnly', /^AmazonS3ReadOnlyAccess/),
      [/Apply these changes\?/, true],
    ],
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(h.eks().describes - describes, 1, 'one DescribeCluster');
  // One lookup for the cluster list, one by the session (shared by enable-oidc's plan and the binding).
  const lookups = h.iam.calls.slice(calls).filter((c) => c === 'getOidcProvider');
  assert.equal(lookups.length, 2);
  assert.deepEqual(
    h.connections.map((c) => c.cluster),
    ['wiz'],
    'one connection',
  );
  assert.ok(g.kube.getObject('serviceaccounts', 'default', 'counted'));
});
