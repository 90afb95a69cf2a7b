import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/errors.js';
import { FLAGS_SOURCE } from '../../src/actions/binding/spec.js';
import { checkBinding } from '../../src/actions/binding/check.js';
import {
  bindingRoleTags,
  policiesFingerprint,
  TAG_POLICIES,
  TAG_CLUSTER,
  TAG_MANAGED_BY,
  TAG_NAMESPACE,
  TAG_SERVICE_ACCOUNT,
  isOwnedRoleFor,
  mergeTags,
  providerOwnershipTags,
  roleOwner,
  roleOwnershipTags,
  tagsFromList,
  tagsToList,
} from '../../src/policy/index.js';

describe('ownership tag keys', () => {
  it('are the documented keys', () => {
    assert.equal(TAG_MANAGED_BY, 'iamsa.io/managed-by');
    assert.equal(TAG_CLUSTER, 'iamsa.io/cluster');
    assert.equal(TAG_NAMESPACE, 'iamsa.io/namespace');
    assert.equal(TAG_SERVICE_ACCOUNT, 'iamsa.io/service-account');
  });
});

const PROD = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod';
const PROD_US = 'arn:aws:eks:us-east-1:111122223333:cluster/prod';

describe('roleOwnershipTags / providerOwnershipTags', () => {
  it('tags a role with cluster (name and ARN), namespace and service account', () =>
    assert.deepEqual(roleOwnershipTags('prod', 'ns', 'sa', PROD), {
      'iamsa.io/managed-by': 'iamsa',
      'iamsa.io/cluster': 'prod',
      'iamsa.io/cluster-arn': PROD,
      'iamsa.io/namespace': 'ns',
      'iamsa.io/service-account': 'sa',
    }));
  it('tags a provider with managed-by and cluster', () =>
    assert.deepEqual(providerOwnershipTags('prod'), {
      'iamsa.io/managed-by': 'iamsa',
      'iamsa.io/cluster': 'prod',
    }));
});

describe('roleOwner', () => {
  it('reads iamsa tags', () =>
    assert.deepEqual(roleOwner(roleOwnershipTags('prod', 'ns', 'sa', PROD)), {
      managed: true,
      cluster: 'prod',
      clusterArn: PROD,
      namespace: 'ns',
      serviceAccount: 'sa',
    }));
  it('reports an untagged role as unmanaged', () =>
    assert.deepEqual(roleOwner({}), { managed: false }));
  it('reports a role with another managed-by value as unmanaged', () =>
    assert.equal(
      roleOwner({ ...roleOwnershipTags('p', 'n', 's', PROD), [TAG_MANAGED_BY]: 'terraform' })
        .managed,
      false,
    ));
  it('reads partial tags', () =>
    assert.deepEqual(roleOwner({ [TAG_MANAGED_BY]: 'iamsa', [TAG_CLUSTER]: 'prod' }), {
      managed: true,
      cluster: 'prod',
    }));
  it('ignores other tags', () =>
    assert.deepEqual(roleOwner({ team: 'x', 'app.kubernetes.io/managed-by': 'iamsa' }), {
      managed: false,
    }));
});

describe('isOwnedRoleFor', () => {
  const tags = roleOwnershipTags('prod', 'ns', 'sa', PROD);
  it('is true for the same cluster, namespace and service account', () =>
    assert.equal(isOwnedRoleFor(tags, PROD, 'ns', 'sa'), true));
  for (const [c, n, s] of [
    [PROD_US, 'ns', 'sa'],
    ['arn:aws:eks:eu-west-1:111122223333:cluster/dev', 'ns', 'sa'],
    [PROD, 'other', 'sa'],
    [PROD, 'ns', 'other'],
  ] as const) {
    it(`is false for ${c}/${n}/${s}`, () => assert.equal(isOwnedRoleFor(tags, c, n, s), false));
  }
  it('is false for an unmanaged role with matching-looking tags', () =>
    assert.equal(
      isOwnedRoleFor({ ...tags, [TAG_MANAGED_BY]: 'someone' }, PROD, 'ns', 'sa'),
      false,
    ));
  it('is false for an untagged role', () =>
    assert.equal(isOwnedRoleFor({}, PROD, 'ns', 'sa'), false));
  it('is false for a role of the same cluster name without the ARN tag', () => {
    const legacy: Record<string, string> = { ...tags };
    delete legacy['iamsa.io/cluster-arn'];
    assert.equal(isOwnedRoleFor(legacy, PROD, 'ns', 'sa'), false);
  });
});

describe('mergeTags', () => {
  const owner = roleOwnershipTags('prod', 'ns', 'sa', PROD);
  it('adds ownership tags to user tags', () =>
    assert.deepEqual(mergeTags({ team: 'payments' }, owner), { team: 'payments', ...owner }));
  it('works with no user tags', () => assert.deepEqual(mergeTags({}, owner), owner));
  it('does not mutate its inputs', () => {
    const user = { team: 'x' };
    mergeTags(user, owner);
    assert.deepEqual(user, { team: 'x' });
  });
  for (const key of ['iamsa.io/cluster', 'iamsa.io/anything', 'IAMSA.IO/Cluster']) {
    it(`rejects a user tag ${key}`, () =>
      assert.throws(
        () => mergeTags({ [key]: 'x' }, owner),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.message.includes(`"${key}"`) &&
          err.message.includes('reserved'),
      ));
  }
  it('allows keys that only resemble the prefix', () =>
    assert.doesNotThrow(() => mergeTags({ 'iamsa.io': 'x', 'my.iamsa.io/x': 'y' }, owner)));
  it('ownership tags win', () => {
    const merged = mergeTags({}, { ...owner });
    assert.equal(merged[TAG_MANAGED_BY], 'iamsa');
  });
  it('accepts 45 user tags plus 5 ownership tags and rejects 46', () => {
    const user = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    assert.equal(Object.keys(mergeTags(user(45), owner)).length, 50);
    assert.throws(
      () => mergeTags(user(46), owner),
      /46 given plus 5 added by iamsa make 51.*at most 50; remove 1/,
    );
  });
});

describe('tagsFromList / tagsToList', () => {
  it('converts IAM tag lists', () =>
    assert.deepEqual(tagsFromList([{ Key: 'a', Value: '1' }, { Key: 'b' }, { Value: 'orphan' }]), {
      a: '1',
      b: '',
    }));
  it('handles undefined', () => assert.deepEqual(tagsFromList(undefined), {}));
  it('sorts keys when building a list', () =>
    assert.deepEqual(tagsToList({ b: '2', a: '1' }), [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]));
  it('round-trips', () => {
    const tags = roleOwnershipTags('prod', 'ns', 'sa', PROD);
    assert.deepEqual(tagsFromList(tagsToList(tags)), tags);
  });
});

describe('bindingRoleTags', () => {
  it('are the ownership tags plus the policies record', () =>
    assert.deepEqual(bindingRoleTags('irsa', 'prod', 'ns', 'sa', PROD, '0123456789ab'), {
      ...roleOwnershipTags('prod', 'ns', 'sa', PROD),
      'iamsa.io/policies': '0123456789ab',
    }));
  it('a Pod Identity role also carries the mechanism', () =>
    assert.equal(
      Object.keys(bindingRoleTags('pod-identity', 'prod', 'ns', 'sa', PROD, 'x')).length,
      7,
    ));
  it('the record key is documented', () => assert.equal(TAG_POLICIES, 'iamsa.io/policies'));
});

describe('policiesFingerprint', () => {
  const A = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  const B = 'arn:aws:iam::111122223333:policy/iamsa-prod-ns-sa-ebsCSIController';
  const doc = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
  };
  const base = policiesFingerprint({ managedArns: [A, B], inlinePolicy: JSON.stringify(doc) });
  it('is 12 hex digits of sha256', () => assert.match(base, /^[0-9a-f]{12}$/));
  it('does not depend on the order or repeats of ARNs', () =>
    assert.equal(
      policiesFingerprint({ managedArns: [B, A, B], inlinePolicy: JSON.stringify(doc) }),
      base,
    ));
  it('does not depend on key order, spacing or URL-encoding of the inline policy (as IAM returns it)', () => {
    const reordered = `{ "Statement": [{"Resource":"*","Action":"s3:*","Effect":"Allow"}],\n "Version": "2012-10-17" }`;
    assert.equal(policiesFingerprint({ managedArns: [A, B], inlinePolicy: reordered }), base);
    assert.equal(
      policiesFingerprint({ managedArns: [A, B], inlinePolicy: encodeURIComponent(reordered) }),
      base,
    );
  });
  it('changes with an attachment, a detachment, an inline edit or the inline policy gone', () => {
    const others = [
      policiesFingerprint({ managedArns: [A], inlinePolicy: JSON.stringify(doc) }),
      policiesFingerprint({
        managedArns: [A, B, 'arn:aws:iam::aws:policy/AdministratorAccess'],
        inlinePolicy: JSON.stringify(doc),
      }),
      policiesFingerprint({
        managedArns: [A, B],
        inlinePolicy: JSON.stringify({ ...doc, Version: '2008-10-17' }),
      }),
      policiesFingerprint({ managedArns: [A, B] }),
    ];
    assert.equal(new Set([base, ...others]).size, 5);
  });
  it('an inline policy that is not JSON still counts, by its text', () =>
    assert.notEqual(
      policiesFingerprint({ managedArns: [], inlinePolicy: 'x' }),
      policiesFingerprint({ managedArns: [], inlinePolicy: 'y' }),
    ));
});

describe("checkBinding: IAM's 50 tags per role", () => {
  const user = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
  const spec = (tags: Record<string, string>, mechanism?: 'pod-identity') => ({
    cluster: 'prod',
    namespace: 'ns',
    name: 'sa',
    policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    tags,
    roleOnly: false,
    overrideExisting: false,
    createNamespace: false,
    source: FLAGS_SOURCE,
    ...(mechanism ? { mechanism } : {}),
  });
  it('counts six iamsa tags on an IRSA role (ownership and the policies record)', () => {
    assert.doesNotThrow(() => checkBinding(spec(user(44))));
    assert.throws(
      () => checkBinding(spec(user(45))),
      /45 given plus 6 added by iamsa make 51.*at most 50; remove 1/,
    );
  });
  it('and seven on a Pod Identity role', () => {
    assert.doesNotThrow(() => checkBinding(spec(user(43), 'pod-identity')));
    assert.throws(() => checkBinding(spec(user(44), 'pod-identity')), /plus 7 added by iamsa/);
  });
});
