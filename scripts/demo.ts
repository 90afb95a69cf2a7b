// `npm run demo`: the main job on the local emulators. Starts moto_server and the Kubernetes API
// emulator, creates an EKS cluster "demo" in moto, then runs both iamsa commands with their output.
// Everything stops at the end (also on Ctrl-C), and the temporary keys and kubeconfig are removed.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGround } from '../test/support/ground.js';

const bin = fileURLToPath(new URL('../bin/iamsa.js', import.meta.url));
const g = await startGround('demo');
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= g.close());
process.once('SIGINT', () => void stop().then(() => process.exit(130)));
const run = (cmd: string, args: string[]) =>
  new Promise<number>((resolve) => {
    const shown = cmd === process.execPath ? ['iamsa', ...args.slice(1)] : [cmd, ...args];
    process.stdout.write(`\n$ ${shown.join(' ')}\n`);
    const child = spawn(cmd, args, { env: g.env, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });

let failed = 0;
try {
  console.log(
    `moto_server (AWS) at ${g.moto.url}; Kubernetes API emulator at ${g.kube.url}; cluster "demo" created.`,
  );
  failed ||= await run(process.execPath, [bin, 'enable-oidc', '--cluster', 'demo', '--approve']);
  failed ||= await run(process.execPath, [
    bin,
    'create-serviceaccount',
    '--cluster',
    'demo',
    '--namespace',
    'default',
    '--name',
    'demo-app',
    '--attach-policy-arn',
    'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    ...g.kubeFlags,
    '--approve',
  ]);
  const kubeconfig = join(g.pki.dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'demo',
          cluster: { server: g.kube.url, 'certificate-authority': g.pki.rootCertPath },
        },
      ],
      users: [{ name: 'admin', user: { token: g.adminToken } }],
      contexts: [{ name: 'demo', context: { cluster: 'demo', user: 'admin' } }],
      'current-context': 'demo',
    }),
  );
  failed ||= await run('kubectl', [
    '--kubeconfig',
    kubeconfig,
    'get',
    'serviceaccount',
    'demo-app',
    '-o',
    'yaml',
  ]);
} finally {
  await stop();
}
const stopped =
  'moto_server and the Kubernetes API emulator are stopped; their temporary keys and files are removed.';
console.log(
  failed
    ? `\nThe demo stopped at a failed step (exit ${failed}). ${stopped}`
    : [
        '',
        'Shown: enable-oidc registered the OIDC issuer of cluster demo as an IAM identity provider;',
        'create-serviceaccount made the role iamsa-demo-default-demo-app, which only default/demo-app',
        'can assume, attached AmazonS3ReadOnlyAccess and annotated the service account (kubectl above).',
        stopped,
      ].join('\n'),
);
process.exit(failed);
