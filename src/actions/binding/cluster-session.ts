// What every binding of one cluster in one run shares: one DescribeCluster, one OIDC provider
// lookup, at most one Kubernetes connection (one token), one limit on IAM requests in flight, and
// shared steps (a namespace two bindings need is created once).
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { ClusterInfo, EksGateway } from '../../aws/eks.js';
import type { IamGateway, OidcProvider } from '../../aws/iam.js';
import { PreconditionError } from '../../errors.js';
import type { KubeAccess, KubeConnection } from '../../kube/connection.js';
import { STS_AUDIENCE } from '../../policy/index.js';
import { snapshotKube } from './account-snapshot.js';
import { clusterOidc, type ClusterOidc } from './cluster-oidc.js';
import {
  createAdaptiveLimiter,
  isWriteOperation,
  type Limiter,
  limitGateway,
} from '../engine/limiter.js';
import { type PlanStep } from '../engine/plan.js';
import { started } from '../engine/concurrency.js';
import type { Reporter } from '../engine/reporter.js';

export type OpenKube = (
  access: KubeAccess,
  clusterName: string,
  cluster: Promise<ClusterInfo>,
) => Promise<KubeConnection>;

/** The clients of one region: what a session (or several, for several clusters) is opened with. */
export interface RegionAccess {
  region: string;
  /** The --profile in use, so hints can repeat it. */
  profile?: string;
  eks: EksGateway;
  iam: IamGateway;
  /** Absent for commands that never talk to Kubernetes (enable-oidc). */
  openKube?: OpenKube;
  /** EKS of another region (the other clusters a shared role records). */
  eksIn?(region: string): EksGateway;
  /** Tells of each IAM attempt throttled (the SDK retries it): the write limit follows it. */
  onIamThrottle?(listener: (operation: string) => void): void;
}

export interface SessionOptions {
  cluster: string;
  kube: KubeAccess;
  reporter: Reporter;
  /** IAM writes in flight at first (adaptive: halved on throttling, grown back slowly). */
  iamConcurrency?: number;
  /** A limit on IAM writes shared with other sessions of the run (several clusters, one IAM). */
  iamLimit?: Limiter;
  /** Likewise for IAM reads (default: the write limit). */
  iamReadLimit?: Limiter;
  /** Answer service account reads from one LIST per namespace until the first write (batches). */
  snapshotKube?: boolean;
  /** The cluster's description when the caller already has it (the wizard's cluster list). */
  described?: ClusterInfo;
}

export interface ClusterSession {
  readonly name: string;
  readonly region: string;
  readonly profile?: string;
  readonly kubeAccess: KubeAccess;
  /** IAM, limited to the run's requests in flight. */
  readonly iam: IamGateway;
  readonly eks: EksGateway;
  /** EKS of a region: this session's, or another one's when the access has it. */
  eksIn(region: string): EksGateway | undefined;
  readonly reporter: Reporter;
  /** DescribeCluster, once. */
  cluster(): Promise<ClusterInfo>;
  oidc(): Promise<ClusterOidc>;
  /** The IAM OIDC provider of the cluster's issuer, looked up once (until forgotten). */
  provider(): Promise<OidcProvider | undefined>;
  /** The provider that bindings need: present and with the STS audience, else exit 3. */
  requireProvider(): Promise<OidcProvider>;
  /** After enable-oidc made or changed the provider, the next provider() reads it again. */
  forgetProvider(): void;
  /**
   * The provider as this run's plan will leave it (enable-oidc in the same run): bindings are
   * planned against it, and apply makes it before their steps.
   */
  planProvider(provider: OidcProvider): void;
  /** The Kubernetes connection, opened once; its warnings are reported once. */
  kube(): Promise<KubeConnection>;
  /** Whether a namespace exists, read once per namespace. */
  namespaceExists(namespace: string): Promise<boolean>;
  /** A binding of this run will create this namespace: its siblings may count on it. */
  announceNamespace(namespace: string): void;
  namespaceAnnounced(namespace: string): boolean;
  /** A step several bindings share (made once by the first that asks for it). */
  sharedStep(key: string, make: () => PlanStep): PlanStep;
  /** The `iamsa enable-oidc ...` command for hints. */
  enableCommand(): string;
  /** Warnings of the session (kube connection), for the result document. */
  readonly warnings: Warning[];
}

export function openClusterSession(access: RegionAccess, options: SessionOptions): ClusterSession {
  const { reporter, cluster: name } = options;
  const limit = options.iamLimit ?? adaptiveIamLimit(access, options.iamConcurrency ?? 4);
  const iam = limitGateway(access.iam, limit, options.iamReadLimit ?? limit);
  const warnings: Warning[] = [];
  let clusterP: Promise<ClusterInfo> | undefined = options.described
    ? Promise.resolve(options.described)
    : undefined;
  let providerP: Promise<OidcProvider | undefined> | undefined;
  let kubeP: Promise<KubeConnection> | undefined;
  const namespaces = new Map<string, Promise<boolean>>();
  const shared = new Map<string, PlanStep>();
  const announced = new Set<string>();

  const session: ClusterSession = {
    name,
    region: access.region,
    profile: access.profile,
    kubeAccess: options.kube,
    iam,
    eks: access.eks,
    eksIn: (region) => (region === access.region ? access.eks : access.eksIn?.(region)),
    reporter,
    warnings,
    cluster: () =>
      (clusterP ??= started(
        reporter.progress(`Reading cluster ${name}`, () => access.eks.describeCluster(name)),
      )),
    oidc: async () => clusterOidc(await session.cluster()),
    provider: () =>
      (providerP ??= started(
        session
          .oidc()
          .then(({ providerArn }) =>
            reporter.progress('Looking up the IAM OIDC provider', () =>
              iam.getOidcProvider(providerArn),
            ),
          ),
      )),
    async requireProvider() {
      const [provider, { providerArn }] = await Promise.all([session.provider(), session.oidc()]);
      const hint = session.enableCommand();
      if (!provider) {
        throw new PreconditionError(`cluster ${name} has no IAM OIDC provider (${providerArn})`, {
          hint,
        });
      }
      if (!provider.clientIds.includes(STS_AUDIENCE)) {
        throw new PreconditionError(
          `the OIDC provider of cluster ${name} lacks the audience ${STS_AUDIENCE}`,
          { hint },
        );
      }
      return provider;
    },
    forgetProvider() {
      providerP = undefined;
    },
    planProvider(provider) {
      providerP = Promise.resolve(provider);
    },
    kube: () =>
      (kubeP ??= started(
        (access.openKube
          ? access.openKube(options.kube, name, session.cluster())
          : Promise.reject(new Error('internal: this command has no Kubernetes access'))
        ).then((connection) => {
          // The connection's (a kubeconfig whose server is not the cluster's endpoint).
          const said = connection.warnings.map((w) => coded('IRSA-W008', w));
          said.forEach((w) => reporter.warn(w));
          warnings.push(...said);
          return options.snapshotKube
            ? { ...connection, gateway: snapshotKube(connection.gateway) }
            : connection;
        }),
      )),
    namespaceExists(namespace) {
      let p = namespaces.get(namespace);
      if (!p) {
        p = started(session.kube().then((k) => k.gateway.namespaceExists(namespace)));
        namespaces.set(namespace, p);
      }
      return p;
    },
    announceNamespace(namespace) {
      announced.add(namespace);
    },
    namespaceAnnounced: (namespace) => announced.has(namespace),
    sharedStep(key, make) {
      let s = shared.get(key);
      if (!s) {
        s = make();
        shared.set(key, s);
      }
      return s;
    },
    enableCommand() {
      const profile = access.profile ? ` --profile ${access.profile}` : '';
      return `iamsa enable-oidc --cluster ${name} --region ${access.region}${profile} --approve`;
    },
  };
  return session;
}

/**
 * The run's limit on IAM writes: 10 in flight at first (Terraform's default parallelism), halved
 * when IAM throttles a write, grown back one at a time (docs/decisions/0008-iam-write-limit.md).
 */
export function adaptiveIamLimit(
  access: Pick<RegionAccess, 'onIamThrottle'> | Array<Pick<RegionAccess, 'onIamThrottle'>>,
  initial = 10,
): Limiter {
  const limit = createAdaptiveLimiter({ initial, min: 1 });
  for (const a of [access].flat()) {
    a.onIamThrottle?.((operation) => {
      if (isWriteOperation(operation)) limit.throttled();
    });
  }
  return limit;
}
