// Use case: `iamsa apply -f`: every binding of a file in one run. One session per cluster (one
// DescribeCluster, one provider lookup, one Kubernetes connection each), one IAM limit for all,
// one plan whose bindings fail alone; a binding listing several clusters is one shared role.
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { IamGateway, RoleSummary } from '../../aws/iam.js';
import type { KubeAccess } from '../../kube/connection.js';
import { ValidationError } from '../../errors.js';
import { STS_AUDIENCE } from '../../policy/index.js';
import { type ApplyBinding, type ApplyInput, type ClusterRef } from './apply-input.js';
import {
  adaptiveIamLimit,
  type ClusterSession,
  openClusterSession,
  type RegionAccess,
} from '../binding/cluster-session.js';
import { planEnableOidcSteps } from '../lifecycle/enable-oidc.js';
import { createLimiter } from '../engine/limiter.js';
import { scanAccountRoles, SNAPSHOT_FROM, snapshotIam } from '../binding/account-snapshot.js';
import {
  asIamsaError,
  type BindingPlan,
  composePlan,
  hasChanges,
  type Planned,
  type PlanStep,
} from '../engine/plan.js';
import { started } from '../engine/concurrency.js';
import { bindingKey } from '../binding/spec.js';
import { planMoved } from './moved.js';
import { planPrune } from './prune.js';
import { type Deletion, oncePerSharedRole } from './shared-leaves.js';
import { planBinding } from '../binding/plan-binding.js';
import { planSharedBinding } from './shared-binding.js';
import type { Reporter } from '../engine/reporter.js';

/**
 * IAM writes in flight at first and at most (Terraform's parallelism), halved on throttling
 * (decision 0008). The SDK's retry quota (500 tokens, 5 per throttled retry) is not what limits a
 * throttled batch: measured at 30 % of IAM requests throttled, it never fell below 481.
 */
const WRITES_IN_FLIGHT = 10;

export interface ApplyDeps {
  reporter: Reporter;
  /** The clients of a region (undefined: the default region); the caller memoises them. */
  access(region: string | undefined): Promise<RegionAccess>;
  /** IAM writes in flight for the whole run at first (default 10, adaptive; reads: 16). */
  iamConcurrency?: number;
}

export async function planApply(
  input: ApplyInput,
  kube: KubeAccess,
  deps: ApplyDeps,
): Promise<Planned> {
  const { reporter } = deps;
  // The file reader's notes (eksctl sections iamsa does not read).
  const notes = [
    ...input.notes.map((n) => coded('IRSA-W022', n)),
    ...(input.ignored ?? []).map((n) => coded('IRSA-W051', n)),
  ];
  notes.forEach((n) => reporter.warn(n));
  const refs = [...input.enableOidc, ...input.bindings.flatMap((b) => b.clusters)];
  const regions = [...new Set(refs.map((r) => r.region))];
  const accesses = new Map(
    await Promise.all(regions.map(async (r) => [r, await deps.access(r)] as const)),
  );
  checkResolvedDuplicates(input, (ref) => accesses.get(ref.region)!.region);
  // One adaptive limit on IAM writes for the run (IAM throttles bursts of writes first): halved on
  // throttling, grown back slowly, never above WRITES_IN_FLIGHT. Reads, which a plan of a hundred
  // bindings is mostly made of, go 16 at a time.
  const iamLimit = adaptiveIamLimit(
    [...accesses.values()],
    deps.iamConcurrency ?? WRITES_IN_FLIGHT,
  );
  const iamReadLimit = createLimiter(16);
  // A batch (or a prune, which reads every role trusting the cluster) reads the account's roles
  // in one scan instead of three reads per role; denied, it reads role by role and says so.
  const scanWarnings: Warning[] = [];
  const batch = input.bindings.length >= SNAPSHOT_FROM || input.prune;
  const scanner = [...accesses.values()][0];
  const snapshot =
    batch && scanner ? scanAccountRoles(scanner.iam, reporter, scanWarnings) : undefined;
  // IAM is global: a policy many bindings attach is looked up once for the run.
  const policyExists = memo((arn: string, iam: IamGateway) => iam.policyExists(arn));
  const sessions = new Map<string, ClusterSession>();
  const sessionOf = (ref: ClusterRef): ClusterSession => {
    const access = accesses.get(ref.region)!;
    const key = `${ref.name}@${access.region}`;
    let s = sessions.get(key);
    if (!s) {
      const read = snapshot ? snapshotIam(access.iam, snapshot) : access.iam;
      const iam = { ...read, policyExists: (arn: string) => policyExists(arn, access.iam) };
      s = openClusterSession(
        { ...access, iam },
        {
          cluster: ref.name,
          kube,
          reporter,
          iamLimit,
          iamReadLimit,
          snapshotKube: batch,
        },
      );
      sessions.set(key, s);
    }
    return s;
  };
  // A namespace one binding creates is there for its siblings in the same cluster too.
  for (const b of input.bindings) {
    if (b.spec.createNamespace && !b.spec.roleOnly)
      b.clusters.forEach((c) => sessionOf(c).announceNamespace(b.spec.namespace));
  }
  // Connect to every cluster that needs Kubernetes while IAM is read.
  for (const b of input.bindings) {
    if (!b.spec.roleOnly)
      b.clusters.forEach(
        (c) =>
          void sessionOf(c)
            .kube()
            .catch(() => {}),
      );
  }

  const { extra, failed } = await planProviders(input.enableOidc.map(sessionOf));
  // A withOIDC cluster no binding names fails the run like enable-oidc (no binding reports it).
  const bound = new Set(input.bindings.flatMap((b) => b.clusters.map(sessionOf)));
  for (const [session, error] of failed) if (!bound.has(session)) throw asIamsaError(error);
  const plans = (
    await Promise.all(
      input.bindings.map((b) => planOne(b, b.clusters.map(sessionOf), failed, input)),
    )
  ).flat();
  const all = [...sessions.values()];
  // The file's only cluster cannot be read (not found): no binding can proceed, so it is one
  // error up front, like enable-oidc, not one per binding.
  if (all.length === 1) {
    const [read] = await Promise.allSettled([all[0]!.cluster()]);
    if (read.status === 'rejected') throw asIamsaError(read.reason);
  }
  // Deletions first in the plan: what the file no longer lists, per cluster it names.
  // IAM is global: the account's roles are listed at most once for the run; a batch's scan has
  // every role with its trust already (denied, ListRoles gives the trusts).
  let roles: Promise<RoleSummary[]> | undefined;
  const listed = () => reporter.progress('Listing IAM roles', () => all[0]!.iam.listRoles());
  const listRoles = () =>
    (roles ??= started(
      snapshot
        ? snapshot.roles.then((scanned) => (scanned ? [...scanned.values()] : listed()))
        : listed(),
    ));
  const [pruned, moved] = await Promise.all([
    input.prune ? planPrunes(input, sessionOf, all, listRoles) : [],
    planMoved(input, sessionOf, listRoles),
  ]);
  const deletions = await oncePerSharedRole([...pruned, ...moved.deletions]);
  moved.warnings.forEach((w) => reporter.warn(w));
  return composePlan(
    {
      command: 'apply',
      cluster: [...new Set(all.map((s) => s.name))].join(', '),
      region: [...new Set(all.map((s) => s.region))].join(', '),
      providerArn:
        input.enableOidc.length === 1 && !failed.size
          ? (await sessionOf(input.enableOidc[0]!).oidc()).providerArn
          : undefined,
      warnings: [...notes, ...scanWarnings, ...all.flatMap((s) => s.warnings), ...moved.warnings],
    },
    [...deletions, ...plans],
    reporter,
    { extra },
  );
}

function planOne(
  b: ApplyBinding,
  sessions: ClusterSession[],
  failed: Map<ClusterSession, unknown>,
  input: ApplyInput,
): Promise<BindingPlan[]> {
  const broken = sessions.find((s) => failed.has(s));
  if (broken) {
    // Its cluster's provider could not be planned: the binding cannot be either.
    const error = asIamsaError(failed.get(broken));
    return Promise.resolve(
      sessions.map((s) => ({
        cluster: s.name,
        namespace: b.spec.namespace,
        name: b.spec.name,
        source: b.spec.source.where,
        steps: [],
        warnings: [],
        error,
      })),
    );
  }
  // Checked by the file reader, declared (a file is the whole desired state of the roles it
  // names, docs/apply.md), one per cluster.
  if (sessions.length === 1) return planBinding(sessions[0]!, b.checked[0]!).then((p) => [p]);
  return planSharedBinding(sessions, b.checked, {
    maxTrustPolicySize: input.maxTrustPolicySize,
    prune: input.prune,
  });
}

function planPrunes(
  input: ApplyInput,
  sessionOf: (ref: ClusterRef) => ClusterSession,
  all: ClusterSession[],
  listRoles: () => Promise<RoleSummary[]>,
): Promise<Deletion[]> {
  const keep = new Map<ClusterSession, Set<string>>();
  for (const b of input.bindings) {
    for (const c of b.clusters) {
      const s = sessionOf(c);
      keep.set(s, (keep.get(s) ?? new Set()).add(bindingKey(b.spec)));
    }
  }
  const roles = all.length ? listRoles() : Promise.resolve([]);
  return Promise.all([...keep].map(([s, keys]) => planPrune(s, keys, roles, input.file))).then(
    (r) => r.flat(),
  );
}

/**
 * The OIDC providers of the run (eksctl's withOIDC): planned first, and bindings are planned
 * against the provider as the plan leaves it.
 */
async function planProviders(sessions: ClusterSession[]) {
  const extra: PlanStep[] = [];
  const failed = new Map<ClusterSession, unknown>();
  await Promise.all(
    sessions.map(async (session) => {
      try {
        const { steps, providerArn } = await planEnableOidcSteps(session, {
          cluster: session.name,
          thumbprints: [],
          tags: [],
        });
        extra.push(...steps);
        if (hasChanges(steps)) {
          const [{ issuer }, existing] = await Promise.all([session.oidc(), session.provider()]);
          session.planProvider({
            arn: providerArn,
            url: issuer,
            clientIds: [...new Set([...(existing?.clientIds ?? []), STS_AUDIENCE])],
            thumbprints: existing?.thumbprints ?? [],
            tags: existing?.tags ?? {},
          });
        }
      } catch (error) {
        failed.set(session, error);
      }
    }),
  );
  return { extra, failed };
}

/**
 * The file layer compares bindings by the region they name; one that names none gets the default
 * region only now. The same service account of the same cluster twice is bad input (exit 2),
 * found before any call that writes.
 */
function checkResolvedDuplicates(input: ApplyInput, regionOf: (ref: ClusterRef) => string): void {
  const seen = new Map<string, string>();
  for (const b of input.bindings) {
    for (const c of b.clusters) {
      const region = regionOf(c);
      const key = `${region}\u0000${c.name}\u0000${bindingKey(b.spec)}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, b.spec.source.where);
        continue;
      }
      throw new ValidationError(
        `duplicate binding ${bindingKey(b.spec)} for cluster ${c.name} (${region}): at ${first} and at ${b.spec.source.where}`,
        { hint: 'one names the region and the other relies on the default; keep one of them' },
      );
    }
  }
}

function memo<A, R>(fn: (key: string, arg: A) => Promise<R>) {
  const cache = new Map<string, Promise<R>>();
  return (key: string, arg: A): Promise<R> => {
    let p = cache.get(key);
    if (!p) {
      p = fn(key, arg);
      // A failed lookup is not remembered: the next binding asks again.
      p.catch(() => cache.delete(key));
      cache.set(key, p);
    }
    return p;
  };
}
