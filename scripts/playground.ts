// `npm run playground`: the demo's local ground, kept running for trying iamsa by hand. Starts
// moto_server and the Kubernetes API emulator, creates the EKS cluster "demo" in moto with the
// eks-pod-identity-agent add-on, prints the
// shell lines and flags that point iamsa (and kubectl) at them, then waits for Ctrl-C. On exit the
// servers stop and the temporary keys, certificates and kubeconfig are removed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote as quote } from '../src/policy/shell-quote.js';
import { startGround } from '../test/support/ground.js';
import { kubeconfigFor } from '../test/support/kube-emulator/index.js';

const bin = fileURLToPath(new URL('../bin/iamsa.js', import.meta.url));

const g = await startGround('demo');
// Pod Identity (create-serviceaccount --mechanism pod-identity, migrate-to-pod-identity) needs it.
await g.installPodIdentityAgent('demo');
let stopping: Promise<void> | undefined;
const stop = (signal: NodeJS.Signals) =>
  (stopping ??= g.close().then(() => {
    console.log(
      '\nmoto_server and the Kubernetes API emulator are stopped; their temporary files are removed.',
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }));
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));

// In the servers' directory, so it goes with them (the CA file it names is there too).
const kubeconfig = join(g.pki.dir, 'kubeconfig');
writeFileSync(kubeconfig, kubeconfigFor(g.kube.url, g.adminToken, g.pki.rootCertPath), {
  mode: 0o600,
});
const exported = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_EKS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
].filter((name) => g.env[name] !== undefined);
const kubeFlags = g.kubeFlags.map(quote).join(' ');

console.log(
  [
    `moto_server (AWS) at ${g.moto.url}; Kubernetes API emulator at ${g.kube.url}; cluster "demo" created, with the eks-pod-identity-agent add-on.`,
    '',
    "In another shell, point iamsa at them. The alias makes that shell run this checkout's build as",
    'iamsa, in place of any installed iamsa (`unalias iamsa` undoes it):',
    '',
    // A profile or session token of the user's own would be used instead of these keys.
    'unset AWS_PROFILE AWS_SESSION_TOKEN',
    ...exported.map((name) => `export ${name}=${quote(g.env[name] ?? '')}`),
    `alias iamsa=${quote(`node ${bin}`)}`,
    '',
    'Commands that talk to Kubernetes (create-, update-, delete-, get-serviceaccounts, apply, doctor,',
    'audit, migrate-to-pod-identity, migrate-from-kube2iam, wizard) also take:',
    '',
    `  ${kubeFlags}`,
    '',
    `kubectl: kubectl --kubeconfig ${quote(kubeconfig)} get serviceaccounts -A`,
    '',
    'For example:',
    '',
    '  iamsa enable-oidc --cluster demo --approve',
    `  iamsa create-serviceaccount --cluster demo --name my-app --attach-policy-arn arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess ${kubeFlags}`,
    '',
    'Running until Ctrl-C.',
  ].join('\n'),
);
