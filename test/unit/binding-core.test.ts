// The binding core against in-memory gateways that keep state: planning, composing chains,
// applying, converging, and the delete and update planners.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BindingSpec, FLAGS_SOURCE } from '../../src/actions/binding/spec.js';
import { openClusterSession } from '../../src/actions/binding/cluster-session.js';
import { composePlan } from '../../src/actions/engine/plan.js';
import { planBinding as planChecked } from '../../src/actions/binding/plan-binding.js';
import { checkBinding } from '../../src/actions/binding/check.js';
import type { ClusterSession } from '../../src/actions/binding/cluster-session.js';
import { planDeleteBinding } from '../../src/actions/binding/delete/dispatch.js';
import { getServiceAccounts, SCAN_FROM } from '../../src/actions/lifecycle/get-serviceaccounts.js';
import { ExitCode, IamsaError } from '../../src/errors.js';
import { policiesFingerprint, TAG_POLICIES } from '../../src/policy/index.js';
import { clusterInfo, enableCluster, fakeRegion, quietReporter } from '../support/fakes.js';

/** The binding checked at the boundary, as the commands do, then planned. */
const planBinding = (s: ClusterSession, b: BindingSpec) => planChecked(s, checkBinding(b));

const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const ANNOTATION = 'eks.amazonaws.com/role-arn';
const MISSING = 'arn:aws:iam::aws:policy/NoSuchPolicy';

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
  const session = () =>
    openClusterSession(region.access, {
      cluster: 'prod',
      kube: { mode: 'eks' },
      reporter: quietReporter,
    });
  return { ...region, session };
}

const header = { command: 'test', cluster: 'prod', region: 'us-east-1', warnings: [] };

/** What delete-serviceaccount --namespace default --name NAME asks for. */
const target = (name: string, extra = {}) => ({
  cluster: 'prod',
  namespace: 'default',
  name,
  keepServiceAccount: false,
  roleOnly: false,
  source: FLAGS_SOURCE,
  ...extra,
});

describe('planBinding and composePlan', () => {
  it('plans a new binding role first, annotation last; applying makes it; a re-plan is unchanged', async () => {
    const g = await ground();
    const binding = await planBinding(g.session(), spec('app'));
    assert.equal(binding.error, undefined);
    assert.deepEqual(
      binding.steps.map((s) => `${s.action} ${s.resource}`),
      ['create iam-role', 'create policy-attachment', 'create service-account'],
    );
    const result = await composePlan(header, [binding], quietReporter).apply();
    assert.equal(result.applied, true);
    const role = await g.iam.getRole('iamsa-prod-default-app');
    assert.ok(role);
    assert.deepEqual(await g.iam.listAttachedPolicyArns('iamsa-prod-default-app'), [READONLY]);
    assert.equal(g.kube.serviceAccounts.get('default/app')?.annotations[ANNOTATION], role.arn);

    const again = await planBinding(g.session(), spec('app'));
    assert.ok(again.steps.every((s) => s.action === 'unchanged'));
  });

  it('one session describes the cluster once and connects once for many bindings', async () => {
    const g = await ground();
    const session = g.session();
    const bindings = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((n) => planBinding(session, spec(n))),
    );
    assert.ok(bindings.every((b) => !b.error));
    assert.equal(g.eks.describes, 1);
    assert.equal(g.connections(), 1);
    assert.equal(g.iam.calls.filter((c) => c === 'getOidcProvider').length, 1);
  });

  it('a namespace two bindings need is planned once and created once', async () => {
    const g = await ground();
    const session = g.session();
    const bindings = await Promise.all(
      ['one', 'two'].map((n) =>
        planBinding(session, spec(n, { namespace: 'fresh', createNamespace: true })),
      ),
    );
    const plan = composePlan(header, bindings, quietReporter);
    assert.equal(plan.result.steps.filter((s) => s.resource === 'namespace').length, 1);
    const result = await plan.apply();
    assert.equal(result.exitCode, undefined, JSON.stringify(result.bindings));
    assert.ok(g.kube.namespaces.has('fresh'));
    assert.ok(g.kube.serviceAccounts.has('fresh/one') && g.kube.serviceAccounts.has('fresh/two'));
  });

  it('a bad binding is its own error and does not hide the others', async () => {
    const g = await ground();
    const session = g.session();
    const bindings = await Promise.all([
      planBinding(session, spec('good')),
      // Checked fine, but the policy is not there: found while planning.
      planBinding(session, spec('bad', { policyArns: [MISSING] })),
    ]);
    const plan = composePlan(header, bindings, quietReporter);
    assert.equal(plan.result.bindings[1]?.error?.exitCode, ExitCode.usage);
    assert.equal(plan.result.exitCode, ExitCode.usage);
    const result = await plan.apply();
    assert.equal(result.bindings[0]?.applied, true);
    assert.ok(g.kube.serviceAccounts.has('default/good'));
  });

  it('a failure stops only its own chain: its service account is never annotated', async () => {
    const g = await ground();
    const attach = g.iam.attachPolicy.bind(g.iam);
    g.iam.attachPolicy = async (role, arn) => {
      if (role.includes('broken')) throw new IamsaError('throttled for good');
      return attach(role, arn);
    };
    const session = g.session();
    const bindings = await Promise.all([
      planBinding(session, spec('ok')),
      planBinding(session, spec('broken')),
    ]);
    const result = await composePlan(header, bindings, quietReporter).apply();
    const broken = result.bindings.find((b) => b.name === 'broken');
    assert.match(
      broken?.error?.message ?? '',
      /throttled for good \(already done: created iam-role/,
    );
    assert.equal(result.exitCode, ExitCode.internal);
    assert.ok(g.kube.serviceAccounts.has('default/ok'));
    assert.equal(g.kube.serviceAccounts.has('default/broken'), false);
  });

  it('failAsCommand throws the binding error with its exit code', async () => {
    const g = await ground();
    const binding = await planBinding(g.session(), spec('x', { policyArns: [MISSING] }));
    assert.throws(
      () => composePlan(header, [binding], quietReporter, { failAsCommand: true }),
      (e: unknown) => e instanceof IamsaError && e.exitCode === ExitCode.usage,
    );
  });

  it('a role created meanwhile for this very binding is converged, not a failure', async () => {
    const g = await ground();
    const binding = await planBinding(g.session(), spec('race'));
    // Another run creates the same binding between this plan and its apply.
    await composePlan(
      header,
      [await planBinding(g.session(), spec('race'))],
      quietReporter,
    ).apply();
    const result = await composePlan(header, [binding], quietReporter).apply();
    assert.equal(result.exitCode, undefined, JSON.stringify(result.bindings[0]?.error));
  });

  it('update detaches only what it is asked to and keeps the rest', async () => {
    const g = await ground();
    await composePlan(
      header,
      [await planBinding(g.session(), spec('u', { policyArns: [READONLY, S3_READ] }))],
      quietReporter,
    ).apply();
    const update = spec('u', {
      policyArns: [],
      update: {
        detachPolicyArns: [S3_READ],
        removeInlinePolicy: false,
        removePermissionsBoundary: false,
        removeTags: [],
      },
    });
    const plan = await planBinding(g.session(), update);
    assert.deepEqual(
      plan.steps.filter((s) => s.action !== 'unchanged').map((s) => `${s.action} ${s.id}`),
      // The role's record of its policies changes with them.
      [`update arn:aws:iam::111122223333:role/iamsa-prod-default-u`, `delete ${S3_READ}`],
    );
    await composePlan(header, [plan], quietReporter).apply();
    assert.deepEqual(await g.iam.listAttachedPolicyArns('iamsa-prod-default-u'), [READONLY]);
  });
});

describe('the policies record (iamsa.io/policies)', () => {
  const DOC = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  };
  const inline = (document: unknown) => ({ document: document as any, origin: 'policy.json' });
  const removals = (over = {}) => ({
    detachPolicyArns: [],
    removeInlinePolicy: false,
    removePermissionsBoundary: false,
    removeTags: [],
    ...over,
  });
  const recorded = async (g: Awaited<ReturnType<typeof ground>>, name: string) =>
    (await g.iam.getRole(`iamsa-prod-default-${name}`))?.tags[TAG_POLICIES];
  const apply = async (g: Awaited<ReturnType<typeof ground>>, s: BindingSpec) => {
    const plan = await planBinding(g.session(), s);
    assert.equal(plan.error, undefined, plan.error?.message);
    await composePlan(header, [plan], quietReporter).apply();
    return plan;
  };
  const changed = (plan: Awaited<ReturnType<typeof planBinding>>) =>
    plan.steps
      .filter((s) => s.action !== 'unchanged')
      .map((s) => `${s.action} ${s.resource}: ${s.changes.join('; ')}`);

  it('create records the managed policies and the inline policy; a converged re-run writes nothing', async () => {
    const g = await ground();
    const s = spec('rec', { policyArns: [READONLY, S3_READ], inlinePolicy: inline(DOC) });
    const plan = await apply(g, s);
    const fingerprint = policiesFingerprint({
      managedArns: [S3_READ, READONLY],
      inlinePolicy: JSON.stringify(DOC),
    });
    assert.match(
      plan.steps[0]?.changes.at(-1) ?? '',
      new RegExp(`iamsa\\.io/policies=${fingerprint}$`),
    );
    assert.equal(await recorded(g, 'rec'), fingerprint);
    // The same document with its keys in another order is the same policy.
    const reordered = {
      Statement: [{ Resource: '*', Action: 's3:GetObject', Effect: 'Allow' }],
      Version: '2012-10-17',
    };
    const again = await planBinding(g.session(), {
      ...s,
      policyArns: [S3_READ, READONLY],
      inlinePolicy: inline(reordered),
    });
    assert.deepEqual(changed(again), []);
    // A re-run without --attach-policy keeps the inline policy, and its record.
    assert.deepEqual(
      changed(await planBinding(g.session(), spec('rec', { policyArns: [READONLY, S3_READ] }))),
      [],
    );
  });

  it('update-serviceaccount removals change the record, shown as a tags update of the role', async () => {
    const g = await ground();
    await apply(g, spec('upd', { policyArns: [READONLY, S3_READ], inlinePolicy: inline(DOC) }));
    const before = await recorded(g, 'upd');
    const plan = await apply(
      g,
      spec('upd', {
        policyArns: [],
        update: removals({ detachPolicyArns: [S3_READ], removeInlinePolicy: true }),
      }),
    );
    const after = policiesFingerprint({ managedArns: [READONLY] });
    assert.deepEqual(changed(plan), [
      `update iam-role: tags iamsa.io/policies: ${before} -> ${after}`,
      `delete policy-attachment: detach from iamsa-prod-default-upd`,
      'delete inline-policy: ',
    ]);
    assert.equal(await recorded(g, 'upd'), after);
    assert.deepEqual(
      changed(await planBinding(g.session(), spec('upd', { policyArns: [], update: removals() }))),
      [],
    );
  });

  it('a policy attached outside iamsa is left alone, warned about and never recorded by the next run', async () => {
    const g = await ground();
    await apply(g, spec('extra'));
    const first = await recorded(g, 'extra');
    await g.iam.attachPolicy('iamsa-prod-default-extra', S3_READ);
    const plan = await apply(g, spec('extra'));
    assert.match(
      plan.warnings.join('\n'),
      /also has policies iamsa was not asked for and leaves alone: .*AmazonS3ReadOnlyAccess.*attached outside iamsa/,
    );
    assert.deepEqual(changed(plan), [], 'the record stays what iamsa applied');
    assert.equal(first, policiesFingerprint({ managedArns: [READONLY] }));
    assert.equal(await recorded(g, 'extra'), first);
  });

  it('a role made before iamsa recorded its policies gets the record on its next run', async () => {
    const g = await ground();
    await apply(g, spec('old'));
    await g.iam.untagRole('iamsa-prod-default-old', [TAG_POLICIES]);
    const plan = await apply(g, spec('old'));
    assert.deepEqual(changed(plan), [
      `update iam-role: tags iamsa.io/policies: (none) -> ${policiesFingerprint({ managedArns: [READONLY] })}`,
    ]);
  });
});

describe('planDeleteBinding', () => {
  it('deletes the annotation first, then policies, then the role, and leaves nothing', async () => {
    const g = await ground();
    await composePlan(
      header,
      [await planBinding(g.session(), spec('gone'))],
      quietReporter,
    ).apply();
    const plan = await planDeleteBinding(g.session(), target('gone'));
    assert.deepEqual(
      plan.steps.map((s) => `${s.phase} ${s.action} ${s.resource}`),
      ['1 delete service-account', '2 delete policy-attachment', '3 delete iam-role'],
    );
    await composePlan(header, [plan], quietReporter).apply();
    assert.equal(g.iam.roles.size, 0);
    assert.equal(g.kube.serviceAccounts.size, 0);
    assert.deepEqual((await planDeleteBinding(g.session(), target('gone'))).steps, []);
  });

  it('refuses a role iamsa does not own, with exit 5, and plans nothing', async () => {
    const g = await ground();
    await g.iam.createRole({
      name: 'iamsa-prod-default-theirs',
      path: '/',
      trustPolicy: '{}',
      description: '',
      tags: { owner: 'terraform' },
    });
    const plan = await planDeleteBinding(g.session(), target('theirs'));
    assert.equal(plan.error?.exitCode, ExitCode.conflict);
    assert.deepEqual(plan.steps, []);
  });

  it('keeps a service account iamsa did not make, removing only its annotation', async () => {
    const g = await ground();
    await g.kube.createServiceAccount('default', 'kept', {
      labels: { team: 'x' },
      annotations: { note: 'n' },
    });
    await composePlan(
      header,
      [await planBinding(g.session(), spec('kept'))],
      quietReporter,
    ).apply();
    await composePlan(
      header,
      [await planDeleteBinding(g.session(), target('kept'))],
      quietReporter,
    ).apply();
    const sa = g.kube.serviceAccounts.get('default/kept');
    assert.deepEqual(sa?.annotations, { note: 'n' });
    assert.deepEqual(sa?.labels, { team: 'x' });
  });
});

describe('getServiceAccounts', () => {
  it('a listing of many roles reads the account in one scan and computes the same statuses', async () => {
    const g = await ground();
    const names = Array.from({ length: SCAN_FROM + 2 }, (_, i) => `many-${i}`);
    const session = g.session();
    await composePlan(
      header,
      await Promise.all(names.map((n) => planBinding(session, spec(n)))),
      quietReporter,
    ).apply();
    g.iam.calls.length = 0;
    const many = await getServiceAccounts(
      { cluster: 'prod', orphans: false },
      { mode: 'eks' },
      {
        ...g.access,
        reporter: quietReporter,
      },
    );
    assert.equal(many.serviceAccounts.length, names.length);
    assert.ok(many.serviceAccounts.every((r) => r.status === 'ok' && r.policies[0] === READONLY));
    assert.deepEqual(
      g.iam.calls.filter((c) => c !== 'getOidcProvider'),
      ['listRoleDetails'],
      'one scan, no per-role reads',
    );
  });

  it('a few roles are read one by one, without the account scan', async () => {
    const g = await ground();
    await composePlan(header, [await planBinding(g.session(), spec('few'))], quietReporter).apply();
    g.iam.calls.length = 0;
    const few = await getServiceAccounts(
      { cluster: 'prod', orphans: false },
      { mode: 'eks' },
      {
        ...g.access,
        reporter: quietReporter,
      },
    );
    assert.equal(few.serviceAccounts[0]?.status, 'ok');
    assert.ok(!g.iam.calls.includes('listRoleDetails'));
    assert.ok(g.iam.calls.includes('getRole'));
  });
});

describe('races', () => {
  for (const createNamespace of [false, true]) {
    it(`a service account made between plan and apply is annotated all the same (--create-namespace ${createNamespace})`, async () => {
      const g = await ground();
      const binding = await planBinding(g.session(), spec('race-sa', { createNamespace }));
      await g.kube.createServiceAccount('default', 'race-sa', { labels: { team: 'x' } });
      const result = await composePlan(header, [binding], quietReporter).apply();
      assert.equal(result.exitCode, undefined, JSON.stringify(result.bindings[0]?.error));
      const sa = g.kube.serviceAccounts.get('default/race-sa');
      assert.equal(sa?.annotations[ANNOTATION], binding.roleArn);
      assert.equal(sa?.labels.team, 'x');
    });
  }

  it('one annotated with another role meanwhile stays a conflict', async () => {
    const g = await ground();
    const binding = await planBinding(g.session(), spec('race-other'));
    await g.kube.createServiceAccount('default', 'race-other', {
      annotations: { [ANNOTATION]: 'arn:aws:iam::111122223333:role/someone-else' },
    });
    const result = await composePlan(header, [binding], quietReporter).apply();
    assert.equal(result.exitCode, ExitCode.conflict);
  });

  it('a namespace made between plan and apply is no failure', async () => {
    const g = await ground();
    const binding = await planBinding(
      g.session(),
      spec('race-ns', { namespace: 'late', createNamespace: true }),
    );
    g.kube.namespaces.add('late');
    const result = await composePlan(header, [binding], quietReporter).apply();
    assert.equal(result.exitCode, undefined, JSON.stringify(result.bindings[0]?.error));
    assert.ok(g.kube.serviceAccounts.has('late/race-ns'));
  });
});

describe('planDeleteBinding: which role is the binding', () => {
  const foreign = async (g: Awaited<ReturnType<typeof ground>>, name: string) =>
    g.iam.createRole({
      name,
      path: '/',
      trustPolicy: '{}',
      description: '',
      tags: { owner: 'tf' },
    });

  it('a service account re-pointed at a foreign role is left alone; iamsa still deletes its own role', async () => {
    const g = await ground();
    await composePlan(
      header,
      [await planBinding(g.session(), spec('repointed'))],
      quietReporter,
    ).apply();
    const other = await foreign(g, 'someone-elses');
    await g.kube.patchServiceAccount('default', 'repointed', {
      annotations: { [ANNOTATION]: other.arn },
    });
    const plan = await planDeleteBinding(g.session(), target('repointed'));
    assert.equal(plan.error, undefined, plan.error?.message);
    assert.match(plan.warnings.join(), /now uses role .*someone-elses.*left as it is/);
    await composePlan(header, [plan], quietReporter).apply();
    assert.equal(await g.iam.getRole('iamsa-prod-default-repointed'), undefined);
    assert.ok(await g.iam.getRole('someone-elses'));
    assert.equal(
      g.kube.serviceAccounts.get('default/repointed')?.annotations[ANNOTATION],
      other.arn,
    );
  });

  it('a service account iamsa made, re-pointed at a missing role, is not deleted', async () => {
    const g = await ground();
    await composePlan(
      header,
      [await planBinding(g.session(), spec('dangles'))],
      quietReporter,
    ).apply();
    await g.kube.patchServiceAccount('default', 'dangles', {
      annotations: { [ANNOTATION]: 'arn:aws:iam::111122223333:role/gone-elsewhere' },
    });
    await composePlan(
      header,
      [await planDeleteBinding(g.session(), target('dangles'))],
      quietReporter,
    ).apply();
    assert.ok(g.kube.serviceAccounts.has('default/dangles'));
    assert.equal(await g.iam.getRole('iamsa-prod-default-dangles'), undefined);
  });

  it('an explicit --role-name names the role to delete', async () => {
    const g = await ground();
    await composePlan(
      header,
      [await planBinding(g.session(), spec('custom', { roleName: 'my-role' }))],
      quietReporter,
    ).apply();
    await g.kube.deleteServiceAccount('default', 'custom');
    const plan = await planDeleteBinding(g.session(), target('custom', { roleName: 'my-role' }));
    await composePlan(header, [plan], quietReporter).apply();
    assert.equal(await g.iam.getRole('my-role'), undefined);
  });

  it('a refused pods listing is a warning, not a failed delete', async () => {
    const g = await ground();
    await composePlan(
      header,
      [await planBinding(g.session(), spec('nopods'))],
      quietReporter,
    ).apply();
    g.kube.listPodsOf = async () => {
      throw new IamsaError('forbidden');
    };
    const plan = await planDeleteBinding(g.session(), target('nopods'));
    assert.equal(plan.error, undefined);
    assert.match(plan.warnings.join(), /could not check for pods/);
  });
});
