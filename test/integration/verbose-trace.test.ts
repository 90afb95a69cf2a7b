// --verbose stack traces through the built binary: source maps name src/ files, names are kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awsEnv, runBinary } from '../support/ground.js';

const env = awsEnv('http://127.0.0.1:9');
const invalid = [
  'create-serviceaccount',
  '--cluster',
  'x',
  '--name',
  'BAD',
  '--attach-policy-arn',
  'arn:aws:iam::aws:policy/ReadOnlyAccess',
];

test('--verbose on a validation error prints a trace naming the error class and src/ files', async () => {
  const r = await runBinary([...invalid, '--verbose'], env);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^ValidationError: invalid .*"BAD"/m);
  assert.match(r.stderr, /\n\s+at .*[/\\]src[/\\][\w/\\.-]+\.ts:\d+:\d+\)?\n/);
  assert.doesNotMatch(r.stderr, /dist[/\\]chunks/);
});

test('without --verbose the same error is one line and no trace', async () => {
  const r = await runBinary(invalid, env);
  assert.equal(r.code, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at |ValidationError/);
});
