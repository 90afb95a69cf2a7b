// The binary's own contract: start-up (--version), the SDK's credential chain and endpoints, --verbose
// traces, streams and exit status, clean output. Help and usage errors are tested in-process in
// test/commands/cli.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { test } from 'node:test';
import { awsEnv, runBinary } from '../support/ground.js';
import { tempDir } from '../support/temp.js';

const env = awsEnv('http://127.0.0.1:9');
const BIN = fileURLToPath(new URL('../../bin/iamsa.js', import.meta.url));

test('--version prints the package version', async () => {
  const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
  const r = await runBinary(['--version'], env);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), version);
});

// The region is checked where the AWS clients are made (src/aws/clients.ts), which in-process tests replace.
test('a malformed --region is a usage error naming it', async () => {
  const r = await runBinary(['enable-oidc', '--cluster', 'x', '--region', 'mars'], env);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /mars/);
});

test('a mistyped AWS_REGION is exit 2 naming the nearest region, before any call', async () => {
  const r = await runBinary(['enable-oidc', '--cluster', 'x'], { ...env, AWS_REGION: 'eu-wset-1' });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr,
    'error: invalid AWS_REGION "eu-wset-1": no AWS region has that name\nhint: did you mean eu-west-1?\n',
  );
});

test('an unreachable AWS endpoint is one line, and a stack trace only with --verbose', async () => {
  const quiet = await runBinary(['enable-oidc', '--cluster', 'x'], {
    ...env,
    AWS_MAX_ATTEMPTS: '1',
  });
  assert.equal(quiet.code, 1);
  assert.match(quiet.stderr, /^error: /);
  assert.doesNotMatch(quiet.stderr, /\n\s+at /);
  const verbose = await runBinary(['enable-oidc', '--cluster', 'x', '--verbose'], {
    ...env,
    AWS_MAX_ATTEMPTS: '1',
  });
  assert.match(verbose.stderr, /\n\s+at /);
});

test('no credentials at all is an auth error (exit 4)', async () => {
  const bare = { ...env };
  delete bare.AWS_ACCESS_KEY_ID;
  delete bare.AWS_SECRET_ACCESS_KEY;
  const r = await runBinary(['enable-oidc', '--cluster', 'x'], bare);
  assert.equal(r.code, 4, r.stderr);
  assert.match(
    r.stderr,
    /^error: no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY, or run aws sso login\n/,
  );
  assert.doesNotMatch(r.stderr, /refused|CredentialsProviderError/);
});

test('--profile: used even with AWS keys set, without the SDK warning; a missing one is exit 2', async () => {
  const dir = tempDir('profiles');
  try {
    const config = join(dir, 'config');
    writeFileSync(config, '[profile empty]\nregion = us-east-1\n');
    const withConfig = { ...env, AWS_CONFIG_FILE: config, AWS_MAX_ATTEMPTS: '1' };
    // env holds AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: the SDK would warn about both sources.
    const missing = await runBinary(
      ['--profile', 'nosuch', 'enable-oidc', '--cluster', 'x'],
      withConfig,
    );
    assert.equal(missing.code, 2, missing.stderr);
    assert.equal(
      missing.stderr,
      'error: AWS profile nosuch not found in ~/.aws/config or ~/.aws/credentials (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE)\n' +
        'hint: profiles there: empty; or drop --profile to use the default credentials\n',
    );
    // A profile that exists but gives no credentials: the profile's keys are not the env's.
    const empty = await runBinary(
      ['--profile', 'empty', 'enable-oidc', '--cluster', 'x'],
      withConfig,
    );
    assert.equal(empty.code, 4, empty.stderr);
    const [error = '', hint = '', ...more] = empty.stderr.trimEnd().split('\n');
    assert.equal(error, 'error: no AWS credentials found for profile empty (--profile)');
    assert.match(hint, /^hint: .*--profile/);
    assert.doesNotMatch(hint, /set AWS_PROFILE/);
    assert.deepEqual(more, [], 'no dependency warning');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an endpoint that is not AWS is named with its HTTP status, and AWS_ENDPOINT_URL hinted', async () => {
  const page = createHttpServer((_, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>Not Found</body></html>');
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const { port } = page.address() as AddressInfo;
  try {
    const r = await runBinary(['enable-oidc', '--cluster', 'x', '-o', 'json'], {
      ...awsEnv(`http://127.0.0.1:${port}`),
      AWS_MAX_ATTEMPTS: '1',
    });
    assert.equal(r.code, 1, r.stderr);
    const { error } = JSON.parse(r.stdout);
    assert.equal(
      error.message,
      `the endpoint http://127.0.0.1:${port}/clusters/x answered HTTP 404 (text/html), which is not an AWS API answer, while describing cluster x`,
    );
    assert.match(error.hint, /AWS_ENDPOINT_URL/);
    assert.doesNotMatch(r.stderr, /SyntaxError|JSON/);
  } finally {
    page.close();
  }
});

test('--verbose names the error class, not a minified one', async () => {
  const r = await runBinary(
    ['create-serviceaccount', '--cluster', 'x', '--name', 'BAD', '--verbose'],
    env,
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\nValidationError: /);
  assert.match(r.stderr, /\n\s+at /);
});

test('no ANSI escapes and no Node or SDK warnings when output is not a terminal', async () => {
  const r = await runBinary(['create-serviceaccount', '--cluster', 'x', '--name', 'BAD'], {
    ...env,
    CI: 'true',
  });
  assert.ok(!(r.stdout + r.stderr).includes('\u001b['), 'no ANSI escape codes');
  assert.doesNotMatch(r.stderr, /Warning|NodeVersionSupport/);
});

test('help written to a pipe arrives whole', async () => {
  const r = await runBinary(['create-serviceaccount', '--help'], env);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--override-existing-serviceaccounts/);
  assert.match(r.stdout, /--kube-ca-file/);
});

test('an AWS endpoint that accepts but never answers ends in an error, not a hang', async () => {
  // A server that takes the connection and then says nothing: only the request timeout ends it.
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  try {
    const r = await runBinary(['enable-oidc', '--cluster', 'x'], {
      ...awsEnv(`http://127.0.0.1:${port}`),
      AWS_MAX_ATTEMPTS: '1',
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: cannot reach AWS while /);
    assert.match(r.stderr, /requestTimeout/);
  } finally {
    silent.close();
  }
});

test('a result that cannot be written is not a success', async () => {
  const r = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'completion', 'bash'], {
      stdio: ['ignore', openSync('/dev/full', 'w'), 'ignore'],
    });
    child.on('exit', (code) => resolve(code));
  });
  assert.equal(r, 1);
});

test('a reader that closes the pipe early (| head -1) ends the run quietly with its own code', async () => {
  // The read end is closed before iamsa writes: every write of the result meets EPIPE.
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  for (const args of [
    ['audit', '--help'],
    ['well-known-policies', '-o', 'json'],
  ]) {
    const r = await run(args);
    assert.deepEqual(r, { code: 0, stderr: '' }, args.join(' '));
  }
  // The run's own failure still shows in its code.
  const failed = await run(['enable-oidc', '--cluster', 'x', '--region', 'mars', '-o', 'json']);
  assert.equal(failed.code, 2);
});

test('apply -f - reads the file from the process stdin', async () => {
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'apply', '-f', '-'], { env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
    child.stdin.end(
      'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\nbindings: [{name: X}]\n',
    );
  });
  // The file was read (its problems are listed, under the name stdin) and nothing reached AWS.
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^error: stdin: /);
});
