// `npm run playground`: the lines it prints are all a user needs to drive iamsa and kubectl by
// hand against the local ground, and Ctrl-C stops the servers and removes the temporary files.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { DescribeAddonCommand, EKSClient } from '@aws-sdk/client-eks';
import { runBinary } from '../support/ground.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/playground.ts', import.meta.url));

/** `export NAME='value'` or `export NAME=value`, as shellQuote writes them. */
const unquote = (word: string) =>
  word.startsWith("'") ? word.slice(1, -1).replaceAll(`'\\''`, "'") : word;

test('the playground prints working exports, kube flags and a kubeconfig, and cleans up on Ctrl-C', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => out.includes('Running until Ctrl-C.') && resolve());
    void exited.then((code) => reject(new Error(`playground exited ${code}:\n${out}`)));
  });

  // A shell with the user's AWS settings replaced by the printed ones.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')),
  );
  for (const [, name = '', value = ''] of out.matchAll(/^export (\w+)=(.*)$/gm)) {
    env[name] = unquote(value);
  }
  for (const name of ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    assert.ok(env[name], `${name} exported:\n${out}`);
  }
  assert.equal(env.AWS_REGION, 'us-east-1');
  const kubeFlags = (/^ {2}(--kube-server \S+ --kube-ca-file \S+)$/m.exec(out)?.[1] ?? '').split(
    ' ',
  );
  assert.equal(kubeFlags.length, 4, out);
  const kubeconfig = unquote(/kubectl --kubeconfig (\S+) /.exec(out)?.[1] ?? '');
  // The alias shadows an installed iamsa in that shell: the banner says so before it.
  assert.match(out, /^alias iamsa='node \S+\/bin\/iamsa\.js'$/m);
  assert.match(
    out,
    /in place of any installed iamsa \(`unalias iamsa` undoes it\):\n[\s\S]*^alias iamsa=/m,
  );
  assert.ok(existsSync(kubeconfig), out);

  // Every command with the kube flags is named where the banner says which commands take them.
  const banner = /Commands that talk to Kubernetes \(([^)]*)\)/.exec(out)?.[1] ?? '';
  for (const command of [
    'apply',
    'doctor',
    'audit',
    'migrate-to-pod-identity',
    'migrate-from-kube2iam',
    'wizard',
  ]) {
    assert.match(banner, new RegExp(`\\b${command}\\b`), out);
  }
  // Pod Identity works out of the box: the agent add-on is there.
  const eks = new EKSClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_EKS,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
  t.after(() => eks.destroy());
  const addon = await eks.send(
    new DescribeAddonCommand({ clusterName: 'demo', addonName: 'eks-pod-identity-agent' }),
  );
  assert.equal(addon.addon?.addonName, 'eks-pod-identity-agent');

  const enabled = await runBinary(['enable-oidc', '--cluster', 'demo', '--approve'], env);
  assert.equal(enabled.code, 0, enabled.stderr);
  const created = await runBinary(
    [
      'create-serviceaccount',
      '--cluster',
      'demo',
      '--name',
      'by-hand',
      '--attach-policy-arn',
      'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      ...kubeFlags,
      '--approve',
    ],
    env,
  );
  assert.equal(created.code, 0, created.stderr);
  const annotation = await new Promise<string>((resolve, reject) =>
    execFile(
      'kubectl',
      [
        '--kubeconfig',
        kubeconfig,
        'get',
        'serviceaccount',
        'by-hand',
        '-o',
        'jsonpath={.metadata.annotations.eks\\.amazonaws\\.com/role-arn}',
      ],
      (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
    ),
  );
  assert.equal(annotation, 'arn:aws:iam::123456789012:role/iamsa-demo-default-by-hand');

  child.kill('SIGINT');
  assert.equal(await exited, 130, out);
  assert.match(out, /stopped; their temporary files are removed/);
  assert.equal(existsSync(dirname(kubeconfig)), false, 'temporary files removed');
});
