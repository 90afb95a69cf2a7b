// `npm run bench`: wall time and peak memory of the bundled binary, measured with /usr/bin/time
// over several runs against the local emulators. Prints a table; not a test.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { ACCOUNT, startGround } from '../test/support/ground.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const bin = fileURLToPath(new URL('../bin/iamsa.js', import.meta.url));
const g = await startGround('bench');
let providerArn = '';

// Asynchronous on purpose: the Kubernetes emulator lives in this process and must keep serving.
function measure(args: string[]): Promise<{ ms: number; kb: number; code: number | null }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/time',
      ['-f', '%e %M', process.execPath, ...args],
      { env: g.env },
      (error, _stdout, stderr) => {
        const [seconds = '0', kb = '0'] = (stderr.trim().split('\n').pop() ?? '').split(' ');
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ ms: Number(seconds) * 1000, kb: Number(kb), code });
      },
    );
  });
}

async function row(label: string, args: (i: number) => string[]) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await measure(args(i)));
  const bad = samples.find((s) => s.code !== 0);
  if (bad) throw new Error(`${label} exited ${bad.code}`);
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const kb = Math.max(...samples.map((s) => s.kb));
  const median = ms[Math.floor(ms.length / 2)] ?? 0;
  console.log(
    `${label.padEnd(46)} median ${String(median.toFixed(0)).padStart(5)} ms   min ${String(ms[0]?.toFixed(0)).padStart(5)} ms   peak RSS ${(kb / 1024).toFixed(1).padStart(6)} MiB`,
  );
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
