// enable-oidc in-process (test/support/harness.ts) over the fakes; the set-up and inspection calls are
// the ground's (test/support/fake-ground.ts). Its smoke run against moto is the enable-oidc every
// binary test file starts with (test/integration/create-serviceaccount.test.ts and others).
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  CreateOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProviderTagsCommand,
  ListOpenIDConnectProvidersCommand,
  TagOpenIDConnectProviderCommand,
  UntagOpenIDConnectProviderCommand,
} from '@aws-sdk/client-iam';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { ACCOUNT } from '../support/fakes.js';
import { type FakeGround, fakeGround } from '../support/fake-ground.js';
import { createHarness } from '../support/harness.js';

let g: FakeGround;
// Each test starts with the cluster and no provider.
beforeEach(() => {
  g = fakeGround(createHarness({ clusters: ['oidc'] }), 'oidc');
});

const providers = async () =>
  (await g.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
const issuerOf = async (name: string) =>
  (await g.eks.send(new DescribeClusterCommand({ name }))).cluster?.identity?.oidc?.issuer ?? '';
/** The provider as iamsa makes it, for the tests that start from an enabled cluster. */
async function enabled(...flags: string[]): Promise<void> {
  const r = await g.iamsa(['enable-oidc', '--cluster', 'oidc', ...flags, '--approve']);
  assert.equal(r.code, 0, r.stderr);
}

test('without --approve: prints the plan, changes nothing, exits 0', async () => {
  const r = await g.iamsa(['enable-oidc', '--cluster', 'oidc']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /\+ create\s+oidc-provider\s+arn:aws:iam::111122223333:oidc-provider\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\//,
  );
  assert.match(r.stdout, /re-run with --approve/);
  assert.deepEqual(await providers(), []);
});

test('with --approve: creates the provider with the sts audience, tagged as iamsa', async () => {
  const r = await g.iamsa([
    'enable-oidc',
    '--cluster',
    'oidc',
    '--approve',
    '--tags',
    'team=platform',
    '-o',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.applied, true);
  assert.equal(out.steps[0].action, 'create');
  // Nothing is fetched from the issuer: no thumbprint (IAM validates EKS issuers), no warning.
  assert.deepEqual(out.warnings, []);
  assert.equal(r.stderr, '');
  const issuer = await issuerOf('oidc');
  const provider = await g.iam.send(
    new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: out.providerArn }),
  );
  assert.equal(
    out.providerArn,
    `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer.replace('https://', '')}`,
  );
  assert.deepEqual(provider.ClientIDList, ['sts.amazonaws.com']);
  assert.deepEqual(provider.ThumbprintList ?? [], []);
  const tags = Object.fromEntries((provider.Tags ?? []).map((t: any) => [t.Key, t.Value]));
  assert.equal(tags['iamsa.io/managed-by'], 'iamsa');
  assert.equal(tags['iamsa.io/cluster'], 'oidc');
  assert.equal(tags.team, 'platform');
});

test('a second run says the cluster is already enabled, exit 0, no duplicate', async () => {
  await enabled('--tags', 'team=platform');
  const r = await g.iamsa([
    'enable-oidc',
    '--cluster',
    'oidc',
    '--approve',
    '--tags',
    'team=platform',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /already enabled/);
  assert.equal((await providers()).length, 1);
});

test('an existing provider without the sts audience is reused: the plan adds the audience', async () => {
  // Checks the plan against a provider made without the audience.
  const issuer = await issuerOf('oidc');
  const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer.replace('https://', '')}`;
  await g.iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: issuer,
      ClientIDList: ['other-audience'],
      ThumbprintList: ['b'.repeat(40)],
    }),
  );
  const plan = await g.iamsa(['enable-oidc', '--cluster', 'oidc', '-o', 'json']);
  assert.equal(plan.code, 0, plan.stderr);
  const out = JSON.parse(plan.stdout);
  assert.equal(out.providerArn, arn, 'the existing provider is reused, not duplicated');
  assert.deepEqual(out.steps, [
    {
      resource: 'oidc-provider',
      id: arn,
      action: 'update',
      changes: ['add audience sts.amazonaws.com'],
    },
  ]);
});

test("--thumbprint adds to the provider's thumbprints and keeps the ones it has", async () => {
  await enabled();
  const thumb = 'A'.repeat(40);
  const r = await g.iamsa([
    'enable-oidc',
    '--cluster',
    'oidc',
    '--thumbprint',
    thumb,
    '--approve',
    '-o',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.steps[0].action, 'update');
  const provider = await g.iam.send(
    new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: out.providerArn }),
  );
  assert.deepEqual(provider.ThumbprintList, ['a'.repeat(40)]);
  const again = await g.iamsa([
    'enable-oidc',
    '--cluster',
    'oidc',
    '--thumbprint',
    thumb,
    '--approve',
  ]);
  assert.match(again.stdout, /already enabled/);
  const second = await g.iamsa([
    'enable-oidc',
    '--cluster',
    'oidc',
    '--thumbprint',
    'b'.repeat(40),
    '--approve',
  ]);
  assert.equal(second.code, 0, second.stderr);
  const both = await g.iam.send(
    new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: out.providerArn }),
  );
  assert.deepEqual(both.ThumbprintList, ['a'.repeat(40), 'b'.repeat(40)]);
});

test('a provider iamsa did not make keeps its tag values; missing tags are added', async () => {
  await enabled();
  const arn = (await providers())[0]?.Arn ?? '';
  await g.iam.send(
    new UntagOpenIDConnectProviderCommand({
      OpenIDConnectProviderArn: arn,
      TagKeys: ['iamsa.io/managed-by'],
    }),
  );
  await g.iam.send(
    new TagOpenIDConnectProviderCommand({
      OpenIDConnectProviderArn: arn,
      Tags: [{ Key: 'team', Value: 'platform' }],
    }),
  );
  const r = await g.iamsa([
    'enable-oidc',
    '--cluster',
    'oidc',
    '--tags',
    'team=payments,env=prod',
    '--approve',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /not iamsa's: its existing tags team=platform are left as they are/);
  const tags = await g.iam.send(
    new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }),
  );
  const record = Object.fromEntries((tags.Tags ?? []).map((t: any) => [t.Key, t.Value]));
  assert.equal(record.team, 'platform');
  assert.equal(record.env, 'prod');
});

test('a bad thumbprint is a usage error naming it', async () => {
  const r = await g.iamsa(['enable-oidc', '--cluster', 'oidc', '--thumbprint', 'xyz']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /xyz/);
});

test('a missing cluster exits 3 with a one-line error', async () => {
  const r = await g.iamsa(['enable-oidc', '--cluster', 'ghost', '--approve']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^error: cluster ghost not found in region us-east-1/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  // Nothing close: the region's clusters are named.
  assert.match(r.stderr, /\nhint: clusters in region us-east-1: .*\boidc\b/);
});

test("a mistyped cluster gets the closest of the region's clusters; an empty region says so", async () => {
  const typo = await g.iamsa(['enable-oidc', '--cluster', 'oidcc']);
  assert.equal(typo.code, 3);
  assert.match(typo.stderr, /\nhint: did you mean oidc\?\n$/);
  const empty = await g.iamsa(['enable-oidc', '--cluster', 'oidc', '--region', 'ap-south-2']);
  assert.equal(empty.code, 3);
  assert.match(empty.stderr, /\nhint: region ap-south-2 has no EKS clusters: check --region\n$/);
});

test('an --approve that creates the provider ends with the create-serviceaccount command; a converged one does not', async () => {
  const r = await g.iamsa(['enable-oidc', '--cluster', 'oidc', '--approve']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /\nNext step:\n {2}Bind a service account to an IAM role on cluster oidc \(adding the Kubernetes connection flags you use, if any: --kubeconfig\/--context or --kube-server\/--kube-ca-file\):\n {2}iamsa create-serviceaccount --cluster oidc --region us-east-1 --namespace NS --name SA --attach-policy-arn ARN --approve\n$/,
  );
  const again = await g.iamsa(['enable-oidc', '--cluster', 'oidc', '--approve']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to do: cluster oidc is already enabled for IRSA\./);
  assert.doesNotMatch(again.stdout, /Next step/);
});

test('-o yaml prints one YAML document', async () => {
  const r = await g.iamsa(['enable-oidc', '--cluster', 'oidc', '-o', 'yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^schemaVersion: 2\ncommand: enable-oidc\napplied: false\n/);
});
