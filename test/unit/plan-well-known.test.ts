import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterInfo } from '../../src/aws/eks.js';
import { FLAGS_SOURCE } from '../../src/actions/binding/spec.js';
import { checkBinding } from '../../src/actions/binding/check.js';
import {
  planWellKnown,
  readManagedPolicies,
  wantedWellKnown,
} from '../../src/actions/binding/plan-well-known.js';
import { ConflictError } from '../../src/errors.js';
import { ACCOUNT, FakeIam } from '../support/fakes.js';
import { roleOwnershipTags } from '../../src/policy/index.js';

const cluster: ClusterInfo = {
  name: 'demo',
  arn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/demo`,
  accountId: ACCOUNT,
  partition: 'aws',
  region: 'eu-west-1',
  endpoint: 'https://x',
};
const OURS = roleOwnershipTags('demo', 'default', 'app', cluster.arn);

const input = (zones: string[]) =>
  checkBinding({
    cluster: 'demo',
    namespace: 'default',
    name: 'app',
    policyArns: [],
    wellKnownPolicies: { externalDNS: { hostedZoneARNs: zones } },
    tags: {},
    roleOnly: false,
    overrideExisting: false,
    createNamespace: false,
    source: FLAGS_SOURCE,
  });

async function converge(iam: FakeIam, zones: string[]) {
  const i = input(zones);
  const attached = await iam.listAttachedPolicyArns(ROLE);
  const wanted = wantedWellKnown(i, cluster, i.roleName);
  const policies = await readManagedPolicies(
    iam,
    wanted.policies.map((p) => p.arn),
  );
  const plan = planWellKnown(iam, i, cluster, wanted, { attached, policies, stale: [] });
  for (const s of plan.steps) if (s.action !== 'unchanged') await s.run?.();
  return plan;
}

const ROLE = 'iamsa-demo-default-app';
const ARN = `arn:aws:iam::${ACCOUNT}:policy/${ROLE}-externalDNS`;
const zone = (n: number) => `arn:aws:route53:::hostedzone/Z${n}`;

/** An IAM with the binding's role made. */
async function withRole(): Promise<FakeIam> {
  const iam = new FakeIam();
  await iam.createRole({ name: ROLE, path: '/', trustPolicy: '{}', description: '', tags: OURS });
  return iam;
}

describe('planWellKnown', () => {
  it('creates, then versions on change; at five versions the oldest non-default goes first', async () => {
    const iam = await withRole();
    const first = await converge(iam, [zone(1)]);
    assert.deepEqual(
      first.steps.map((s) => s.action),
      ['create'],
    );
    assert.deepEqual(await iam.listAttachedPolicyArns(ROLE), [ARN]);
    for (let n = 2; n <= 7; n++) await converge(iam, [zone(n)]);
    const stored = iam.managed.get(ARN);
    assert.deepEqual(
      stored?.versions.map((v) => v.id),
      [3, 4, 5, 6, 7],
    );
    assert.equal(stored?.defaultId, 7);
    const again = await converge(iam, [zone(7)]);
    assert.deepEqual(
      again.steps.map((s) => s.action),
      ['unchanged'],
    );
  });

  it('re-attaches an existing policy that lost its attachment', async () => {
    const iam = await withRole();
    await converge(iam, [zone(1)]);
    await iam.detachPolicy(ROLE, ARN);
    const plan = await converge(iam, [zone(1)]);
    assert.deepEqual(plan.steps[0]?.changes, ['attach to iamsa-demo-default-app']);
  });

  it('refuses a policy of that name that is not this binding’s', async () => {
    const iam = await withRole();
    await iam.createManagedPolicy({
      name: ARN.split('/')[1] ?? '',
      path: '/',
      document: '{}',
      description: '',
      tags: { team: 'x' },
    });
    await assert.rejects(
      converge(iam, [zone(1)]),
      (e: unknown) => e instanceof ConflictError && /not managed by iamsa/.test(e.message),
    );
  });

  it('a create that races another run converges the policy that run made', async () => {
    const iam = await withRole();
    const i = input([zone(1)]);
    const wanted = wantedWellKnown(i, cluster, i.roleName);
    const plan = planWellKnown(iam, i, cluster, wanted, {
      attached: [],
      policies: new Map(),
      stale: [],
    });
    // Meanwhile another run made it with an older document.
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'route53:GetChange', Resource: '*' }],
    });
    await iam.createManagedPolicy({
      name: ARN.split('/')[1] ?? '',
      path: '/',
      document: doc,
      description: '',
      tags: { ...OURS },
    });
    await plan.steps[0]?.run?.();
    const stored = iam.managed.get(ARN);
    assert.equal(stored?.defaultId, 2);
    assert.deepEqual(JSON.parse(stored?.versions[1]?.document ?? ''), wanted.policies[0]?.document);
  });
});
