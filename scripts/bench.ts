// `npm run bench`: every figure of issue 20's table, each against its peer in the same run, on the
// local emulators. Wall times are medians of interleaved runs (a shared machine is noisy: peers
// run side by side, so load hits both alike); peak memory from /usr/bin/time. Round trips are
// load-tolerant: every AWS and Kubernetes request waits the same added latency, and the extra wall
// time divided by that latency counts the requests on the critical path. Prints a table; not a
// test.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ACCOUNT, type Ground, startGround } from '../test/support/ground.js';
import { kubeconfigFor } from '../test/support/kube-emulator/index.js';
import { startLatencyProxy } from '../test/support/latency-proxy.js';
import { removeTempDir, tempDir } from '../test/support/temp.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const APPLY_RUNS = Number(process.env.BENCH_APPLY_RUNS ?? 3);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const RT_LATENCY = Number(process.env.BENCH_RT_LATENCY_MS ?? 200);
// BENCH_TRACE=1: print the chain of requests each round-trip run waited for.
const TRACE = !!process.env.BENCH_TRACE;
// BENCH_ONLY=startup,memory,trips,apply: run only these sections (all by default).
const ONLY = new Set((process.env.BENCH_ONLY ?? 'startup,memory,trips,apply').split(','));
// BENCH_BIN: another build's bin/iamsa.js (a copy of the build before a change, for its figures).
const bin = process.env.BENCH_BIN ?? fileURLToPath(new URL('../bin/iamsa.js', import.meta.url));
const dir = tempDir('bench');

interface Sample {
  ms: number;
  kb: number;
  code: number | null;
  stderr: string;
}

// Asynchronous on purpose: the Kubernetes emulator lives in this process and must keep serving.
function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolve) => {
    const start = performance.now();
    execFile(
      '/usr/bin/time',
      ['-f', '%e %M', command, ...args],
      { env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const ms = performance.now() - start;
        const lines = stderr.trim().split('\n');
        const [, kb = '0'] = (lines.pop() ?? '').split(' ');
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ ms, kb: Number(kb), code, stderr: `${stdout.slice(-1500)}${lines.join('\n')}` });
      },
    );
  });
}

interface Row {
  label: string;
  /** The command line of run i (argv[0] is the program). */
  argv: (i: number) => string[];
  env?: () => NodeJS.ProcessEnv;
  /** Runs before each measured run (e.g. set the latency), not timed. */
  before?: () => void;
  /** Several processes one after the other count as one run (the hand-typed sequence). */
  steps?: (i: number) => string[][];
  /** Count the requests on the critical path of each run (from the proxies' request times). */
  trips?: boolean;
}

interface Stats {
  median: number;
  min: number;
  kb: number;
  /** Median of the runs' sequential round trips (rows with `trips`). */
  trips?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs the rows round-robin (row A run 1, row B run 1, row A run 2, ...) and prints each. */
async function interleaved(rows: Row[], runs: number): Promise<Stats[]> {
  const samples: Sample[][] = rows.map(() => []);
  const trips: number[][] = rows.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [r, row] of rows.entries()) {
      row.before?.();
      const timings: Array<[number, number, string?]> = [];
      aws.timings.length = 0;
      eks.timings.length = 0;
      g.kube.recordTimings(timings);
      const env = row.env?.() ?? g.env;
      const lines = row.steps?.(i) ?? [row.argv(i)];
      let total: Sample = { ms: 0, kb: 0, code: 0, stderr: '' };
      for (const [command = '', ...args] of lines) {
        const s = await measure(command, args, env);
        total = {
          ms: total.ms + s.ms,
          kb: Math.max(total.kb, s.kb),
          code: s.code,
          stderr: s.stderr,
        };
        if (s.code !== 0) break;
      }
      if (total.code !== 0) {
        throw new Error(`${row.label} exited ${total.code}: ${total.stderr.slice(-2000)}`);
      }
      samples[r]!.push(total);
      g.kube.recordTimings(undefined);
      const chain = sequentialRequests([...aws.timings, ...eks.timings, ...timings]);
      trips[r]!.push(chain.length);
      if (row.trips && TRACE) console.log(`    ${row.label}, run ${i + 1}: ${chain.join(' -> ')}`);
    }
  }
  return rows.map((row, r) => {
    const ms = samples[r]!.map((s) => s.ms);
    const stats = {
      median: median(ms),
      min: Math.min(...ms),
      kb: Math.max(...samples[r]!.map((s) => s.kb)),
      ...(row.trips ? { trips: median(trips[r]!) } : {}),
    };
    console.log(
      `  ${row.label.padEnd(62)} median ${stats.median.toFixed(0).padStart(6)} ms  min ${stats.min.toFixed(0).padStart(6)} ms  peak RSS ${(stats.kb / 1024).toFixed(1).padStart(6)} MiB${stats.trips === undefined ? '' : `  ${stats.trips} sequential requests`}`,
    );
    return stats;
  });
}

/**
 * The longest chain of requests each sent after the previous one was answered: the round trips
 * a run waited for one after the other (greedy by answer time finds the longest such chain).
 */
function sequentialRequests(intervals: Array<[number, number, string?]>): string[] {
  const chain: string[] = [];
  let last = -Infinity;
  for (const [start, end, label = '?'] of [...intervals].sort((a, b) => a[1] - b[1])) {
    if (start >= last) {
      chain.push(label);
      last = end;
    }
  }
  return chain;
}

const figures: string[] = [];
/** A figure of the table: its value, and its goal (at most) when it has one. */
function figure(name: string, value: number, goal?: number) {
  const verdict =
    goal === undefined ? '(info)' : `goal <= ${goal}  ${value <= goal ? 'met' : 'NOT met'}`;
  figures.push(`${name.padEnd(76)} ${value.toFixed(2).padStart(7)}  ${verdict}`);
}

const g: Ground = await startGround('bench');
// Every AWS request (IAM, STS; EKS through its own proxy) and every Kubernetes request waits the
// same added latency; 0 for the start-up and memory rows.
const aws = await startLatencyProxy(g.moto.url, { latencyMs: 0 });
const eks = await startLatencyProxy(g.eksEndpoint.url, { latencyMs: 0 });
const throttled = await startLatencyProxy(g.moto.url, { latencyMs: LATENCY, iamThrottle: 0.3 });
const setLatency = (ms: number) => () => {
  aws.setLatency(ms);
  eks.setLatency(ms);
  g.kube.setLatency(ms);
};
const env: NodeJS.ProcessEnv = {
  ...g.env,
  AWS_ENDPOINT_URL: aws.url,
  AWS_ENDPOINT_URL_EKS: eks.url,
  // aws-cli v1 reads this one, not AWS_REGION.
  AWS_DEFAULT_REGION: g.env.AWS_REGION,
};
const node = process.execPath;
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(kubeconfig, kubeconfigFor(g.kube.url, g.adminToken, g.pki.rootCertPath));
let providerArn = '';

try {
  const enabled = await g.iamsa(['enable-oidc', '--cluster', 'bench', '--approve', '-o', 'json']);
  if (enabled.code !== 0) throw new Error(`enable-oidc failed: ${enabled.stderr}`);
  providerArn = (JSON.parse(enabled.stdout) as { providerArn: string }).providerArn;
  const policy = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  const csa = (name: string, kube: string[] = g.kubeFlags) => [
    node,
    bin,
    'create-serviceaccount',
    '--cluster',
    'bench',
    '--name',
    name,
    '--attach-policy-arn',
    policy,
    ...kube,
    '--approve',
  ];
  const viaKubeconfig = ['--kubeconfig', kubeconfig];
  console.log(
    `node ${process.version}; medians of interleaved runs; load average ${(await loadAverage()).join(' ')}`,
  );

  if (ONLY.has('startup')) {
    // NODE_EXTRA_CA_CERTS (set on this machine) makes every Node process read and parse a CA bundle
    // before it runs anything: ~100 ms here, which would hide what iamsa's own start-up costs.
    const bare = () => {
      const rest = { ...g.env };
      delete rest.NODE_EXTRA_CA_CERTS;
      return rest;
    };
    console.log(`\nStart-up, ${RUNS} runs each`);
    const [node0, help] = await interleaved(
      [
        { label: 'node -e 0 (bare Node start)', argv: () => [node, '-e', '0'], env: bare },
        { label: 'iamsa --help', argv: () => [node, bin, '--help'], env: bare },
        { label: 'iamsa --version', argv: () => [node, bin, '--version'], env: bare },
        {
          label: 'iamsa create-serviceaccount --help',
          argv: () => [node, bin, 'create-serviceaccount', '--help'],
          env: bare,
        },
      ],
      RUNS,
    );
    figure('iamsa --help / node -e 0', help!.median / node0!.median, 1.25);
  }

  if (ONLY.has('memory')) {
    console.log(`\nOne new binding, no added latency, ${RUNS} runs each (memory)`);
    const [, kc] = await interleaved(
      [
        {
          label: 'create-serviceaccount (new, EKS token)',
          argv: (i) => csa(`mem-eks-${i}`),
          env: () => env,
          before: setLatency(0),
        },
        {
          label: 'create-serviceaccount (new, --kubeconfig)',
          argv: (i) => csa(`mem-kc-${i}`, viaKubeconfig),
          env: () => env,
        },
      ],
      RUNS,
    );
    figure('peak RSS of one binding, kubeconfig mode (MiB)', kc!.kb / 1024, 80);
  }

  if (ONLY.has('trips')) {
    // Sequential round trips: the same command at no added latency and at RT_LATENCY, interleaved.
    console.log(
      `\nRound trips: wall(+${RT_LATENCY} ms per request) - wall(+0), / ${RT_LATENCY} ms; ${RUNS} runs each`,
    );
    const pairs: Array<[string, (i: number) => string[]]> = [
      ['new, EKS token', (i) => csa(`rt-eks-${i}`)],
      ['new, --kubeconfig', (i) => csa(`rt-kc-${i}`, viaKubeconfig)],
      ['converged, EKS token', () => csa('rt-eks-0')],
    ];
    for (const [what, argv] of pairs) {
      const [at0, atL] = await interleaved(
        [
          {
            label: `create-serviceaccount (${what}) +0 ms`,
            argv: (i) => argv(2 * i),
            env: () => env,
            before: setLatency(0),
          },
          {
            label: `create-serviceaccount (${what}) +${RT_LATENCY} ms`,
            argv: (i) => argv(2 * i + 1),
            env: () => env,
            before: setLatency(RT_LATENCY),
            trips: true,
          },
        ],
        RUNS,
      );
      const trips = (atL!.median - at0!.median) / RT_LATENCY;
      const goal = what === 'new, EKS token' ? 4.5 : undefined;
      figure(
        `sequential requests counted by the proxies, one binding (${what})`,
        atL!.trips ?? 0,
        goal,
      );
      figure(`round trips, (wall(+L) - wall(+0)) / L, one binding (${what})`, trips);
    }
  }

  if (ONLY.has('apply')) {
    console.log(
      `\napply -f and the hand-typed sequence, +${LATENCY} ms per request, ${APPLY_RUNS} runs each`,
    );
    const file = (tag: string, count: number) => {
      const path = join(dir, `${tag}.yaml`);
      const items = Array.from(
        { length: count },
        (_, i) =>
          `  - {namespace: ${tag}, name: app-${i}, createNamespace: true, attachPolicyARNs: [${policy}]}\n`,
      );
      const head = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: bench\n';
      writeFileSync(path, `${head}bindings:\n${items.join('')}`);
      return path;
    };
    const apply = (path: string) => [node, bin, 'apply', '-f', path, ...g.kubeFlags, '--approve'];
    const slow = setLatency(LATENCY);
    const [one, hundred] = await interleaved(
      [
        {
          label: 'apply -f, 1 binding (new)',
          argv: (i) => apply(file(`one-${i}`, 1)),
          env: () => env,
          before: slow,
        },
        {
          label: 'apply -f, 100 bindings (new)',
          argv: (i) => apply(file(`many-${i}`, 100)),
          env: () => env,
          before: slow,
        },
      ],
      APPLY_RUNS,
    );
    const [oneConverged, hundredConverged] = await interleaved(
      [
        {
          label: 'apply -f, 1 binding (converged)',
          argv: () => apply(join(dir, 'one-0.yaml')),
          env: () => env,
          before: slow,
        },
        {
          label: 'apply -f, 100 bindings (converged)',
          argv: () => apply(join(dir, 'many-0.yaml')),
          env: () => env,
          before: slow,
        },
      ],
      APPLY_RUNS,
    );
    const before = { ...throttled.stats };
    await interleaved(
      [
        {
          label: 'apply -f, 100 bindings (new, 30 % of IAM throttled)',
          argv: (i) => apply(file(`throttled-${i}`, 100)),
          env: () => ({ ...env, AWS_ENDPOINT_URL: throttled.url }),
          before: slow,
        },
      ],
      APPLY_RUNS,
    );
    const hit = throttled.stats.throttled - before.throttled;
    const iamRequests = throttled.stats.iam - before.iam;
    const duplicates = await throttledBatchCheck();

    // The AWS documentation's sequence for one IRSA binding, typed by hand: the account and the
    // issuer, the trust file, the role, its policy, the annotated service account. aws-cli v1 and
    // kubectl, each a process of its own, through the same latency.
    const cli = (i: number): string[][] => {
      const name = `by-hand-${i}`;
      const host = providerArn.split('oidc-provider/')[1]!;
      const trust = join(dir, `trust-${i}.json`);
      writeFileSync(trust, trustFor(host, 'default', name));
      const sa = join(dir, `sa-${i}.yaml`);
      writeFileSync(
        sa,
        `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: default\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::${ACCOUNT}:role/${name}\n`,
      );
      return [
        ['aws', 'sts', 'get-caller-identity', '--query', 'Account', '--output', 'text'],
        [
          'aws',
          'eks',
          'describe-cluster',
          '--name',
          'bench',
          '--query',
          'cluster.identity.oidc.issuer',
          '--output',
          'text',
        ],
        [
          'aws',
          'iam',
          'create-role',
          '--role-name',
          name,
          '--assume-role-policy-document',
          `file://${trust}`,
        ],
        ['aws', 'iam', 'attach-role-policy', '--role-name', name, '--policy-arn', policy],
        ['kubectl', '--kubeconfig', kubeconfig, 'apply', '-f', sa],
      ];
    };
    const [byHand, oneCsa] = await interleaved(
      [
        {
          label: 'hand-typed aws-cli + kubectl sequence (5 commands)',
          argv: () => [],
          steps: cli,
          env: () => env,
          before: slow,
        },
        {
          label: 'create-serviceaccount (new, EKS token)',
          argv: (i) => csa(`vs-hand-${i}`),
          env: () => env,
          before: slow,
        },
      ],
      APPLY_RUNS,
    );

    figure('100 new bindings / one binding, apply -f', hundred!.median / one!.median, 5);
    const conv = hundredConverged!.median / oneConverged!.median;
    figure('converged 100 / converged 1, apply -f', conv, 2);
    figure('converged 100 / new 1, apply -f', hundredConverged!.median / one!.median);
    const vs = oneCsa!.median / byHand!.median;
    figure('one new binding / the hand-typed sequence', vs, 0.3);
    figures.push(
      `30 %-throttled batch: throttled ${hit} of ${iamRequests} IAM requests (${((100 * hit) / Math.max(iamRequests, 1)).toFixed(0)} %); every run exited 0; ${duplicates}`,
    );
  }
} finally {
  console.log('\nFigures');
  figures.forEach((f) => console.log(`  ${f}`));
  removeTempDir(dir);
  await Promise.all([aws.close(), eks.close(), throttled.close()]);
  await g.close();
}

function trustFor(host: string, namespace: string, name: string) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${host}:sub`]: `system:serviceaccount:${namespace}:${name}`,
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  });
}

/** The throttled batches made each role once, with one attachment: no duplicate, none missing. */
async function throttledBatchCheck(): Promise<string> {
  const { paginateListRoles, ListAttachedRolePoliciesCommand } =
    await import('@aws-sdk/client-iam');
  const names: string[] = [];
  for await (const page of paginateListRoles({ client: g.iam }, {})) {
    for (const r of page.Roles ?? []) if (r.RoleName?.includes('throttled')) names.push(r.RoleName);
  }
  const expected = APPLY_RUNS * 100;
  let wrong = 0;
  for (const name of names) {
    const out = await g.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
    if ((out.AttachedPolicies ?? []).length !== 1) wrong++;
  }
  return `${names.length} of ${expected} roles made, ${wrong} with other than one attachment`;
}

async function loadAverage() {
  const { loadavg } = await import('node:os');
  return loadavg().map((l) => l.toFixed(2));
}
