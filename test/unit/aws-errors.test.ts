import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialsError, translateAwsError } from '../../src/aws/errors.js';
import { ExitCode } from '../../src/errors.js';

const sdkError = (name: string, message = 'boom', code?: string) =>
  Object.assign(new Error(message), { name, ...(code ? { code } : {}) });

test('credential and permission failures map to exit 4 with a hint', () => {
  for (const name of ['AccessDenied', 'ExpiredToken']) {
    const e = translateAwsError(sdkError(name), 'creating the role');
    assert.equal(e.exitCode, ExitCode.auth, name);
    assert.match(e.message, /creating the role/);
    assert.ok(e.hint);
  }
});

test('no credentials at all is said as such, not as AWS refusing a call', () => {
  const none = translateAwsError(
    sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
    'describing cluster x',
  );
  assert.equal(none.exitCode, ExitCode.auth);
  assert.equal(
    none.message,
    'no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login',
  );
  const other = translateAwsError(
    sdkError('CredentialsProviderError', 'Token is expired'),
    'describing cluster x',
  );
  assert.equal(other.exitCode, ExitCode.auth);
  assert.equal(other.message, 'cannot load AWS credentials: Token is expired');
  assert.match(other.hint ?? '', /aws sso login/);
});

test('with a profile chosen, the credentials error is about that profile', () => {
  const cause = sdkError(
    'CredentialsProviderError',
    'Could not load credentials from any providers',
  );
  const e = credentialsError(cause.message, cause, { name: 'ci', from: '--profile' });
  assert.equal(e.exitCode, ExitCode.auth);
  assert.equal(e.message, 'no AWS credentials found for profile ci (--profile)');
  assert.match(e.hint ?? '', /--profile/);
  assert.doesNotMatch(`${e.message} ${e.hint}`, /set AWS_PROFILE/);
});

test('a resource created between plan and apply is a conflict that a re-run resolves', () => {
  // The SDK v3 name, and the v2 one some tools and mocks still use.
  for (const name of ['EntityAlreadyExistsException', 'EntityAlreadyExists']) {
    const e = translateAwsError(
      sdkError(name, 'Role with name x already exists.'),
      'creating role x',
    );
    assert.equal(e.exitCode, ExitCode.conflict, name);
    assert.match(e.message, /created meanwhile/);
    assert.match(e.hint ?? '', /re-run/);
  }
});

test('an answer no AWS API gives names the status and the URL, and hints at AWS_ENDPOINT_URL', () => {
  const answer = (name: string, message: string, type: string) =>
    Object.assign(sdkError(name, message), {
      $metadata: { httpStatusCode: 404 },
      $response: { statusCode: 404, headers: { 'content-type': type } },
      $endpoint: 'http://127.0.0.1:8080/clusters/x',
    });
  for (const error of [
    answer('SyntaxError', "Unexpected token '<'\n  Deserialization error: ...", 'text/html'),
    answer('NotFound', 'Unknown', 'text/html; charset=utf-8'),
    answer('Unknown', 'no route', 'application/json'),
  ]) {
    const e = translateAwsError(error, 'describing cluster x');
    assert.equal(e.exitCode, ExitCode.internal);
    assert.match(
      e.message,
      /^the endpoint http:\/\/127\.0\.0\.1:8080\/clusters\/x answered HTTP 404/,
    );
    assert.match(e.message, /while describing cluster x$/);
    assert.match(e.hint ?? '', /AWS_ENDPOINT_URL/);
  }
  // A real AWS error with a status is not mistaken for one.
  const real = Object.assign(sdkError('ResourceNotFoundException', 'No cluster found'), {
    $metadata: { httpStatusCode: 404 },
    $response: { statusCode: 404, headers: { 'content-type': 'application/json' } },
  });
  assert.match(translateAwsError(real, 'x').message, /ResourceNotFoundException/);
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
  // aws-cli users set AWS_DEFAULT_REGION, which the SDK ignores.
  assert.match(
    translateAwsError(sdkError('Error', 'Region is missing'), 'x').hint ?? '',
    /AWS_DEFAULT_REGION.*not read by the AWS SDK/,
  );
  const other = translateAwsError(sdkError('LimitExceeded', 'too many'), 'attaching');
  assert.equal(other.exitCode, ExitCode.internal);
  assert.equal(other.message, 'AWS error while attaching: LimitExceeded: too many');
});

test('an AWS error code the SDK parsed wins over an HTML Content-Type', () => {
  // moto answers AccessDenied with Content-Type text/html.
  const denied = Object.assign(sdkError('AccessDenied', 'User is not authorized'), {
    $metadata: { httpStatusCode: 403 },
    $response: { statusCode: 403, headers: { 'content-type': 'text/html; charset=utf-8' } },
  });
  const e = translateAwsError(denied, 'creating role x');
  assert.equal(e.exitCode, ExitCode.auth);
  assert.match(e.message, /^AWS refused creating role x: AccessDenied/);
});

test("IAM's MalformedPolicyDocument is a usage error (exit 2)", () => {
  for (const name of ['MalformedPolicyDocumentException', 'MalformedPolicyDocument']) {
    const e = translateAwsError(sdkError(name, 'Syntax errors in policy.'), 'putting policy p');
    assert.equal(e.exitCode, ExitCode.usage, name);
    assert.match(e.message, /policy document is invalid: Syntax errors in policy\./);
  }
});
