import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRegionEnv } from '../../src/aws/regions.js';
import { ExitCode, ValidationError } from '../../src/errors.js';

test('an AWS_REGION with a stray newline or space is exit 2 naming the variable', () => {
  for (const value of ['us-east-1\n', ' us-east-1']) {
    assert.throws(
      () => checkRegionEnv({ AWS_REGION: value }),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.exitCode === ExitCode.usage &&
        e.message.includes('AWS_REGION') &&
        e.message.includes(JSON.stringify(value)) &&
        /did you mean "us-east-1"/.test(e.message),
      JSON.stringify(value),
    );
  }
});

test('an empty AWS_REGION is unset; a good one is left as it is', () => {
  const env: NodeJS.ProcessEnv = { AWS_REGION: '' };
  checkRegionEnv(env);
  assert.equal('AWS_REGION' in env, false);
  const good: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1' };
  checkRegionEnv(good);
  assert.equal(good.AWS_REGION, 'eu-west-1');
});
