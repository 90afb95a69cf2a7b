// Hostile input, echoed secrets and interrupted runs, through the binary: what only a process
// shows (special files, pipes, signals, exit codes, every byte on stdout and stderr). Bad bytes,
// YAML bombs, bad labels and subjectPattern files are tested in-process
// (test/commands/hostile.test.ts).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { awsEnv, type Ground, type Run, runBinary, startGround } from '../support/ground.js';
import { type LatencyProxy, startLatencyProxy } from '../support/latency-proxy.js';
import { tempDir } from '../support/temp.js';

const BIN = fileURLToPath(new URL('../../bin/iamsa.js', import.meta.url));
const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const HEAD = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\n';
const dir = tempDir('hostile');
const SESSION_TOKEN = `IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ${'D'.repeat(120)}`;

const write = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** An AWS endpoint that refuses every request, copying the request's headers into its error. */
async function startEchoingEndpoint() {
  const requests: IncomingMessage[] = [];
  /** Something more the endpoint copies into its errors (as if it had logged it). */
  const leak = { text: '' };
  const server = createServer((req, res) => {
    requests.push(req);
    req.resume();
    req.on('end', () => {
      // As some proxies do: the headers as JSON, then the token as `name -> value` and in an array.
      const token = req.headers['x-amz-security-token'];
      const echoed = [
        `request headers were ${JSON.stringify(req.headers)}`,
        ...(token
          ? [
              `x-amz-security-token -> ${String(token)}`,
              `json=${JSON.stringify({ 'x-amz-security-token': [token] })}`,
            ]
          : []),
        ...(leak.text ? [leak.text] : []),
      ].join('; ');
      if (/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${echoed.replace(/[<&]/g, '')}</Message></Error><RequestId>echo</RequestId></ErrorResponse>`,
        );
      } else {
        res.writeHead(403, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'AccessDeniedException',
        });
        res.end(JSON.stringify({ message: echoed }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    leak,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('input iamsa refuses before any call, exit 2 naming the file', () => {
  let echo: Awaited<ReturnType<typeof startEchoingEndpoint>>;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    echo = await startEchoingEndpoint();
    env = awsEnv(echo.url);
  });
  after(() => echo.close());
  const refused = (r: Run, pattern: RegExp) => {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(echo.requests.length, 0, 'no request was made');
  };

  test('size caps: a bindings file over 20 MiB, /dev/zero for every file flag', async () => {
    const big = write('big.yaml', '');
    truncateSync(big, 20 * 1024 * 1024 + 1);
    refused(
      await runBinary(['apply', '-f', big], env),
      /^error: cannot read -f file .*big\.yaml: larger than 20 MiB, the most iamsa reads from such a file/,
    );
    const create = ['create-serviceaccount', '--cluster', 'demo', '--name', 'app'];
    for (const args of [
      ['apply', '-f', '/dev/zero'],
      [...create, '--attach-policy', '/dev/zero'],
      [...create, '--attach-policy-arn', RO, '--kubeconfig', '/dev/zero'],
      [...create, '--attach-policy-arn', RO, '--kube-server', 'https://127.0.0.1:1'].concat([
        '--kube-ca-file',
        '/dev/zero',
      ]),
    ]) {
      refused(await runBinary(args, env), /cannot read \S+ file \/dev\/zero: not a regular file/);
    }
  });

  test('a pipe is read up to the cap: an endless FIFO and an endless stdin are refused', async () => {
    const fifo = join(dir, 'endless.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat /dev/zero > '${fifo}'`], { stdio: 'ignore' });
    try {
      refused(
        await runBinary(['apply', '-f', fifo], env),
        /cannot read -f file .*endless\.fifo: larger than 20 MiB/,
      );
    } finally {
      writer.kill();
    }
    const r = await new Promise<Run>((resolve) => {
      const child = spawn(
        'sh',
        ['-c', `head -c 21000000 /dev/zero | '${process.execPath}' '${BIN}' apply -f -`],
        { env },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout: '', stderr }));
    });
    refused(r, /cannot read -f file - \(stdin\): larger than 20 MiB/);
  });

  test('a slow pipe of more than 64 KiB is read whole; a FIFO without a writer yields to Ctrl-C', async () => {
    const file = write(
      'slow.yaml',
      `${HEAD}# ${'x'.repeat(70 * 1024)}\nbindings:\n  - {name: Bad_Name, attachPolicyARNs: [${RO}]}\n`,
    );
    const r = await new Promise<Run>((resolve) => {
      const child = spawn(
        'sh',
        ['-c', `(sleep 1; cat '${file}') | '${process.execPath}' '${BIN}' apply -f -`],
        { env },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout: '', stderr }));
    });
    refused(
      r,
      /^error: stdin: 1 problem; nothing was changed\n {2}stdin:6: invalid bindings\[0\]\.name/,
    );
    const fifo = join(dir, 'silent.fifo');
    execFileSync('mkfifo', [fifo]);
    const c = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'apply', '-f', fifo], { env });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      setTimeout(() => child.kill('SIGINT'), 1000);
      child.on('close', (code) => resolve({ code, stdout: '', stderr }));
    });
    assert.equal(c.code, 130, c.stderr);
    assert.match(c.stderr, /Cancelled: nothing was changed/);
  });

  test('secrets an endpoint echoes are never printed, in text, JSON or --verbose', async () => {
    const secretEnv = { ...env, AWS_SESSION_TOKEN: SESSION_TOKEN };
    const args = ['create-serviceaccount', '--cluster', 'demo', '--name', 'app'];
    for (const extra of [
      ['--attach-policy-arn', RO],
      ['--role-only', '--attach-policy-arn', RO, '-o', 'json', '--verbose'],
    ]) {
      const r = await runBinary([...args, ...extra, '--approve'], secretEnv);
      const out = r.stdout + r.stderr;
      assert.ok(r.code !== 0 && r.code !== null, out);
      assert.match(out, /request headers were/, 'the echo is printed, redacted');
      assert.match(out, /\[REDACTED\]/);
      for (const secret of [
        SESSION_TOKEN,
        env.AWS_SECRET_ACCESS_KEY!,
        'Signature=',
        'SignedHeaders=',
      ]) {
        assert.ok(!out.includes(secret), `${secret} leaked:\n${out}`);
      }
    }
    echo.requests.length = 0;
  });

  test('credentials from a profile file are never printed, whatever names them', async () => {
    // Neither looks like an STS token: only knowing the resolved credentials removes them.
    const secretKey = 'pRoFiLeSeCrEtKeY/0123456789+abcdefEXAMPLE';
    const sessionToken = `cHJvZmlsZVNlc3Npb25Ub2tlbg/${'Q'.repeat(100)}+Zz==`;
    const credentials = write(
      'credentials',
      `[default]\naws_access_key_id = AKIAIOSFODNN7PROFILE\naws_secret_access_key = ${secretKey}\naws_session_token = ${sessionToken}\n`,
    );
    const profileEnv: NodeJS.ProcessEnv = { ...env, AWS_SHARED_CREDENTIALS_FILE: credentials };
    delete profileEnv.AWS_ACCESS_KEY_ID;
    delete profileEnv.AWS_SECRET_ACCESS_KEY;
    echo.leak.text = `signed with ${secretKey}`;
    try {
      const args = ['create-serviceaccount', '--cluster', 'demo', '--name', 'app', '--approve'];
      for (const extra of [
        ['--attach-policy-arn', RO],
        ['--role-only', '--attach-policy-arn', RO, '-o', 'json'],
      ]) {
        const r = await runBinary([...args, ...extra], profileEnv);
        const out = r.stdout + r.stderr;
        assert.ok(r.code !== 0 && r.code !== null, out);
        assert.ok(echo.requests.length > 0, 'the profile’s credentials were used');
        assert.match(out, /x-amz-security-token -> \[REDACTED\]/);
        assert.match(out, /signed with \[REDACTED\]/);
        if (extra.includes('json')) {
          const doc = JSON.parse(r.stdout) as { error: { message: string } };
          assert.match(doc.error.message, /request headers were/);
        }
        for (const secret of [secretKey, sessionToken, sessionToken.slice(0, 40)]) {
          assert.ok(!out.includes(secret), `${secret} leaked:\n${out}`);
        }
      }
    } finally {
      echo.leak.text = '';
      echo.requests.length = 0;
    }
  });
});

describe('an interrupted apply', () => {
  let g: Ground;
  let proxy: LatencyProxy;
  before(async () => {
    g = await startGround('demo');
    proxy = await startLatencyProxy(g.moto.url, { latencyMs: 150 });
    const r = await g.iamsa(['enable-oidc', '--cluster', 'demo', '--approve']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await proxy.close();
    await g.close();
  });

  test('SIGINT mid-apply: in-flight steps finish, the rest is listed, exit 130; a re-run finishes', async () => {
    const items = Array.from(
      { length: 12 },
      (_, i) => `  - {namespace: default, name: app-${i}, attachPolicyARNs: [${RO}]}`,
    );
    const file = write('many.yaml', `${HEAD}bindings:\n${items.join('\n')}\n`);
    const args = ['apply', '-f', file, ...g.kubeFlags, '--approve', '-o', 'json', '--verbose'];
    const env = { ...g.env, AWS_ENDPOINT_URL: proxy.url };
    const r = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { env });
      let [stdout, stderr, sent] = ['', '', false];
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // The first role is made: others are in flight, most not started.
        if (!sent && /✓ Creating iam-role/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /Ctrl-C: starting no new step; waiting for the ones in flight/);
    const doc = JSON.parse(r.stdout) as {
      exitCode: number;
      bindings: Array<{ applied: boolean; error?: { message: string; hint?: string } }>;
    };
    assert.equal(doc.exitCode, 130);
    const stopped = doc.bindings.filter((b) => b.error);
    assert.ok(stopped.length > 0, JSON.stringify(doc.bindings));
    assert.ok(stopped.some((b) => b.error!.message === 'interrupted by Ctrl-C: not started'));
    assert.ok(
      stopped.every((b) => /^interrupted by Ctrl-C: not (started|finished)/.test(b.error!.message)),
    );
    assert.ok(stopped.some((b) => /already done: created iam-role/.test(b.error!.message)));
    assert.ok(stopped.every((b) => /re-run the same command/.test(b.error!.hint ?? '')));
    const again = await g.iamsa(args.slice(0, -1));
    assert.equal(again.code, 0, again.stderr);
    const converged = await g.iamsa(['apply', '-f', file, ...g.kubeFlags, '-o', 'json']);
    assert.equal((JSON.parse(converged.stdout) as { changed: boolean }).changed, false);
  });
});
