// Shared roles in the policy layer: one trust statement per cluster, ownership over several
// clusters, and subject patterns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildTrustPolicy,
  isOwnedRoleFor,
  matchesStringLike,
  subjectCondition,
  isOwnedSharedRoleFor,
  policySize,
  describeRoleOwner,
  roleOwner,
  sharedRoleName,
  sharedRoleOwnershipTags,
  TRUST_POLICY_DEFAULT_LIMIT,
} from '../../src/policy/index.js';

const arn = (region: string, name: string) => `arn:aws:eks:${region}:123456789012:cluster/${name}`;
const target = (region: string) => ({
  providerArn: `arn:aws:iam::123456789012:oidc-provider/oidc.eks.${region}.amazonaws.com/id/${'A'.repeat(32)}`,
  issuerHostPath: `oidc.eks.${region}.amazonaws.com/id/${'A'.repeat(32)}`,
  namespace: 'jobs',
  serviceAccount: 'batch',
});

describe('shared roles', () => {
  const clusters = [
    { name: 'prod', arn: arn('us-east-1', 'prod') },
    { name: 'dr', arn: arn('us-west-2', 'dr') },
  ];

  it('record every cluster by ARN and are owned for any binding that shares one of them', () => {
    const tags = sharedRoleOwnershipTags('jobs', 'batch', clusters);
    assert.equal(tags['iamsa.io/clusters'], 'prod,dr');
    assert.deepEqual(
      roleOwner(tags).clusterArns,
      clusters.map((c) => c.arn),
    );
    assert.ok(
      isOwnedSharedRoleFor(tags, [clusters[0]!.arn, arn('eu-west-1', 'new')], 'jobs', 'batch'),
    );
    assert.ok(!isOwnedSharedRoleFor(tags, [arn('eu-west-1', 'other')], 'jobs', 'batch'));
    assert.ok(!isOwnedSharedRoleFor(tags, [clusters[0]!.arn], 'jobs', 'other'));
    // A shared role is never a single cluster's role, and the other way round.
    assert.ok(!isOwnedRoleFor(tags, clusters[0]!.arn, 'jobs', 'batch'));
    const single = {
      'iamsa.io/managed-by': 'iamsa',
      'iamsa.io/cluster-arn': clusters[0]!.arn,
      'iamsa.io/namespace': 'jobs',
      'iamsa.io/service-account': 'batch',
    };
    assert.ok(!isOwnedSharedRoleFor(single, [clusters[0]!.arn], 'jobs', 'batch'));
    assert.equal(sharedRoleName('jobs', 'batch'), 'iamsa-shared-jobs-batch');
  });

  it('trust one statement per cluster; four fit the default quota with 32-character issuer ids', () => {
    const regions = [
      'us-east-1',
      'us-west-2',
      'eu-west-1',
      'eu-central-1',
      'ap-south-1',
      'sa-east-1',
      'ca-central-1',
    ];
    const trust = buildTrustPolicy(...regions.map(target));
    assert.equal(trust.Statement.length, 7);
    assert.ok(
      policySize(buildTrustPolicy(...regions.slice(0, 4).map(target))) <=
        TRUST_POLICY_DEFAULT_LIMIT,
    );
    assert.ok(
      policySize(buildTrustPolicy(...regions.slice(0, 5).map(target))) > TRUST_POLICY_DEFAULT_LIMIT,
    );
  });

  it('a subject pattern is shown as IAM matches it, and names are matched as StringLike does', () => {
    const t = { namespace: 'jobs', serviceAccount: 'web' };
    assert.equal(subjectCondition(t), 'system:serviceaccount:jobs:web');
    assert.equal(
      subjectCondition({ ...t, subjectPattern: 'batch-*' }),
      'StringLike system:serviceaccount:jobs:batch-*',
    );
    assert.ok(matchesStringLike('batch-*', 'batch-7'));
    assert.ok(matchesStringLike('b?t.h', 'bat.h'));
    assert.ok(!matchesStringLike('b?t.h', 'batxh'));
    assert.ok(!matchesStringLike('batch-*', 'web'));
  });

  it('a subject pattern is a StringLike sub with an exact audience', () => {
    const [s] = buildTrustPolicy({ ...target('us-east-1'), subjectPattern: 'batch-*' }).Statement;
    const host = target('us-east-1').issuerHostPath;
    assert.deepEqual(s?.Condition, {
      StringLike: { [`${host}:sub`]: 'system:serviceaccount:jobs:batch-*' },
      StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' },
    });
  });
});

describe('whose a role is, in a refusal', () => {
  it('names a shared role’s clusters, never "undefined"', () => {
    const tags = sharedRoleOwnershipTags('jobs', 'web', [
      { name: 'a', arn: arn('us-east-1', 'a') },
      { name: 'b', arn: arn('eu-west-1', 'b') },
    ]);
    const text = describeRoleOwner(tags);
    assert.ok(!text.includes('undefined'), text);
    assert.match(
      text,
      /iamsa's role for jobs\/web of clusters arn:aws:eks:us-east-1:\S+, arn:aws:eks:eu-west-1/,
    );
  });
});
