// migrate-from-kube2iam's discovery, pure, as a property over random clusters: whatever the
// workloads, service accounts, namespace restrictions and daemon flags, after the planned moves no
// workload runs as a service account bound to a role that it did not ask for or that its
// namespace restriction refuses, and no service account is bound to two roles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindMoves, dedicatedName, discover } from '../../src/actions/migrate/kube2iam-discover.js';
import type { Workload, WorkloadKind } from '../../src/kube/workloads.js';
import { daemonDecision, type DaemonConfig } from '../../src/policy/index.js';

const ACCOUNT = '111122223333';
const BASE = `arn:aws:iam::${ACCOUNT}:role/`;

/** A small deterministic PRNG (mulberry32), so a failure names its seed. */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  return { next, pick };
}

const ROLES = [
  'app-a',
  'app-b',
  'db',
  `${BASE}app-a`,
  `${BASE}db`,
  'arn:aws:iam::999999999999:role/app-x',
  // Names IAM's GetRole finds at another ARN: a role the daemon could not hand out.
  `${BASE}app-../db`,
  `${BASE}team/app-a`,
  `${BASE}App-A`,
  'app-b/../db',
];
/** The roles that exist, by name (as GetRole finds them): app-b lives under a path. */
const EXISTING = [`${BASE}app-a`, `${BASE}team/app-b`, `${BASE}db`].map((arn) => ({ arn }));
const roleNamed = (arn: string) =>
  EXISTING.find(
    (r) => r.arn.split('/').pop()?.toLowerCase() === arn.split('/').pop()?.toLowerCase(),
  );
const PATTERNS = [
  'app-*',
  '*',
  'db',
  'app',
  '^app',
  `${BASE}app-a`,
  'arn:aws:iam::999999999999:role/*',
  '.*',
  '(',
];
const KINDS: WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'ReplicaSet',
  'Job',
  'Pod',
];

function randomCluster(seed: number) {
  const r = rng(seed);
  const config: DaemonConfig = {
    flavour: r.pick(['kube2iam', 'kiam'] as const),
    baseRoleArn: BASE,
    namespaceRestrictions: r.next() < 0.8,
    restrictionFormat: r.pick(['glob', 'regexp'] as const),
    strictRegexp: r.next() < 0.5,
    ...(r.next() < 0.3 ? { defaultRole: r.pick(ROLES) } : {}),
  };
  const namespaces: Record<string, Record<string, string>> = {};
  for (const ns of ['a', 'b', 'c']) {
    const ann: Record<string, string> = {};
    if (r.next() < 0.7) {
      ann['iam.amazonaws.com/allowed-roles'] = JSON.stringify([r.pick(PATTERNS), r.pick(PATTERNS)]);
    }
    if (r.next() < 0.7) ann['iam.amazonaws.com/permitted'] = r.pick(PATTERNS);
    namespaces[ns] = ann;
  }
  const workloads: Workload[] = [];
  for (let i = 0; i < 12; i++) {
    const role = r.next() < 0.8 ? r.pick(ROLES) : undefined;
    workloads.push({
      kind: r.pick(KINDS),
      namespace: r.pick(['a', 'b', 'c']),
      name: `w${i}`,
      annotations: {},
      templateAnnotations: {
        ...(role ? { 'iam.amazonaws.com/role': role } : {}),
        ...(r.next() < 0.1 ? { 'iam.amazonaws.com/external-id': 'x' } : {}),
      },
      serviceAccountName: r.pick(['default', 'sa1', 'sa2']),
      owners: r.next() < 0.2 ? [{ kind: 'Deployment', name: 'x' }] : [],
    });
  }
  const serviceAccounts = ['a', 'b', 'c'].flatMap((ns) =>
    ['default', 'sa1', 'sa2'].map((name) => ({
      namespace: ns,
      name,
      annotations:
        r.next() < 0.15
          ? { 'eks.amazonaws.com/role-arn': `${BASE}${r.pick(['app-a', 'db'])}` }
          : ({} as Record<string, string>),
    })),
  );
  return { config, namespaces, workloads, serviceAccounts };
}

describe('migrate-from-kube2iam discovery', () => {
  it('never binds a workload to a role it did not ask for or its namespace refuses (1000 random clusters)', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const c = randomCluster(seed);
      const found = discover({
        config: c.config,
        workloads: c.workloads,
        namespaceAnnotations: c.namespaces,
        serviceAccounts: c.serviceAccounts,
        accountId: ACCOUNT,
      });
      // The state after the moves: service account annotations and each workload's account.
      const bound = new Map(
        c.serviceAccounts.map((s) => [
          `${s.namespace}/${s.name}`,
          s.annotations['eks.amazonaws.com/role-arn'],
        ]),
      );
      const runsAs = new Map(c.workloads.map((w) => [w, w.serviceAccountName]));
      // The role whose trust gains the service account is the one GetRole found.
      for (const m of bindMoves(found.moves, roleNamed).bound) {
        const key = `${m.workload.namespace}/${m.serviceAccount}`;
        const before = bound.get(key);
        assert.ok(
          before === undefined || before === m.role.arn,
          `seed ${seed}: ${key} bound to two roles`,
        );
        bound.set(key, m.role.arn);
        runsAs.set(m.workload, m.serviceAccount);
      }
      for (const w of c.workloads) {
        const arn = bound.get(`${w.namespace}/${runsAs.get(w)}`);
        if (arn === undefined) continue;
        // Only a move made this binding, or it was there before (then nothing changed for w).
        const before = c.serviceAccounts.find(
          (s) => s.namespace === w.namespace && s.name === w.serviceAccountName,
        )?.annotations['eks.amazonaws.com/role-arn'];
        if (runsAs.get(w) === w.serviceAccountName && before === arn) continue;
        const asked = w.templateAnnotations['iam.amazonaws.com/role'];
        assert.ok(asked !== undefined, `seed ${seed}: ${w.name} gains ${arn} without asking`);
        const d = daemonDecision(c.config, asked, c.namespaces[w.namespace] ?? {});
        assert.ok(
          d.allowed && !('default' in d && d.default),
          `seed ${seed}: ${w.name} gains ${arn}, refused`,
        );
        assert.equal(d.roleArn, arn, `seed ${seed}: ${w.name} asked for another role`);
      }
    }
  });

  it('a requested ARN binds only the role at exactly that ARN (path and case included)', () => {
    const w: Workload = {
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      annotations: {},
      templateAnnotations: { 'iam.amazonaws.com/role': `${BASE}app-../db` },
      serviceAccountName: 'web',
      owners: [],
    };
    const config: DaemonConfig = {
      flavour: 'kube2iam',
      baseRoleArn: BASE,
      namespaceRestrictions: true,
      restrictionFormat: 'glob',
      strictRegexp: false,
    };
    const found = discover({
      config,
      workloads: [w],
      namespaceAnnotations: { shop: { 'iam.amazonaws.com/allowed-roles': '["app-*"]' } },
      serviceAccounts: [],
      accountId: ACCOUNT,
    });
    assert.equal(found.moves.length, 1, 'the glob matches the ARN text, as in kube2iam');
    const { bound, missing } = bindMoves(found.moves, roleNamed);
    assert.deepEqual(bound, []);
    assert.match(missing[0] ?? '', /app-\.\.\/db, which does not exist \(the role named db is/);
  });

  it('dedicated names are DNS subdomains made of the workload and role names', () => {
    assert.equal(dedicatedName('db', `${BASE}Db_Admin`), 'db-db-admin');
    assert.equal(dedicatedName('api', `${BASE}path/pay.api`), 'api-pay.api');
  });
});
