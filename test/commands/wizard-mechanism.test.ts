// The wizard in-process (scripted answers through test/support/harness.ts): the mechanism is
// offered when the cluster can do Pod Identity, and a service account bound through Pod Identity
// is listed with its role. The terminal itself (tmux) stays in test/integration/wizard.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCOUNT } from '../support/fakes.js';
import { type FakeGround, fakeGround } from '../support/fake-ground.js';
import { createHarness, DEFAULT, type Question } from '../support/harness.js';

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

/** create-serviceaccount that asks the rest (a terminal, no --name). */
const wizardArgs = (g: { kubeFlags: string[] }) => [
  'create-serviceaccount',
  '-c',
  'life',
  ...g.kubeFlags,
  '--attach-policy-arn',
  S3_READ,
];

/** default/NAME bound through Pod Identity with iamsa's role. */
async function bindPodIdentity(g: FakeGround, name: string) {
  const bound = await g.iamsa(
    ['create-serviceaccount', '-c', 'life', ...g.kubeFlags, '--name', name].concat([
      '--mechanism',
      'pod-identity',
      '--attach-policy-arn',
      READONLY,
      '--approve',
    ]),
  );
  assert.equal(bound.code, 0, bound.stderr);
}

async function ground(agent: boolean) {
  const h = createHarness({ clusters: ['life'] });
  if (agent) h.eks().installAgent('life');
  const g = fakeGround(h, 'life');
  assert.equal((await g.iamsa(['enable-oidc', '-c', 'life', '--approve'])).code, 0);
  return { h, g };
}

test('with the Pod Identity agent the wizard offers the mechanism and lists Pod Identity roles', async () => {
  const { h, g } = await ground(true);
  await bindPodIdentity(g, 'pi-app');
  let listed: string[] = [];
  const r = await h.run(wizardArgs(g), {
    tty: true,
    answers: [
      [/How should pods get the role\?/, /Pod Identity/],
      [
        /Service account/,
        (q: Question) => {
          listed = q.choices.map((c) => c.name);
          return 'pi-app';
        },
      ],
      [/Role name/, DEFAULT],
      [/Apply these changes\?/, true],
    ],
  });
  assert.equal(r.code, 0, r.stderr);
  const role = `arn:aws:iam::${ACCOUNT}:role/iamsa-life-default-pi-app`;
  assert.ok(listed.includes(`pi-app  (role: ${role}, Pod Identity)`), listed.join(' | '));
  assert.match(r.stdout, /Pod Identity: +association of default\/pi-app \(/);
  assert.match(r.stdout, /iamsa create-serviceaccount --mechanism pod-identity .*--name pi-app/);
  assert.doesNotMatch(r.stdout, /OIDC provider|override/i);
});

test('without the agent the wizard binds with IRSA and asks nothing about it', async () => {
  const { h, g } = await ground(false);
  const r = await h.run(wizardArgs(g), {
    tty: true,
    answers: [
      [/Service account/, /New service account/],
      [/Service account name/, 'app'],
      [/Role name/, DEFAULT],
      [/Apply these changes\?/, true],
    ],
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.asked.some((q) => /How should pods/.test(q)), r.asked.join(' | '));
  assert.match(r.stdout, /OIDC provider:/);
});

/** default/worker bound through Pod Identity with iamsa's role iamsa-life-default-worker. */
async function boundThroughPodIdentity() {
  const { h, g } = await ground(true);
  await bindPodIdentity(g, 'worker');
  return { h, g };
}

test('IRSA chosen for a service account bound through Pod Identity: asked when it is picked, a separate role by default', async () => {
  const { h, g } = await boundThroughPodIdentity();
  const wizard = wizardArgs(g);
  const r = await h.run(wizard, {
    tty: true,
    answers: [
      [/How should pods get the role\?/, /^IRSA/],
      [/Service account/, /^worker /],
      [
        /default\/worker is bound through Pod Identity with iamsa's role iamsa-life-default-worker\. Which do you want\?/,
        /^IRSA with a separate role \(iamsa-life-default-worker-irsa\)$/,
      ],
      [/Role name/, DEFAULT],
      [/Apply these changes\?/, true],
    ],
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\? Role name iamsa-life-default-worker-irsa/);
  assert.match(r.stdout, /\+ create\s+iam-role\s+\S+role\/iamsa-life-default-worker-irsa/);
  const pi = h.iam.roles.get('iamsa-life-default-worker');
  assert.ok(pi, 'the Pod Identity role stays');

  // Keeping Pod Identity: the binding it has, with its own role.
  const kept = await h.run(wizard, {
    tty: true,
    answers: [
      [/How should pods get the role\?/, /^IRSA/],
      [/Service account/, /^worker /],
      [/Which do you want\?/, /^Keep Pod Identity with that role$/],
      [/Role name/, DEFAULT],
      [/Apply these changes\?/, true],
    ],
  });
  assert.equal(kept.code, 0, kept.stderr);
  assert.match(kept.stdout, /\? Role name iamsa-life-default-worker$/m);
  assert.match(kept.stdout, /iamsa create-serviceaccount --mechanism pod-identity .*--name worker/);
});

test("the role name of the other mechanism's binding is refused at the prompt, in the wizard's words", async () => {
  const { h, g } = await boundThroughPodIdentity();
  const r = await h.run(
    ['create-serviceaccount', '-c', 'life', ...g.kubeFlags, '--mechanism', 'irsa'].concat([
      '--attach-policy-arn',
      S3_READ,
    ]),
    {
      tty: true,
      answers: [
        [/Service account/, /^worker /],
        [/Role name/, 'iamsa-life-default-worker'],
        [/Role name/, DEFAULT],
        [/Apply these changes\?/, true],
      ],
    },
  );
  assert.equal(r.code, 0, r.stderr);
  // --mechanism was a flag: not asked again, only told.
  assert.match(
    r.stdout,
    /default\/worker is bound through Pod Identity with iamsa's role iamsa-life-default-worker, which stays so: IRSA needs a separate role\./,
  );
  assert.match(
    r.stdout,
    /Role iamsa-life-default-worker is iamsa's Pod Identity role for default\/worker: making it an IRSA role would cut off the pods that use it now\. Choose another name\./,
  );
  assert.match(r.stdout, /\? Role name iamsa-life-default-worker-irsa/);
});

test('the flags say "an IRSA role" when the role serves Pod Identity', async () => {
  const { g } = await boundThroughPodIdentity();
  const r = await g.iamsa(
    ['create-serviceaccount', '-c', 'life', ...g.kubeFlags, '--name', 'worker'].concat([
      '--mechanism',
      'irsa',
      '--attach-policy-arn',
      READONLY,
    ]),
  );
  assert.equal(r.code, 5);
  assert.match(r.stderr, /making it an IRSA role would cut off the pods/);
});

test('declining the OIDC provider offers Pod Identity when the cluster has the agent, else gives the command', async () => {
  const h = createHarness({ clusters: ['life'] });
  h.eks().installAgent('life');
  const g = fakeGround(h, 'life');
  const wizard = wizardArgs(g);
  const r = await h.run(wizard, {
    tty: true,
    answers: [
      [/How should pods get the role\?/, /^IRSA/],
      [/Enable it now\?/, false],
      [/Use EKS Pod Identity instead\?/, true],
      [/Service account/, /New service account/],
      [/Service account name/, 'app'],
      [/Role name/, DEFAULT],
      [/Apply these changes\?/, true],
    ],
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /iamsa create-serviceaccount --mechanism pod-identity .*--name app/);

  const bare = createHarness({ clusters: ['plain'] });
  const declined = await bare.run(
    ['create-serviceaccount', '-c', 'plain', '--attach-policy-arn', S3_READ],
    { tty: true, answers: [[/Enable it now\?/, false]] },
  );
  assert.equal(declined.code, 130);
  assert.match(
    declined.stderr,
    /Cancelled:\S* nothing was changed; IRSA needs the OIDC provider of cluster plain first\./,
  );
  assert.match(
    declined.stdout,
    /To enable IRSA on the cluster later \(then run the wizard again\):\S*\n {2}iamsa enable-oidc --region us-east-1 --cluster plain --approve\n/,
  );
});

test('create-serviceaccount at a terminal keeps --target-role-arn and --disable-session-tags (issue 19)', async () => {
  const h = createHarness({ clusters: ['life'] });
  h.eks().installAgent('life');
  const g = fakeGround(h, 'life');
  const target = 'arn:aws:iam::999999999999:role/partner';
  const r = await h.run(
    [...wizardArgs(g), '--mechanism', 'pod-identity', '--target-role-arn', target].concat(
      '--disable-session-tags',
    ),
    {
      tty: true,
      answers: [
        [/Service account/, /New service account/],
        [/Service account name/, 'chained'],
        [/Role name/, DEFAULT],
        [/Apply these changes\?/, true],
      ],
    },
  );
  assert.equal(r.code, 0, r.stderr);
  const [association] = [...h.eks().associations.values()];
  assert.equal(association?.targetRoleArn, target);
  assert.equal(association?.disableSessionTags, true);
  assert.match(
    r.stdout,
    /--target-role-arn arn:aws:iam::999999999999:role\/partner --disable-session-tags/,
  );
});
