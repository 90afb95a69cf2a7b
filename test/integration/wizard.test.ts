// The wizard in a real pseudo-terminal (tmux), answered with keystrokes as a person would: a whole
// first-timer's run, Ctrl-C and Esc, the prompts on the terminal while -o json goes to a file, and
// one DescribeCluster, one EKS token and reused sockets on the wire. The wizard's flows, declining,
// errors and the never-prompt rules for scripts run in-process in test/commands/wizard.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { GetRoleCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { type Ground, startGround } from '../support/ground.js';
import { startAwsProxy } from '../support/aws-proxy.js';
import { removeTempDir, tempDir } from '../support/temp.js';
import { splitShell } from '../support/shell-words.js';
import { Terminal } from '../support/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/iamsa.js', import.meta.url));
const ANNOTATION = 'eks.amazonaws.com/role-arn';
let g: Ground;

before(async () => {
  g = await startGround('wiz');
});
after(() => g.close());

/** A fresh ground whose default namespace also has "legacy", a service account made by hand. */
async function freshWithLegacy(): Promise<void> {
  await g.reset();
  await g.kubeAdmin('POST', '/api/v1/namespaces/default/serviceaccounts', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'legacy', labels: { team: 'x' } },
  });
}

/** The cluster's OIDC provider exists (idempotent). */
async function enabled(): Promise<void> {
  const r = await g.iamsa(['enable-oidc', '--cluster', 'wiz', '--approve']);
  assert.equal(r.code, 0, r.stderr);
}

/** Answers the permissions questions: one policy found by typing, no other, the role name shown. */
async function pickOnePolicy(t: Terminal, filter: string, choice: RegExp, roleName = /Role name/) {
  await t.waitFor(/What will this service account run\?/);
  t.press('Enter'); // something else: choose IAM policies
  await t.waitFor(/Permissions for the role/);
  t.press('Enter'); // attach IAM policies
  await t.waitFor(/Policy \(type to filter\)/);
  t.type(filter);
  await t.waitFor(choice);
  t.press('Enter');
  await t.waitFor(/Attach another policy\?/);
  t.press('Enter'); // default no
  await t.waitFor(roleName);
  t.press('Enter');
}

/** A terminal running iamsa with the ground's AWS environment and no CI variable. */
function terminal(args: string[], extra: NodeJS.ProcessEnv = {}): Terminal {
  return terminalRunning([process.execPath, BIN, ...args], extra);
}

/** A terminal running this command line with the ground's environment and no CI variable. */
function terminalRunning(command: string[], extra: NodeJS.ProcessEnv = {}): Terminal {
  const env: NodeJS.ProcessEnv = {
    ...g.env,
    TERM: 'xterm-256color',
    HOME: process.env.HOME,
    ...extra,
  };
  delete env.CI;
  return new Terminal(command, env);
}

test('a first-timer binds a service account from the wizard alone', async () => {
  await freshWithLegacy();
  const t = terminal(['wizard', ...g.kubeFlags]);
  try {
    await t.waitFor(/AWS region/);
    t.press('Enter'); // default from AWS_REGION
    await t.waitFor(/EKS cluster[\s\S]*wiz\s+\(OIDC provider: missing\)/);
    t.press('Enter');
    await t.waitFor(/Enable it now\?/);
    assert.match(t.screen(), /\+ create\s+oidc-provider/);
    t.press('Enter'); // default yes
    await t.waitFor(/Namespace/);
    t.press('Enter'); // "default" is preselected
    await t.waitFor(/Service account[\s\S]*default\s+\(no role\)[\s\S]*legacy\s+\(no role\)/);
    t.press('Down', 'Enter'); // pick the existing "legacy", below the namespace's "default"
    await pickOnePolicy(
      t,
      'AmazonS3ReadOnly',
      /❯ AmazonS3ReadOnlyAccess/,
      /Role name.*iamsa-wiz-default-legacy/,
    );
    await t.waitFor(/Apply these changes\?/);
    const plan = t.screen();
    assert.match(
      plan,
      /\+ create\s+iam-role\s+arn:aws:iam::123456789012:role\/iamsa-wiz-default-legacy/,
    );
    assert.match(plan, /~ update\s+service-account\s+default\/legacy/);
    t.type('y');
    t.press('Enter');
    const done = await t.waitFor(/Next step:/);
    assert.equal(await t.exitCode(), 0);
    console.log(`--- captured wizard screen ---\n${done.trimEnd()}\n---`);
    // The counts are those of the plan shown (role, attachment; the service account updated);
    // the provider enabled before has its own line, and its command leads the CI equivalent.
    const end = done.slice(done.lastIndexOf('Apply these changes?'));
    assert.match(
      end,
      /Enabled cluster wiz for IRSA: created arn:aws:iam::123456789012:oidc-provider\//,
    );
    assert.match(end, /Done: 2 created, 1 updated, 0 unchanged\./);
    assert.match(
      end,
      /The same, without prompts \(for CI scripts\):\n\s+iamsa enable-oidc --region us-east-1 --cluster wiz --approve\n\s+iamsa create-serviceaccount /,
    );

    const role = await g.iam.send(new GetRoleCommand({ RoleName: 'iamsa-wiz-default-legacy' }));
    const attached = await g.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'iamsa-wiz-default-legacy' }),
    );
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyName),
      ['AmazonS3ReadOnlyAccess'],
    );
    const sa = g.kube.getObject('serviceaccounts', 'default', 'legacy');
    assert.equal(sa.metadata.annotations[ANNOTATION], role.Role?.Arn);
    assert.equal(sa.metadata.labels.team, 'x');

    // The printed equivalent command, run as is (no terminal), converges with no change.
    const line = done.split('\n').find((l) => l.trim().startsWith('iamsa create-serviceaccount'));
    assert.ok(line, 'the equivalent command is printed');
    assert.match(line, /--approve/);
    const args = splitShell(line.trim()).slice(1);
    const again = await g.iamsa(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do/);
  } finally {
    t.close();
  }
});

test('Ctrl-C midway exits 130 and changes nothing', async () => {
  await enabled();
  const before = await g.awsState();
  const writes = g.kubeWrites();
  const t = terminal(['create-serviceaccount', '--cluster', 'wiz', ...g.kubeFlags]);
  try {
    // --namespace defaults to default, as without a terminal: not asked.
    const screen = await t.waitFor(/Service account/);
    assert.doesNotMatch(screen, /Namespace/);
    t.press('C-c');
    assert.equal(await t.exitCode(), 130);
    assert.deepEqual(await g.awsState(), before);
    assert.equal(g.kubeWrites(), writes);
  } finally {
    t.close();
  }
});

test('Esc at a prompt cancels too (exit 130)', async () => {
  const t = terminal(['wizard', ...g.kubeFlags]);
  try {
    await t.waitFor(/AWS region/);
    t.press('Escape');
    assert.equal(await t.exitCode(), 130);
  } finally {
    t.close();
  }
});

test('wizard -o json > file: the prompts on the terminal, the document in the file', async () => {
  await g.reset();
  await enabled();
  const dir = tempDir('wizard-json');
  const file = join(dir, 'result.json');
  const command = [
    process.execPath,
    BIN,
    'wizard',
    '--region',
    'us-east-1',
    '-o',
    'json',
    ...g.kubeFlags,
  ]
    .map((a) => `'${a}'`)
    .join(' ');
  const shell = terminalRunning(['sh', '-c', `${command} > '${file}'`]);
  try {
    await shell.waitFor(/EKS cluster[\s\S]*wiz\s+\(OIDC provider: yes\)/);
    shell.press('Enter');
    await shell.waitFor(/Namespace/);
    shell.press('Enter');
    await shell.waitFor(/Service account[\s\S]*New service account/);
    shell.press('Enter'); // the namespace's "default" service account
    await pickOnePolicy(shell, 'ReadOnlyAccess', /❯ ReadOnlyAccess/);
    await shell.waitFor(/Apply these changes\? \(y\/N\)/);
    shell.type('y');
    shell.press('Enter');
    assert.equal(await shell.exitCode(), 0, shell.screen());
    const document = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(document.applied, true);
    assert.match(document.equivalentCommand, /^iamsa create-serviceaccount /);
    assert.doesNotMatch(shell.screen(), /"applied"/, 'the document is not on the terminal');
  } finally {
    shell.close();
    removeTempDir(dir);
  }
});

test('the wizard describes its cluster once and opens one Kubernetes connection with one token', async () => {
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'wiz', '--approve']);
  assert.equal(enabled.code, 0, enabled.stderr);
  const proxy = await startAwsProxy(g.moto.url);
  const connectionsBefore = g.kube.connections();
  const requestsBefore = g.kube.requests.length;
  const env: NodeJS.ProcessEnv = {
    ...g.env,
    // Every AWS call goes through the counting proxy, EKS too (the wizard makes no Pod Identity call).
    AWS_ENDPOINT_URL: proxy.url,
    AWS_ENDPOINT_URL_EKS: proxy.url,
    TERM: 'xterm-256color',
    HOME: process.env.HOME,
  };
  delete env.CI;
  const t = new Terminal(
    [process.execPath, BIN, 'wizard', '--region', 'us-east-1', ...g.kubeFlags],
    env,
  );
  try {
    await t.waitFor(/EKS cluster[\s\S]*wiz\s+\(OIDC provider: yes\)/);
    t.press('Enter');
    await t.waitFor(/Namespace/);
    t.press('Enter');
    const list = await t.waitFor(/New service account…/);
    // The last choice makes a new one: move down past the existing accounts.
    const lines = list.split('\n');
    const first = lines.findIndex((l) => /\? Service account/.test(l));
    const last = lines.findIndex((l) => /New service account…/.test(l));
    t.press(...Array<'Down'>(last - first - 1).fill('Down'), 'Enter');
    await t.waitFor(/Service account name/);
    t.type('counted');
    t.press('Enter');
    await pickOnePolicy(t, 'AmazonS3ReadOnly', /❯ AmazonS3ReadOnlyAccess/);
    await t.waitFor(/Apply these changes\?/);
    t.type('y');
    t.press('Enter');
    await t.waitFor(/Next step:/);
    assert.equal(await t.exitCode(), 0);
  } finally {
    t.close();
    await proxy.close();
  }
  const describes = proxy.calls.filter((c) => c.method === 'GET' && c.path === '/clusters/wiz');
  assert.equal(describes.length, 1, 'one DescribeCluster');
  // One lookup for the cluster list, one by the session (shared by enable-oidc's plan and the binding).
  const lookups = proxy.calls.filter((c) => c.action === 'GetOpenIDConnectProvider');
  assert.equal(lookups.length, 2);
  // One connection object: one token, and its keep-alive sockets are reused (concurrent reads
  // may open a second socket, never one per request).
  const requests = g.kube.requests.slice(requestsBefore);
  const tokens = new Set(requests.map((r) => r.token));
  assert.equal(tokens.size, 1, 'one EKS token');
  const sockets = g.kube.connections() - connectionsBefore;
  assert.ok(
    sockets <= 2 && sockets < requests.length,
    `${sockets} sockets for ${requests.length} requests`,
  );
  assert.ok(g.kube.getObject('serviceaccounts', 'default', 'counted'));
});
