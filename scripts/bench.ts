// `npm run bench`: wall time and peak memory of the bundled binary, measured with /usr/bin/time
// over several runs against the local emulators. Prints a table; not a test.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGround } from '../test/support/ground.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const bin = fileURLToPath(new URL('../bin/iamsa.js', import.meta.url));
const g = await startGround('bench');

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
  const enabled = await measure([bin, 'enable-oidc', '--cluster', 'bench', '--approve']);
  if (enabled.code !== 0) throw new Error('enable-oidc failed');
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
} finally {
  await g.close();
}
