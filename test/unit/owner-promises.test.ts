// "Nobody gains a role by editing Kubernetes or tags" (issue 16), against in-memory gateways that
// keep state: migrate-to-pod-identity, its rollback and delete-serviceaccount given a state an
// attacker (or a hand edit) made.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BindingSpec, FLAGS_SOURCE } from '../../src/actions/binding/spec.js';
import { openClusterSession } from '../../src/actions/binding/cluster-session.js';
import { planMigrateToPodIdentity } from '../../src/actions/migrate/migrate-to-pod-identity.js';
import { composePlan } from '../../src/actions/engine/plan.js';
import { planBinding as planChecked } from '../../src/actions/binding/plan-binding.js';
import { checkBinding } from '../../src/actions/binding/check.js';
import type { ClusterSession } from '../../src/actions/binding/cluster-session.js';
import { planDeleteBinding } from '../../src/actions/binding/delete/dispatch.js';
import { runDoctor } from '../../src/actions/report/doctor.js';
import type { Choice, Prompter } from '../../src/actions/engine/prompter.js';
import { pickPolicies } from '../../src/actions/lifecycle/wizard.js';
import type { Reporter } from '../../src/actions/engine/reporter.js';
import { ExitCode } from '../../src/errors.js';
import {
  isRestorableStatement,
  isWellKnownPolicyName,
  recordStatements,
} from '../../src/policy/index.js';
import { clusterInfo, enableCluster, fakeRegion, quietReporter } from '../support/fakes.js';

/** The binding checked at the boundary, as the commands do, then planned. */
const planBinding = (s: ClusterSession, b: BindingSpec) => planChecked(s, checkBinding(b));

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';
const header = { command: 'test', cluster: 'prod', region: 'us-east-1', warnings: [] };

const spec = (name: string, extra: Partial<BindingSpec> = {}): BindingSpec => ({
  cluster: 'prod',
  namespace: 'default',
  name,
  policyArns: [READONLY],
  tags: {},
  roleOnly: false,
  overrideExisting: false,
  createNamespace: false,
  source: FLAGS_SOURCE,
  ...extra,
});

async function ground() {
  const region = fakeRegion('prod');
  await enableCluster(region.iam, clusterInfo('prod'));
  region.eks.installAgent('prod');
  const session = () =>
    openClusterSession(region.access, {
      cluster: 'prod',
      kube: { mode: 'eks' },
      reporter: quietReporter,
    });
  const bind = async (s: BindingSpec) => {
    const binding = await planBinding(session(), s);
    assert.equal(binding.error, undefined, binding.error?.message);
    await composePlan(header, [binding], quietReporter).apply();
  };
  const warned: string[] = [];
  const reporter: Reporter = { progress: (_l, work) => work(), warn: (w) => warned.push(w) };
  const migrate = (extra: { rollback?: boolean; removeIrsa?: boolean; name?: string } = {}) =>
    planMigrateToPodIdentity(
      {
        cluster: 'prod',
        removeIrsa: extra.removeIrsa ?? false,
        rollback: extra.rollback ?? false,
        includeForeignRoles: false,
        ...(extra.name ? { name: extra.name } : {}),
      },
      { mode: 'eks' },
      { ...region.access, reporter },
    );
  return { ...region, session, bind, migrate, warned };
}
type Ground = Awaited<ReturnType<typeof ground>>;

const associationOf = (g: Ground, name: string) =>
  [...g.eks.associations.values()].find((a) => a.serviceAccount === name);

/** An attacker's service account annotated with another binding's role. */
async function annotatedIntruder(g: Ground, roleName: string) {
  const role = await g.iam.getRole(roleName);
  assert.ok(role);
  await g.kube.createServiceAccount('default', 'intruder', {
    annotations: { [ANNOTATION]: role.arn },
  });
  return role;
}

describe('migrate-to-pod-identity migrates only the bindings a role is for', () => {
  it('a service account annotated with another binding role is skipped, with why', async () => {
    const g = await ground();
    await g.bind(spec('app'));
    const role = await annotatedIntruder(g, 'iamsa-prod-default-app');
    const plan = await g.migrate({ removeIrsa: true });
    await plan.apply();
    assert.equal(associationOf(g, 'intruder'), undefined, 'no association for the intruder');
    assert.equal(associationOf(g, 'app')?.roleArn, role.arn, 'the binding itself migrates');
    assert.ok(
      g.warned.some((w) => /skipped default\/intruder: .*trust does not admit it/.test(w)),
      g.warned.join('\n'),
    );
    // The intruder's annotation never used the role's OIDC trust: the migration completes.
    const after = decodeURIComponent((await g.iam.getRole(role.name))?.trustPolicy ?? '');
    assert.doesNotMatch(after, /oidc-provider/);
  });

  it("a service account the trust admits by drift, but iamsa's tags do not name, is skipped", async () => {
    const g = await ground();
    await g.bind(spec('app'));
    const role = await annotatedIntruder(g, 'iamsa-prod-default-app');
    // A hand edit widens the trust of iamsa's role to the intruder.
    const trust = JSON.parse(decodeURIComponent(role.trustPolicy));
    trust.Statement[0].Condition.StringEquals[
      Object.keys(trust.Statement[0].Condition.StringEquals).find((k) => k.endsWith(':sub'))!
    ] = ['system:serviceaccount:default:app', 'system:serviceaccount:default:intruder'];
    await g.iam.updateTrustPolicy(role.name, JSON.stringify(trust));
    const plan = await g.migrate();
    await plan.apply();
    assert.equal(associationOf(g, 'intruder'), undefined);
    // A trust that is not iamsa's for its binding is not iamsa's role (the rule delete uses):
    // nobody is migrated to it until a re-run of its binding puts iamsa's trust back.
    assert.equal(associationOf(g, 'app'), undefined);
    assert.ok(
      g.warned.some((w) =>
        /skipped default\/app, default\/intruder: role \S+ is not iamsa's \(it carries iamsa's tags for default\/app, but its trust is not iamsa's/.test(
          w,
        ),
      ),
      g.warned.join('\n'),
    );
  });
});

describe('migrate-to-pod-identity --rollback restores only the binding statements', () => {
  it("refuses (exit 5, naming the tag) a recorded statement that is not this cluster's exact IRSA statement", async () => {
    const g = await ground();
    await g.bind(spec('app'));
    await (await g.migrate()).apply();
    const role = await g.iam.getRole('iamsa-prod-default-app');
    assert.ok(role);
    // One iam:TagRole: the record now holds Principal AWS:* instead of the OIDC statement.
    const open = { Effect: 'Allow' as const, Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
    await g.iam.tagRole(role.name, recordStatements([[0, open]]));
    const plan = await g.migrate({ rollback: true });
    const binding = plan.result.bindings.find((b) => b.name === 'app');
    assert.equal(binding?.error?.exitCode, ExitCode.conflict);
    assert.match(binding?.error?.message ?? '', /iamsa\.io\/irsa-trust-0/);
    await plan.apply().catch(() => undefined);
    const after = decodeURIComponent((await g.iam.getRole(role.name))?.trustPolicy ?? '');
    assert.doesNotMatch(after, /"AWS"/, 'the open statement never reaches the trust');
  });

  it('restores the recorded statement of the binding (the legitimate rollback still works)', async () => {
    const g = await ground();
    await g.bind(spec('app'));
    await (await g.migrate({ removeIrsa: true })).apply();
    const plan = await g.migrate({ rollback: true });
    assert.equal(
      plan.result.bindings[0]?.error,
      undefined,
      plan.result.bindings[0]?.error?.message,
    );
    await plan.apply();
    const after = decodeURIComponent(
      (await g.iam.getRole('iamsa-prod-default-app'))?.trustPolicy ?? '',
    );
    assert.match(after, /system:serviceaccount:default:app/);
    assert.equal(associationOf(g, 'app'), undefined);
  });
});

describe('rollback plans show one row per role', () => {
  for (const removeIrsa of [false, true]) {
    it(`after a migration${removeIrsa ? ' with --remove-irsa' : ''}`, async () => {
      const g = await ground();
      await g.bind(spec('app'));
      await (await g.migrate({ removeIrsa })).apply();
      const plan = await g.migrate({ rollback: true });
      const rows = (plan.result.bindings[0]?.steps ?? []).filter((s) => s.resource === 'iam-role');
      assert.equal(rows.length, removeIrsa ? 2 : 1, JSON.stringify(rows));
      assert.ok(
        rows.every((r) => r.action === 'update'),
        JSON.stringify(rows),
      );
    });
  }
});

describe('isRestorableStatement', () => {
  const HOST = 'oidc.eks.us-east-1.amazonaws.com/id/PROD0000';
  const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${HOST}`;
  const SUB = 'system:serviceaccount:default:app';
  const good = {
    Effect: 'Allow' as const,
    Principal: { Federated: PROVIDER },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${HOST}:sub`]: SUB, [`${HOST}:aud`]: 'sts.amazonaws.com' } },
  };
  const ok = (s: object) => isRestorableStatement(s as never, PROVIDER, HOST, [SUB]);
  it("admits only this cluster's exact statement for a migrated service account", () => {
    assert.equal(ok(good), true);
    assert.equal(ok({ ...good, Principal: { Federated: [PROVIDER] } }), true);
    assert.equal(ok({ ...good, Principal: { Federated: PROVIDER, AWS: '*' } }), false);
    assert.equal(ok({ ...good, Principal: '*' }), false);
    assert.equal(ok({ ...good, Principal: { Federated: `${PROVIDER}X` } }), false);
    assert.equal(ok({ ...good, Action: 'sts:*' }), false);
    assert.equal(
      ok({ ...good, Action: ['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRole'] }),
      false,
    );
    assert.equal(ok({ ...good, Effect: 'Deny' }), false);
    assert.equal(ok({ ...good, NotAction: 'iam:*' }), false);
    assert.equal(ok({ ...good, Condition: { StringLike: { [`${HOST}:sub`]: '*' } } }), false);
    assert.equal(ok({ ...good, Condition: { StringEquals: { [`${HOST}:aud`]: 'x' } } }), false);
    // The aud is required, and must be STS's (or the one the service account asks for).
    assert.equal(ok({ ...good, Condition: { StringEquals: { [`${HOST}:sub`]: SUB } } }), false);
    const aud = (v: unknown) => ({
      ...good,
      Condition: { StringEquals: { [`${HOST}:sub`]: SUB, [`${HOST}:aud`]: v } },
    });
    assert.equal(ok(aud('evil.example.com')), false);
    assert.equal(ok(aud(['sts.amazonaws.com', 'x'])), false);
    assert.equal(
      isRestorableStatement(aud('vault') as never, PROVIDER, HOST, [SUB], ['vault']),
      true,
    );
    assert.equal(
      ok({
        ...good,
        Condition: {
          StringEquals: { ...good.Condition.StringEquals, [`${HOST}:amr`]: 'authenticated' },
        },
      }),
      false,
    );
    const other = 'system:serviceaccount:default:other';
    assert.equal(ok({ ...good, Condition: { StringEquals: { [`${HOST}:sub`]: other } } }), false);
    assert.equal(
      ok({ ...good, Condition: { StringEquals: { [`${HOST}:sub`]: [SUB, other] } } }),
      false,
    );
  });
});

/** What delete-serviceaccount --namespace default --name NAME asks for. */
const target = (name: string) => ({
  cluster: 'prod',
  namespace: 'default',
  name,
  keepServiceAccount: false,
  roleOnly: false,
  source: FLAGS_SOURCE,
});
const remove = async (g: Ground, name: string) => {
  const binding = await planDeleteBinding(g.session(), target(name));
  assert.equal(binding.error, undefined, binding.error?.message);
  await composePlan(header, [binding], quietReporter).apply();
  return binding;
};

describe('delete-serviceaccount finds and keeps what it must', () => {
  it("finds iamsa's role by its tags when it was made with --role-name and is deleted without it", async () => {
    const g = await ground();
    await g.bind(spec('app', { roleName: 'payments-reader', roleOnly: true }));
    assert.ok(await g.iam.getRole('payments-reader'));
    const binding = await remove(g, 'app');
    assert.ok(
      binding.steps.some((s) => s.resource === 'iam-role' && s.action === 'delete'),
      'the plan deletes the role',
    );
    assert.equal(await g.iam.getRole('payments-reader'), undefined);
  });

  it('keeps (detached, with a warning) its per-binding policy that another role has attached', async () => {
    const g = await ground();
    await g.bind(
      spec('app', {
        policyArns: [],
        wellKnownPolicies: { externalDNS: { hostedZoneARNs: ['arn:aws:route53:::hostedzone/Z1'] } },
      }),
    );
    const policy = [...g.iam.managed.keys()].find((a) => a.includes('externalDNS'));
    assert.ok(policy);
    await g.iam.createRole({
      name: 'other',
      path: '/',
      trustPolicy: '{}',
      description: '',
      tags: {},
    });
    await g.iam.attachPolicy('other', policy);
    const binding = await remove(g, 'app');
    assert.ok(g.iam.managed.has(policy), 'the policy another role uses is not deleted');
    assert.deepEqual(await g.iam.listAttachedPolicyArns('other'), [policy]);
    assert.equal(await g.iam.getRole('iamsa-prod-default-app'), undefined, 'the role goes');
    assert.ok(
      binding.warnings.some((w) => w.includes(policy) && /kept/.test(w)),
      binding.warnings.join('\n'),
    );
  });
});

describe("doctor points at iamsa's role for the binding", () => {
  it('IRSA002 names the role made with --role-name (found by its tags) in its fix', async () => {
    const g = await ground();
    await g.bind(spec('app', { roleName: 'payments-reader', roleOnly: true }));
    await g.kube.createServiceAccount('default', 'app', {});
    const report = await runDoctor(
      { cluster: 'prod', namespace: 'default', name: 'app', kube: { mode: 'eks' } },
      { ...g.access, reporter: quietReporter },
    );
    const irsa002 = report.checks.find((c) => c.id === 'IRSA002');
    assert.match(
      irsa002?.fix ?? '',
      /^kubectl annotate serviceaccount -n default app --overwrite eks\.amazonaws\.com\/role-arn=arn:aws:iam::\d+:role\/payments-reader$/,
    );
  });
});

describe("the wizard does not hand out another binding's policies", () => {
  it('iamsa-<role>-<key> policies are not offered; the account own other policies are', async () => {
    const g = await ground();
    await g.bind(
      spec('app', {
        policyArns: [],
        wellKnownPolicies: { externalDNS: { hostedZoneARNs: ['arn:aws:route53:::hostedzone/Z1'] } },
      }),
    );
    const mine = `arn:aws:iam::111122223333:policy/team-s3`;
    g.iam.policies.add(mine);
    let offered: Array<Choice<string>> = [];
    const ask = {
      select: async <T>(_m: string, choices: Array<Choice<T>>) =>
        choices.find((c) => c.value === ('managed' as T))?.value as T,
      search: async <T>(_m: string, source: (term: string) => Promise<Array<Choice<T>>>) => {
        offered = (await source('')) as Array<Choice<string>>;
        return offered[0]?.value as T;
      },
      confirm: async () => false,
    } as unknown as Prompter;
    await pickPolicies(g.iam, ask, quietReporter, () => {
      throw new Error('no file');
    });
    const names = offered.map((c) => c.value);
    assert.ok(names.includes(mine), names.join(', '));
    assert.ok(!names.some((n) => n.includes('externalDNS')), names.join(', '));
  });

  it('isWellKnownPolicyName knows the names iamsa gives them, and only those', () => {
    assert.equal(isWellKnownPolicyName('iamsa-iamsa-prod-default-app-externalDNS'), true);
    assert.equal(isWellKnownPolicyName('iamsa-iamsa-prod-default-app-externalDNS-2'), true);
    assert.equal(isWellKnownPolicyName(`iamsa-${'x'.repeat(111)}-0123456789`), true);
    assert.equal(isWellKnownPolicyName('iamsa-team-policy'), false);
    assert.equal(isWellKnownPolicyName('team-externalDNS'), false);
  });
});
