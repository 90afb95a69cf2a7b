// migrate-to-pod-identity through the built binary: one smoke run against moto, the EKS endpoint
// (Pod Identity associations and add-ons) and the emulator. Re-runs, --remove-irsa, foreign and
// add-on roles, conflicts and usage errors are tested in-process in test/commands/migrate.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { ACCOUNT, type Ground, REGION, startGround } from '../support/ground.js';
import { namespace as makeNamespace, bindReadOnly } from '../support/irsa-states.js';

const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/demo`;
const PODS_STATEMENT = {
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
  Condition: {
    StringEquals: { 'aws:SourceAccount': ACCOUNT },
    ArnEquals: { 'aws:SourceArn': CLUSTER_ARN },
  },
};

let g: Ground;
let providerArn: string;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;
const migrate = (...args: string[]) =>
  g.iamsa(['migrate-to-pod-identity', '--cluster', 'demo', ...g.kubeFlags, ...args]);
const roleName = (ns: string, name: string) => `iamsa-demo-${ns}-${name}`;
const roleOf = async (name: string) =>
  (await g.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
const trustOf = async (name: string) =>
  JSON.parse(decodeURIComponent((await roleOf(name))?.AssumeRolePolicyDocument ?? ''));
/** What a service account is, without what the API server bumps on every write. */
const saOf = (ns: string, name: string) => {
  const o = g.kube.getObject('serviceaccounts', ns, name);
  return o && { annotations: o.metadata.annotations ?? {}, labels: o.metadata.labels ?? {} };
};
const associationsIn = (ns: string) =>
  g.eksEndpoint.associations('demo').filter((a) => a.namespace === ns);
const namespace = (name: string) => makeNamespace(g, name);
const bind = (ns: string, name: string) => bindReadOnly(g, ns, name);
async function snapshot(ns: string, names: string[]) {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    out[n] = { trust: await trustOf(roleName(ns, n)), sa: saOf(ns, n) };
  }
  return out;
}

before(async () => {
  g = await startGround('demo');
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve', '-o', 'json']);
  assert.equal(enabled.code, 0, enabled.stderr);
  providerArn = json(enabled.stdout).providerArn;
  await g.installPodIdentityAgent('demo');
});
after(() => g.close());

describe('migrate-to-pod-identity', () => {
  test('smoke: an IRSA binding migrates against moto, the EKS endpoint and the emulator; --rollback restores it', async () => {
    await namespace('mig');
    await bind('mig', 'api');
    const before = await snapshot('mig', ['api']);
    const r = await migrate('-n', 'mig', '--approve', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r.stdout).bindings.length, 1);
    const [a] = associationsIn('mig');
    assert.equal(a?.roleArn, `arn:aws:iam::${ACCOUNT}:role/${roleName('mig', 'api')}`);
    assert.equal(a?.tags['iamsa.io/migrated-from'], 'irsa');
    const trust = await trustOf(roleName('mig', 'api'));
    assert.equal(trust.Statement[0].Principal.Federated, providerArn);
    assert.deepEqual(trust.Statement[1], PODS_STATEMENT);
    const back = await migrate('-n', 'mig', '--rollback', '--approve');
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(await snapshot('mig', ['api']), before);
    assert.equal(associationsIn('mig').length, 0);
  });
});
