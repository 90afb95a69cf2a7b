import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translateAwsError } from '../../src/aws/errors.js';
import { ExitCode } from '../../src/errors.js';

const sdkError = (name: string, message = 'boom', code?: string) =>
  Object.assign(new Error(message), { name, ...(code ? { code } : {}) });

test('credential and permission failures map to exit 4 with a hint', () => {
  for (const name of ['AccessDenied', 'ExpiredToken', 'CredentialsProviderError']) {
    const e = translateAwsError(sdkError(name), 'creating the role');
    assert.equal(e.exitCode, ExitCode.auth, name);
    assert.match(e.message, /creating the role/);
    assert.ok(e.hint);
  }
});

test('a resource created between plan and apply is a conflict that a re-run resolves', () => {
  const e = translateAwsError(
    sdkError('EntityAlreadyExists', 'Role with name x already exists.'),
    'creating role x',
  );
  assert.equal(e.exitCode, ExitCode.conflict);
  assert.match(e.message, /created meanwhile/);
  assert.match(e.hint ?? '', /re-run/);
});

test('network failures and timeouts say AWS could not be reached', () => {
  for (const error of [
    sdkError('Error', 'connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
    sdkError('TimeoutError', 'a request has exceeded the configured 15000 ms requestTimeout'),
  ]) {
    const e = translateAwsError(error, 'reading the cluster');
    assert.equal(e.exitCode, ExitCode.internal);
    assert.match(e.message, /^cannot reach AWS while reading the cluster/);
    assert.match(e.hint ?? '', /AWS_ENDPOINT_URL/);
  }
});

test('a missing region is a usage error; anything else keeps its name', () => {
  assert.equal(
    translateAwsError(sdkError('Error', 'Region is missing'), 'x').exitCode,
    ExitCode.usage,
  );
  const other = translateAwsError(sdkError('LimitExceeded', 'too many'), 'attaching');
  assert.equal(other.exitCode, ExitCode.internal);
  assert.equal(other.message, 'AWS error while attaching: LimitExceeded: too many');
});
