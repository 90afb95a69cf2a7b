import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterInfo } from '../../src/aws/eks.js';
import type { IamGateway, ManagedPolicy } from '../../src/aws/iam.js';
import { FLAGS_SOURCE } from '../../src/actions/binding-spec.js';
import { checkBinding } from '../../src/actions/check-binding.js';
import {
  planWellKnown,
  readManagedPolicies,
  wantedWellKnown,
} from '../../src/actions/plan-well-known.js';
import { AlreadyExistsError, ConflictError } from '../../src/errors.js';
import { roleOwnershipTags } from '../../src/policy/index.js';

const cluster: ClusterInfo = {
  name: 'demo',
  arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/demo',
  accountId: '123456789012',
  partition: 'aws',
  region: 'eu-west-1',
  endpoint: 'https://x',
};
const OURS = roleOwnershipTags('demo', 'default', 'app', cluster.arn);

interface Stored {
  tags: Record<string, string>;
  versions: Array<{ id: number; document: string }>;
  defaultId: number;
  attachedTo: Set<string>;
}

/** IAM's managed policies, in memory, answering as IAM does (five versions, no default delete). */
function fakeIam(): IamGateway & { policies: Map<string, Stored> } {
  const policies = new Map<string, Stored>();
  const get = (arn: string) => {
    const p = policies.get(arn);
    if (!p) throw new Error(`NoSuchEntity ${arn}`);
    return p;
  };
  const gateway: Partial<IamGateway> = {
    async getManagedPolicy(arn): Promise<ManagedPolicy | undefined> {
      const p = policies.get(arn);
      if (!p) return undefined;
      const v = p.versions.find((x) => x.id === p.defaultId);
      return {
        arn,
        name: arn.split('/').pop() ?? '',
        defaultVersionId: `v${p.defaultId}`,
        document: encodeURIComponent(v?.document ?? ''),
        tags: p.tags,
      };
    },
    async createManagedPolicy(p) {
      const arn = `arn:aws:iam::123456789012:policy/${p.name}`;
      if (policies.has(arn)) throw new AlreadyExistsError(`policy ${p.name} exists`);
      policies.set(arn, {
        tags: p.tags,
        versions: [{ id: 1, document: p.document }],
        defaultId: 1,
        attachedTo: new Set(),
      });
      return arn;
    },
    async createPolicyVersion(arn, document) {
      const p = get(arn);
      if (p.versions.length >= 5) throw new Error('LimitExceeded: 5 versions');
      const id = Math.max(...p.versions.map((v) => v.id)) + 1;
      p.versions.push({ id, document });
      p.defaultId = id;
    },
    async listPolicyVersions(arn) {
      const p = get(arn);
      return p.versions.map((v) => ({ versionId: `v${v.id}`, isDefault: v.id === p.defaultId }));
    },
    async deletePolicyVersion(arn, versionId) {
      const p = get(arn);
      if (versionId === `v${p.defaultId}`) throw new Error('DeleteConflict: default version');
      p.versions = p.versions.filter((v) => `v${v.id}` !== versionId);
    },
    async attachPolicy(role, arn) {
      get(arn).attachedTo.add(role);
    },
    async tagPolicy(arn, tags) {
      Object.assign(get(arn).tags, tags);
    },
  };
  return Object.assign(gateway as IamGateway, { policies });
}

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

async function converge(iam: ReturnType<typeof fakeIam>, zones: string[], attached: string[] = []) {
  const i = input(zones);
  const wanted = wantedWellKnown(i, cluster);
  const policies = await readManagedPolicies(
    iam,
    wanted.policies.map((p) => p.arn),
  );
  const plan = planWellKnown(iam, i, cluster, wanted, { attached, policies, stale: [] });
  for (const s of plan.steps) if (s.action !== 'unchanged') await s.run?.();
  return plan;
}

const ARN = 'arn:aws:iam::123456789012:policy/iamsa-iamsa-demo-default-app-externalDNS';
const zone = (n: number) => `arn:aws:route53:::hostedzone/Z${n}`;

describe('planWellKnown', () => {
  it('creates, then versions on change; at five versions the oldest non-default goes first', async () => {
    const iam = fakeIam();
    const first = await converge(iam, [zone(1)]);
    assert.deepEqual(
      first.steps.map((s) => s.action),
      ['create'],
    );
    assert.ok(iam.policies.get(ARN)?.attachedTo.has('iamsa-demo-default-app'));
    for (let n = 2; n <= 7; n++) await converge(iam, [zone(n)], [ARN]);
    const stored = iam.policies.get(ARN);
    assert.deepEqual(
      stored?.versions.map((v) => v.id),
      [3, 4, 5, 6, 7],
    );
    assert.equal(stored?.defaultId, 7);
    const again = await converge(iam, [zone(7)], [ARN]);
    assert.deepEqual(
      again.steps.map((s) => s.action),
      ['unchanged'],
    );
  });

  it('re-attaches an existing policy that lost its attachment', async () => {
    const iam = fakeIam();
    await converge(iam, [zone(1)]);
    const plan = await converge(iam, [zone(1)], []);
    assert.deepEqual(plan.steps[0]?.changes, ['attach to iamsa-demo-default-app']);
  });

  it('refuses a policy of that name that is not this binding’s', async () => {
    const iam = fakeIam();
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
    const iam = fakeIam();
    const i = input([zone(1)]);
    const wanted = wantedWellKnown(i, cluster);
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
    const stored = iam.policies.get(ARN);
    assert.equal(stored?.defaultId, 2);
    assert.deepEqual(JSON.parse(stored?.versions[1]?.document ?? ''), wanted.policies[0]?.document);
  });
});
