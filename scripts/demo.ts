// `npm run demo`: the main job on the local emulators. Starts moto_server and the Kubernetes API
// emulator, creates an EKS cluster "demo" in moto, then runs both iamsa commands with their output:
// create-serviceaccount first as a plan, then with --approve. Everything stops at the end (also on
// Ctrl-C), and the temporary keys and kubeconfig are removed.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGround } from '../test/support/ground.js';
import { kubeconfigFor } from '../test/support/kube-emulator/index.js';

const bin = fileURLToPath(new URL('../bin/iamsa.js', import.meta.url));
const g = await startGround('demo');
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= g.close());
process.once('SIGINT', () => void stop().then(() => process.exit(130)));
const run = (cmd: string, args: string[]) =>
  new Promise<number>((resolve) => {
    const shown = cmd === process.execPath ? ['iamsa', ...args.slice(1)] : [cmd, ...args];
    process.stdout.write(`\n$ ${shown.join(' ')}\n`);
    // No stdin: a plan at a terminal would ask "Apply these changes?"; the demo shows it instead.
    const child = spawn(cmd, args, { env: g.env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => resolve(code ?? 1));
  });
const createServiceAccount = [
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
];

let failed = 0;
try {
  console.log(
    `moto_server (AWS) at ${g.moto.url}; Kubernetes API emulator at ${g.kube.url}; cluster "demo" created.`,
  );
  failed ||= await run(process.execPath, [bin, 'enable-oidc', '--cluster', 'demo', '--approve']);
  // Plan first: what would change, nothing written; then the same command with --approve.
  failed ||= await run(process.execPath, createServiceAccount);
  failed ||= await run(process.execPath, [...createServiceAccount, '--approve']);
  const kubeconfig = join(g.pki.dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(g.kube.url, g.adminToken, g.pki.rootCertPath));
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
        'create-serviceaccount showed its plan, then with --approve made the role',
        'iamsa-demo-default-demo-app, which only default/demo-app can assume, attached',
        'AmazonS3ReadOnlyAccess and annotated the service account (kubectl above).',
        'To keep the servers running and try commands yourself: npm run playground',
        stopped,
      ].join('\n'),
);
process.exit(failed);
