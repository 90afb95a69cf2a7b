// The one rule for optional reads: an API that is missing or denied becomes a coded warning; any
// other failure still fails.
import type { Warning } from '../../src/actions/engine/warning-kinds.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translateAwsError, unavailability } from '../../src/aws/errors.js';
import { optionalRead } from '../../src/actions/engine/optional-read.js';

const sdkError = (name: string, status: number, type = 'application/json') =>
  Object.assign(new Error('x'), {
    name,
    $metadata: { httpStatusCode: status },
    $response: { statusCode: status, headers: { 'content-type': type } },
  });

test('unavailability: denied, an HTML 404 (no such route), an HTML 500 or 501 (not implemented)', () => {
  assert.equal(unavailability(sdkError('AccessDeniedException', 403)), 'access denied');
  assert.equal(
    unavailability(translateAwsError(sdkError('AccessDenied', 403), 'x')),
    'access denied',
  );
  assert.equal(unavailability(sdkError('Unknown', 404, 'text/html')), 'not found');
  assert.equal(unavailability(sdkError('Unknown', 500, 'text/html')), 'not implemented');
  assert.equal(unavailability(sdkError('Whatever', 501)), 'not implemented');
  assert.equal(unavailability(sdkError('ResourceNotFoundException', 404)), undefined);
  assert.equal(unavailability(sdkError('ThrottlingException', 400)), undefined);
  assert.equal(unavailability(sdkError('ExpiredTokenException', 403)), undefined);
  assert.equal(unavailability(new Error('boom')), undefined);
});

test('optionalRead: the value, or undefined with one coded warning; other failures throw', async () => {
  const warnings: Warning[] = [];
  const read = { call: 'eks:DescribeAddon', unchecked: 'the agent add-on' };
  assert.equal(await optionalRead(warnings, read, async () => 42), 42);
  const denied = async () => Promise.reject(sdkError('AccessDeniedException', 403));
  assert.equal(await optionalRead(warnings, read, denied), undefined);
  assert.equal(await optionalRead(warnings, read, denied), undefined);
  assert.deepEqual(warnings, [
    'UNCHECKED_ACCESS_DENIED: eks:DescribeAddon access denied (grant eks:DescribeAddon): not checked: the agent add-on',
  ]);
  await assert.rejects(
    optionalRead([], read, async () => Promise.reject(sdkError('Throttling', 400))),
    /x/,
  );
});
