import type { Warning } from '../../src/actions/engine/warning-kinds.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  scanAccountRoles,
  snapshotIam,
  snapshotKube,
} from '../../src/actions/binding/account-snapshot.js';
import type { Reporter } from '../../src/actions/engine/reporter.js';
import { AuthError } from '../../src/errors.js';
import { FakeIam, FakeKube } from '../support/fakes.js';

const warned: Warning[] = [];
const reporter: Reporter = {
  progress: (_label, work) => work(),
  warn: (w) => void warned.push(w),
};
const trust = encodeURIComponent('{"Version":"2012-10-17","Statement":[]}');

async function accountWithRoles() {
  const iam = new FakeIam();
  await iam.createRole({
    name: 'App-Role',
    path: '/',
    trustPolicy: trust,
    description: '',
    tags: { team: 'a' },
  });
  await iam.attachPolicy('App-Role', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
  await iam.putInlinePolicy('App-Role', 'iamsa-inline', '{"Statement":[]}');
  iam.calls.length = 0;
  return iam;
}

describe('snapshotIam', () => {
  it('answers role reads from one scan (names case-insensitive), and reads live after a write', async () => {
    const iam = await accountWithRoles();
    const warnings: Warning[] = [];
    const snapshot = scanAccountRoles(iam, reporter, warnings);
    const reads = snapshotIam(iam, snapshot);
    const role = await reads.getRole('app-role');
    assert.equal(role?.name, 'App-Role');
    assert.deepEqual(role?.tags, { team: 'a' });
    assert.equal(await reads.getRole('missing'), undefined);
    assert.deepEqual(await reads.listAttachedPolicyArns('App-Role'), [
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
    ]);
    assert.equal(
      await reads.getInlinePolicy('App-Role', 'iamsa-inline'),
      encodeURIComponent('{"Statement":[]}'),
    );
    assert.equal(await reads.getInlinePolicy('App-Role', 'other'), undefined);
    assert.deepEqual(iam.calls, ['listRoleDetails'], 'one scan, no per-role read');
    assert.deepEqual(warnings, []);

    // The first write ends the snapshot: a role made since is read as it is.
    await reads.createRole({
      name: 'new',
      path: '/',
      trustPolicy: trust,
      description: '',
      tags: {},
    });
    assert.equal((await reads.getRole('new'))?.name, 'new');
    assert.ok(iam.calls.includes('getRole'));
  });

  it('a denied scan is a warning, and the reads go role by role', async () => {
    const iam = await accountWithRoles();
    iam.listRoleDetails = () =>
      Promise.reject(new AuthError('not authorized to perform iam:GetAccountAuthorizationDetails'));
    const warnings: Warning[] = [];
    const reads = snapshotIam(iam, scanAccountRoles(iam, reporter, warnings));
    assert.equal((await reads.getRole('App-Role'))?.name, 'App-Role');
    assert.ok(iam.calls.includes('getRole'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /could not read the account's roles at once .*one role at a time/);
  });

  it('a scan that fails otherwise leaves the reads live, each with its own outcome', async () => {
    const iam = await accountWithRoles();
    iam.listRoleDetails = () => Promise.reject(new Error('socket hang up'));
    const reads = snapshotIam(iam, scanAccountRoles(iam, reporter, []));
    assert.equal((await reads.getRole('App-Role'))?.name, 'App-Role');
  });
});

describe('snapshotKube', () => {
  it('answers service account reads from one LIST per namespace until the first write', async () => {
    const kube = new FakeKube();
    await kube.createNamespace('team');
    await kube.createServiceAccount('team', 'a', { annotations: {}, labels: {} });
    const reads = snapshotKube(kube);
    const calls: string[] = [];
    const list = kube.listServiceAccounts.bind(kube);
    const get = kube.getServiceAccount.bind(kube);
    kube.listServiceAccounts = (ns) => (calls.push(`list ${ns}`), list(ns));
    kube.getServiceAccount = (ns, name) => (calls.push(`get ${ns}/${name}`), get(ns, name));
    assert.equal((await reads.getServiceAccount('team', 'a'))?.name, 'a');
    assert.equal(await reads.getServiceAccount('team', 'b'), undefined);
    assert.deepEqual(calls, ['list team']);
    await reads.createServiceAccount('team', 'b', { annotations: {}, labels: {} });
    assert.equal((await reads.getServiceAccount('team', 'b'))?.name, 'b');
    assert.deepEqual(calls, ['list team', 'get team/b']);
  });
});
