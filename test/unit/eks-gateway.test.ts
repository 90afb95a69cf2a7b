// The EKS gateway's words for a cluster that is not there, whichever call meets it first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EKSClient, ResourceNotFoundException } from '@aws-sdk/client-eks';
import { createEksGateway } from '../../src/aws/eks.js';
import { PreconditionError } from '../../src/errors.js';

/** An EKS of one region holding only `demo`: answers about any other cluster as EKS does. */
function eksWithDemo(): EKSClient {
  const client = new EKSClient({ region: 'us-east-1' });
  client.send = (async (command: {
    constructor: { name: string };
    input: Record<string, unknown>;
  }) => {
    if (command.constructor.name === 'ListClustersCommand') return { clusters: ['demo'] };
    throw new ResourceNotFoundException({
      message: `No cluster found for name: ${String(command.input.clusterName ?? command.input.name)}.`,
      $metadata: { httpStatusCode: 404 },
    });
  }) as never;
  return client;
}

test('a mistyped cluster is "not found in region" with the closest name on every call about it', async () => {
  const eks = createEksGateway(eksWithDemo(), 'us-east-1');
  for (const call of [
    () => eks.describeCluster('dmeo'),
    () => eks.listPodIdentityAssociations('dmeo'),
    () => eks.listAddons('dmeo'),
  ]) {
    await assert.rejects(call, (e: unknown) => {
      assert.ok(e instanceof PreconditionError, String(e));
      assert.equal(e.message, 'cluster dmeo not found in region us-east-1');
      assert.equal(e.hint, 'did you mean demo?');
      return true;
    });
  }
});
