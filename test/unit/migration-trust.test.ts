// The pure trust edits of migrate-to-pod-identity: which statements are IRSA's for a provider,
// recording them in tags (chunked base64) and putting them back where they were.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  providerStatements,
  recordedStatements,
  recordStatements,
  TAG_VALUE_MAX,
  withoutStatements,
  withPlacedStatements,
  withStatement,
  type PolicyDocument,
  type PolicyStatement,
} from '../../src/policy/index.js';

const PROVIDER = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC';
const OTHER = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/DEF';
const irsa = (provider: string, sa: string): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { Federated: provider },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: { StringEquals: { [`${provider.split('/').slice(1).join('/')}:sub`]: sa } },
});
const pods: PolicyStatement = {
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};
const doc = (...s: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: s });

describe('migration trust', () => {
  it("finds only the statements that trust exactly this cluster's provider", () => {
    const both = { ...irsa(PROVIDER, 'a'), Principal: { Federated: [PROVIDER, OTHER] } };
    const d = doc(irsa(OTHER, 'x'), irsa(PROVIDER, 'a'), both, pods);
    assert.deepEqual(
      providerStatements(d, PROVIDER).map(([i]) => i),
      [1],
    );
  });

  it('records statements over as many tags as needed and reads them back', () => {
    const placed = [0, 2, 5].map((i): [number, PolicyStatement] => [i, irsa(PROVIDER, `sa-${i}`)]);
    const tags = recordStatements(placed);
    assert.ok(Object.keys(tags).length > 1, 'more than one tag');
    assert.ok(Object.values(tags).every((v) => v.length <= TAG_VALUE_MAX));
    assert.ok(
      Object.values(tags).every((v) => /^[A-Za-z0-9+/=]+$/.test(v)),
      'tag-safe characters',
    );
    assert.deepEqual(recordedStatements({ other: 'x', ...tags }), placed);
    assert.equal(recordedStatements({}), undefined);
    assert.equal(recordedStatements({ 'iamsa.io/irsa-trust-0': 'not base64 json!' }), undefined);
  });

  it('migrating, removing IRSA and putting it back gives the original document', () => {
    const original = doc(irsa(OTHER, 'x'), irsa(PROVIDER, 'a'), irsa(PROVIDER, 'b'));
    const placed = providerStatements(original, PROVIDER);
    const migrated = withStatement(original, pods);
    const podsOnly = withoutStatements(
      migrated,
      placed.map(([, s]) => s),
    );
    assert.deepEqual(podsOnly.Statement, [irsa(OTHER, 'x'), pods]);
    const restored = withPlacedStatements(
      podsOnly,
      recordedStatements(recordStatements(placed)) ?? [],
    );
    assert.deepEqual(withoutStatements(restored, [pods]), original);
    // Putting back what is there already changes nothing.
    assert.deepEqual(withPlacedStatements(migrated, placed), migrated);
  });
});
