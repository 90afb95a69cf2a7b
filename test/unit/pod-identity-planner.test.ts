// The Pod Identity planners against in-memory gateways that keep state: what a plan does to IAM,
// EKS and Kubernetes, converging, races, and the agent precondition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BindingSpec, FLAGS_SOURCE } from '../../src/actions/binding/spec.js';
import { openClusterSession } from '../../src/actions/binding/cluster-session.js';
import { getServiceAccounts } from '../../src/actions/lifecycle/get-serviceaccounts.js';
import { composePlan } from '../../src/actions/engine/plan.js';
import { DESCRIBE_CONCURRENCY } from '../../src/actions/binding/pod-identity-associations.js';
import { planBinding as planChecked } from '../../src/actions/binding/plan-binding.js';
import { checkBinding } from '../../src/actions/binding/check.js';
import type { ClusterSession } from '../../src/actions/binding/cluster-session.js';
import { planDeleteBinding } from '../../src/actions/binding/delete/dispatch.js';
import { ExitCode } from '../../src/errors.js';
import { planUpdateServiceAccount } from '../../src/actions/lifecycle/create-serviceaccount.js';
import {
  ACCOUNT,
  clusterInfo,
  enableCluster,
  fakeRegion,
  quietReporter,
} from '../support/fakes.js';

/** The binding checked at the boundary, as the commands do, then planned. */
const planBinding = (s: ClusterSession, b: BindingSpec) => planChecked(s, checkBinding(b));

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const spec = (name: string, extra: Partial<BindingSpec> = {}): BindingSpec => ({
  cluster: 'prod',
  namespace: 'default',
  name,
  policyArns: [READONLY],
  tags: {},
  roleOnly: false,
  overrideExisting: false,
  createNamespace: false,
  mechanism: 'pod-identity',
  source: FLAGS_SOURCE,
  ...extra,
});

/** A cluster with the agent and no OIDC provider: Pod Identity needs none. */
function ground(agent: string | null = 'ACTIVE') {
  const region = fakeRegion('prod');
  if (agent) region.eks.installAgent('prod', agent);
  const session = () =>
    openClusterSession(region.access, {
      cluster: 'prod',
      kube: { mode: 'eks' },
      reporter: quietReporter,
    });
  return { ...region, session };
}
const header = { command: 'test', cluster: 'prod', region: 'us-east-1', warnings: [] };
const apply = async (g: ReturnType<typeof ground>, s: BindingSpec) => {
  const binding = await planBinding(g.session(), s);
  assert.equal(binding.error, undefined, binding.error?.message);
  return composePlan(header, [binding], quietReporter).apply();
};
const associationOf = (g: ReturnType<typeof ground>, name: string) =>
  [...g.eks.associations.values()].find((a) => a.serviceAccount === name);

describe('planBinding for Pod Identity', () => {
  it('makes the role, the association and the service account without the OIDC provider; a re-plan is unchanged', async () => {
    const g = ground();
    const binding = await planBinding(g.session(), spec('app'));
    assert.equal(binding.mechanism, 'pod-identity');
    assert.deepEqual(
      binding.steps.map((s) => `${s.action} ${s.resource}`),
      [
        'create iam-role',
        'create policy-attachment',
        'create pod-identity-association',
        'create service-account',
      ],
    );
    await composePlan(header, [binding], quietReporter).apply();
    const role = await g.iam.getRole('iamsa-prod-default-app');
    assert.equal(role?.tags['iamsa.io/mechanism'], 'pod-identity');
    assert.match(decodeURIComponent(role?.trustPolicy ?? ''), /pods\.eks\.amazonaws\.com/);
    assert.equal(associationOf(g, 'app')?.roleArn, role?.arn);
    const sa = g.kube.serviceAccounts.get('default/app');
    assert.deepEqual(sa?.annotations, {});
    assert.equal(sa?.labels['app.kubernetes.io/managed-by'], 'iamsa');
    assert.ok(!g.iam.calls.includes('getOidcProvider'), 'no OIDC provider lookup');

    const again = await planBinding(g.session(), spec('app'));
    assert.ok(again.steps.every((s) => s.action === 'unchanged'));
  });

  it("an association made outside the binding that hands out iamsa's role is named (IRSA-W006), not deleted", async () => {
    const g = ground();
    await apply(g, spec('app'));
    const role = roleArn('iamsa-prod-default-app');
    const foreign = await g.eks.createPodIdentityAssociation({
      cluster: 'prod',
      namespace: 'evil',
      serviceAccount: 'thief',
      roleArn: role,
      tags: {},
    });
    const again = await planBinding(g.session(), spec('app'));
    assert.ok(again.steps.every((s) => s.action === 'unchanged'));
    assert.deepEqual(again.warnings, [
      `IRSA-W006 association ${foreign.id} hands role iamsa-prod-default-app (iamsa's role for default/app) to evil/thief of cluster prod; it is not made by iamsa, so iamsa leaves it: remove it with aws eks delete-pod-identity-association --cluster-name prod --region us-east-1 --association-id ${foreign.id}`,
    ]);
    await composePlan(header, [again], quietReporter).apply();
    assert.ok(g.eks.associations.has(foreign.id), "promise 2: not iamsa's, not deleted");
  });

  it('without an ACTIVE agent it is exit 3 and nothing is planned', async () => {
    for (const agent of [null, 'CREATING', 'DEGRADED']) {
      const g = ground(agent);
      const binding = await planBinding(g.session(), spec('app'));
      assert.equal(binding.error?.exitCode, ExitCode.precondition, String(agent));
      assert.match(binding.error?.hint ?? '', /eks-pod-identity-agent/);
      assert.deepEqual(binding.steps, []);
      assert.equal(g.iam.roles.size, 0);
    }
    const updating = await planBinding(ground('UPDATING').session(), spec('app'));
    assert.equal(updating.error, undefined);
  });

  it('an association made by a racing run between plan and apply converges', async () => {
    const g = ground();
    const binding = await planBinding(g.session(), spec('app'));
    g.eks.beforeNextCreate = () =>
      void g.eks.createPodIdentityAssociation({
        cluster: 'prod',
        namespace: 'default',
        serviceAccount: 'app',
        roleArn: roleArn('iamsa-prod-default-app'),
        tags: { 'iamsa.io/managed-by': 'iamsa' },
      });
    const result = await composePlan(header, [binding], quietReporter).apply();
    assert.equal(result.bindings[0]?.error, undefined);
    assert.equal(g.eks.associations.size, 1);
    assert.equal(associationOf(g, 'app')?.roleArn, roleArn('iamsa-prod-default-app'));
  });

  it('a racing association of someone else with another role stays theirs: exit 5', async () => {
    const g = ground();
    const binding = await planBinding(g.session(), spec('app'));
    g.eks.beforeNextCreate = () =>
      void g.eks.createPodIdentityAssociation({
        cluster: 'prod',
        namespace: 'default',
        serviceAccount: 'app',
        roleArn: roleArn('theirs'),
        tags: {},
      });
    const result = await composePlan(header, [binding], quietReporter).apply();
    assert.equal(result.bindings[0]?.error?.exitCode, ExitCode.conflict);
    assert.equal(associationOf(g, 'app')?.roleArn, roleArn('theirs'));
  });

  it('another role updates the association; session tags and target role follow the spec', async () => {
    const g = ground();
    await apply(g, spec('app', { roleName: 'first' }));
    const moved = await planBinding(
      g.session(),
      spec('app', {
        roleName: 'second',
        disableSessionTags: true,
        targetRoleArn: 'arn:aws:iam::210987654321:role/target',
      }),
    );
    const step = moved.steps.find((s) => s.resource === 'pod-identity-association');
    assert.equal(step?.action, 'update');
    assert.deepEqual(step?.changes, [
      `role: ${roleArn('first')} -> ${roleArn('second')}`,
      'target role: (none) -> arn:aws:iam::210987654321:role/target',
      'session tags: enabled -> disabled',
    ]);
    await composePlan(header, [moved], quietReporter).apply();
    const a = associationOf(g, 'app');
    assert.equal(a?.roleArn, roleArn('second'));
    assert.equal(a?.disableSessionTags, true);
    assert.equal(a?.targetRoleArn, 'arn:aws:iam::210987654321:role/target');
  });

  it('an add-on owned association is never changed', async () => {
    const g = ground();
    await g.eks.createPodIdentityAssociation({
      cluster: 'prod',
      namespace: 'default',
      serviceAccount: 'app',
      roleArn: roleArn('addon'),
      tags: {},
    });
    const stored = associationOf(g, 'app');
    if (stored) stored.ownerArn = `arn:aws:eks:us-east-1:${ACCOUNT}:addon/prod/x/1`;
    const binding = await planBinding(g.session(), spec('app', { overrideExisting: true }));
    assert.equal(binding.error?.exitCode, ExitCode.conflict);
    assert.match(binding.error?.message ?? '', /belongs to the EKS add-on/);
  });
});

describe('planDeleteBinding for Pod Identity', () => {
  it('deletes association, service account and role; a re-plan deletes nothing', async () => {
    const g = ground();
    await apply(g, spec('app'));
    const target = {
      cluster: 'prod',
      namespace: 'default',
      name: 'app',
      keepServiceAccount: false,
      roleOnly: false,
      mechanism: 'pod-identity' as const,
      source: FLAGS_SOURCE,
    };
    const plan = await planDeleteBinding(g.session(), target);
    assert.deepEqual(
      plan.steps.map((s) => `${s.action} ${s.resource}`),
      [
        'delete pod-identity-association',
        'delete service-account',
        'delete policy-attachment',
        'delete iam-role',
      ],
    );
    await composePlan(header, [plan], quietReporter).apply();
    assert.equal(g.eks.associations.size, 0);
    assert.equal(g.kube.serviceAccounts.size, 0);
    assert.equal(await g.iam.getRole('iamsa-prod-default-app'), undefined);
    const again = await planDeleteBinding(g.session(), target);
    assert.deepEqual(again.steps, []);
  });
});

describe('getServiceAccounts with Pod Identity', () => {
  it('describes every listed association, at most a few at a time, and judges each', async () => {
    const g = ground();
    const names = Array.from({ length: 30 }, (_, i) => `many-${i}`);
    const session = g.session();
    const bindings = await Promise.all(names.map((n) => planBinding(session, spec(n))));
    await composePlan(header, bindings, quietReporter).apply();
    let inFlight = 0;
    let most = 0;
    const describe = g.eks.describePodIdentityAssociation.bind(g.eks);
    g.eks.describePodIdentityAssociation = async (cluster, id) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      try {
        return await describe(cluster, id);
      } finally {
        inFlight--;
      }
    };
    const result = await getServiceAccounts(
      { cluster: 'prod', orphans: false },
      { mode: 'eks' },
      { ...g.access, reporter: quietReporter },
    );
    assert.equal(result.serviceAccounts.length, names.length);
    assert.ok(
      result.serviceAccounts.every((r) => r.mechanism === 'pod-identity' && r.status === 'ok'),
      JSON.stringify(result.serviceAccounts[0]),
    );
    assert.ok(most > 1, 'describes run concurrently');
    assert.ok(most <= DESCRIBE_CONCURRENCY, `${most} describes in flight`);
    assert.deepEqual(result.warnings, [], 'no OIDC provider is needed');
  });
});

describe('update-serviceaccount of a Pod Identity binding', () => {
  it('reports the mechanism planBinding decided: no OIDC provider in its header', async () => {
    const g = ground();
    // The cluster has an OIDC provider too: an IRSA reading would name it.
    await enableCluster(g.iam, clusterInfo('prod'));
    await apply(g, spec('app'));
    const planned = await planUpdateServiceAccount(
      spec('app', { mechanism: undefined, policyArns: [] }),
      { mode: 'eks' },
      { ...g.access, reporter: quietReporter },
    );
    assert.equal(planned.result.bindings[0]?.mechanism, 'pod-identity');
    assert.equal(planned.result.providerArn, undefined);
  });
});
