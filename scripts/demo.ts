// `npm run demo`: the main job on the local emulators. Starts moto_server and the Kubernetes API
// emulator, creates an EKS cluster "demo" in moto, then runs both iamsa commands with their output.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGround } from '../test/support/ground.js';

const bin = fileURLToPath(new URL('../bin/iamsa.js', import.meta.url));
const g = await startGround('demo');
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
  await g.close();
}
process.exit(failed);
