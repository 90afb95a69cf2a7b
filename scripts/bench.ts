// `npm run bench`: wall time and peak memory of the bundled binary, measured with /usr/bin/time
// over several runs against the local emulators. Prints a table; not a test.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { ACCOUNT, type Ground, startGround } from '../test/support/ground.js';
import { kubeconfigFor } from '../test/support/kube-emulator/index.js';
import { startLatencyProxy } from '../test/support/latency-proxy.js';
import { removeTempDir, tempDir } from '../test/support/temp.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const bin = fileURLToPath(new URL('../bin/iamsa.js', import.meta.url));
let g: Ground = await startGround('bench');
let providerArn = '';

// Asynchronous on purpose: the Kubernetes emulator lives in this process and must keep serving.
function measure(
  args: string[],
  env: NodeJS.ProcessEnv = g.env,
): Promise<{ ms: number; kb: number; code: number | null }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/time',
      ['-f', '%e %M', process.execPath, ...args],
      { env },
      (error, _stdout, stderr) => {
        const [seconds = '0', kb = '0'] = (stderr.trim().split('\n').pop() ?? '').split(' ');
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ ms: Number(seconds) * 1000, kb: Number(kb), code });
      },
    );
  });
}

async function row(
  label: string,
  args: (i: number) => string[],
  env?: NodeJS.ProcessEnv,
  runs = RUNS,
) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await measure(args(i), env));
  const bad = samples.find((s) => s.code !== 0);
  if (bad) throw new Error(`${label} exited ${bad.code}`);
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const kb = Math.max(...samples.map((s) => s.kb));
  const median = ms[Math.floor(ms.length / 2)] ?? 0;
  console.log(
    `${label.padEnd(52)} median ${String(median.toFixed(0)).padStart(5)} ms   min ${String(ms[0]?.toFixed(0)).padStart(5)} ms   peak RSS ${(kb / 1024).toFixed(1).padStart(6)} MiB`,
  );
  return median;
}

try {
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'bench', '--approve', '-o', 'json']);
  if (enabled.code !== 0) throw new Error('enable-oidc failed');
  providerArn = (JSON.parse(enabled.stdout) as { providerArn: string }).providerArn;
  const csa = (name: string) => [
    bin,
    'create-serviceaccount',
    '--cluster',
    'bench',
    '--name',
    name,
    '--attach-policy-arn',
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
    ...g.kubeFlags,
    '--approve',
  ];
  console.log(`node ${process.version}, ${RUNS} runs each (time resolution 10 ms)`);
  await row('node -e 0 (bare Node start)', () => ['-e', '0']);
  await row('iamsa --version', () => [bin, '--version']);
  await row('iamsa --help', () => [bin, '--help']);
  await row('iamsa create-serviceaccount --approve (new)', (i) => csa(`bench-${i}`));
  await row('iamsa create-serviceaccount --approve (converged)', (i) => csa(`bench-${i}`));
  // The other connection mode: a kubeconfig, which loads @kubernetes/client-node.
  const kubeconfigDir = tempDir('bench');
  const kubeconfig = join(kubeconfigDir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(g.kube.url, g.adminToken, g.pki.rootCertPath));
  const viaKubeconfig = (name: string) => [
    ...csa(name).filter((a) => !g.kubeFlags.includes(a)),
    '--kubeconfig',
    kubeconfig,
  ];
  await row('iamsa create-serviceaccount --approve (new, --kubeconfig)', (i) =>
    viaKubeconfig(`bench-kc-${i}`),
  );
  removeTempDir(kubeconfigDir);
  const many = Number(process.env.BENCH_GET ?? 200);
  await annotatedAccounts(many);
  await row(`iamsa get-serviceaccounts (${many} bindings)`, () => [
    bin,
    'get-serviceaccounts',
    '--cluster',
    'bench',
    ...g.kubeFlags,
  ]);
} finally {
  await g.close();
}
await applyRows();

function trustFor(name: string) {
  const host = providerArn.split('oidc-provider/')[1];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${host}:sub`]: `system:serviceaccount:many:${name}`,
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  });
}

/** `count` service accounts in namespace many, each annotated with a role trusting exactly it. */
async function annotatedAccounts(count: number) {
  await g.kubeAdmin('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'many' },
  });
  const names = Array.from({ length: count }, (_, i) => `sa-${i}`);
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map(async (name) => {
        await g.iam.send(
          new CreateRoleCommand({
            RoleName: `bench-many-${name}`,
            AssumeRolePolicyDocument: trustFor(name),
          }),
        );
        await g.kubeAdmin('POST', '/api/v1/namespaces/many/serviceaccounts', {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: {
            name,
            annotations: {
              'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/bench-many-${name}`,
            },
          },
        });
      }),
    );
  }
}

/**
 * apply -f at a distance: 100 ms added to every AWS and Kubernetes request, 1 binding against 100
 * (new and converged), and 100 new ones with 30 % of IAM requests throttled.
 */
async function applyRows() {
  const latency = Number(process.env.BENCH_LATENCY_MS ?? 100);
  const runs = Number(process.env.BENCH_APPLY_RUNS ?? 3);
  g = await startGround('bench', { kubeLatencyMs: latency });
  const slow = await startLatencyProxy(g.moto.url, { latencyMs: latency });
  const throttled = await startLatencyProxy(g.moto.url, { latencyMs: latency, iamThrottle: 0.3 });
  const dir = tempDir('bench');
  try {
    if ((await g.iamsa(['enable-oidc', '--cluster', 'bench', '--approve'])).code !== 0) {
      throw new Error('enable-oidc failed');
    }
    const file = (tag: string, count: number) => {
      const path = join(dir, `${tag}.yaml`);
      const items = Array.from(
        { length: count },
        (_, i) =>
          `  - {namespace: ${tag}, name: app-${i}, createNamespace: true, attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]}\n`,
      );
      const head = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: bench\n';
      writeFileSync(path, `${head}bindings:\n${items.join('')}`);
      return path;
    };
    const apply = (path: string) => [bin, 'apply', '-f', path, ...g.kubeFlags, '--approve'];
    const env = (url: string) => ({ ...g.env, AWS_ENDPOINT_URL: url });
    console.log(
      `\napply -f, ${latency} ms added to every AWS and Kubernetes request, ${runs} runs each`,
    );
    const one = await row(
      'apply -f, 1 binding (new)',
      (i) => apply(file(`one-${i}`, 1)),
      env(slow.url),
      runs,
    );
    const hundred = await row(
      'apply -f, 100 bindings (new)',
      (i) => apply(file(`many-${i}`, 100)),
      env(slow.url),
      runs,
    );
    await row(
      'apply -f, 100 bindings (converged)',
      () => apply(join(dir, 'many-0.yaml')),
      env(slow.url),
      runs,
    );
    const before = { ...throttled.stats };
    await row(
      'apply -f, 100 bindings (new, 30 % of IAM throttled)',
      (i) => apply(file(`throttled-${i}`, 100)),
      env(throttled.url),
      runs,
    );
    const iam = throttled.stats.iam - before.iam;
    const hit = throttled.stats.throttled - before.throttled;
    console.log(
      `wall(100) / wall(1) = ${(hundred / one).toFixed(2)} (goal <= 5); throttled ${hit} of ${iam} IAM requests (${((100 * hit) / Math.max(iam, 1)).toFixed(0)} %), every binding applied`,
    );
  } finally {
    removeTempDir(dir);
    await Promise.all([slow.close(), throttled.close()]);
    await g.close();
  }
}
