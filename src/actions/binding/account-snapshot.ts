// Account-wide reads for batches (issue 20): one GetAccountAuthorizationDetails scan (Filter=Role)
// answers every binding's GetRole, ListAttachedRolePolicies and GetRolePolicy in a few pages, and
// one LIST of service accounts per namespace answers every binding's GET. Chosen by the number of
// bindings; a scan that is denied becomes a warning and the reads go one role at a time.
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { IamGateway, RoleDetail } from '../../aws/iam.js';
import { AuthError } from '../../errors.js';
import type { KubeGateway, ServiceAccount } from '../../kube/gateway.js';
import { isRead, methodsOf } from '../engine/limiter.js';
import type { Reporter } from '../engine/reporter.js';

/** From how many bindings a run reads the whole account (or namespace) at once instead. */
export const SNAPSHOT_FROM = 20;

/** The account's roles by lowercase name (IAM names are case-insensitive), or undefined if denied. */
export interface RoleSnapshot {
  roles: Promise<Map<string, RoleDetail> | undefined>;
  /** Set by the first write of the run, through any gateway over this snapshot: reads go live. */
  live: boolean;
}

export function scanAccountRoles(
  iam: IamGateway,
  reporter: Reporter,
  warnings: Warning[],
): RoleSnapshot {
  const scan = reporter
    .progress('Reading the roles of the account', () => iam.listRoleDetails())
    .then(
      (details) => new Map(details.map((d) => [d.name.toLowerCase(), d])),
      (error: unknown) => {
        // Only read to be quick: without the permission, read role by role.
        if (!(error instanceof AuthError)) throw error;
        const warning = coded(
          'IRSA-W007',
          `could not read the account's roles at once (iam:GetAccountAuthorizationDetails: ${error.message.split('\n')[0]}); reading them one role at a time`,
        );
        reporter.warn(warning);
        warnings.push(warning);
        return undefined;
      },
    );
  scan.catch(() => undefined);
  return { roles: scan, live: false };
}

/**
 * The gateway, answering role reads from the scan while the run only plans. The first write ends
 * that: from then on every read is live (a role made or changed since the scan is read as it is).
 */
export function snapshotIam(iam: IamGateway, snapshot: RoleSnapshot): IamGateway {
  const state = untilFirstWrite(iam, snapshot);
  const fromScan = async <T>(
    name: string,
    answer: (detail: RoleDetail | undefined) => T | typeof LIVE,
    read: () => Promise<T>,
  ): Promise<T> => {
    const roles = state.live ? undefined : await snapshot.roles.catch(() => undefined);
    if (!roles || state.live) return read();
    const answered = answer(roles.get(name.toLowerCase()));
    return answered === LIVE ? read() : answered;
  };
  return {
    ...state.gateway,
    getRole: (name) =>
      fromScan(
        name,
        (d) =>
          d && {
            arn: d.arn,
            name: d.name,
            path: d.path,
            trustPolicy: d.trustPolicy,
            tags: { ...d.tags },
            permissionsBoundaryArn: d.permissionsBoundaryArn,
          },
        () => iam.getRole(name),
      ),
    listAttachedPolicyArns: (name) =>
      fromScan(
        name,
        (d) => (d ? [...d.attachedPolicyArns] : LIVE),
        () => iam.listAttachedPolicyArns(name),
      ),
    listInlinePolicyNames: (name) =>
      fromScan(
        name,
        (d) => (d ? [...d.inlinePolicyNames] : LIVE),
        () => iam.listInlinePolicyNames(name),
      ),
    getInlinePolicy: (name, policy) =>
      fromScan(
        name,
        (d) =>
          !d
            ? LIVE
            : !d.inlinePolicyNames.includes(policy)
              ? undefined
              : (d.inlinePolicies?.[policy] ?? LIVE),
        () => iam.getInlinePolicy(name, policy),
      ),
  };
}

const LIVE = Symbol('read it live');

/** The gateway's methods as they are, but noting the first write: from then on reads are live. */
function untilFirstWrite<G extends object>(
  gateway: G,
  state: { live: boolean } = { live: false },
): { gateway: G; readonly live: boolean } {
  const methods: Record<string, unknown> = {};
  for (const [key, fn] of methodsOf(gateway)) {
    methods[key] = isRead(key)
      ? (...args: unknown[]) => fn.apply(gateway, args)
      : (...args: unknown[]) => {
          state.live = true;
          return fn.apply(gateway, args);
        };
  }
  return {
    gateway: methods as G,
    get live() {
      return state.live;
    },
  };
}

/**
 * The Kubernetes gateway, answering service account reads from one LIST per namespace while the
 * run only plans (a hundred bindings of a namespace: one request, not a hundred).
 */
export function snapshotKube(kube: KubeGateway): KubeGateway {
  const state = untilFirstWrite(kube);
  const lists = new Map<string, Promise<Map<string, ServiceAccount>>>();
  return {
    ...state.gateway,
    async getServiceAccount(namespace, name) {
      if (state.live) return kube.getServiceAccount(namespace, name);
      let list = lists.get(namespace);
      if (!list) {
        list = kube
          .listServiceAccounts(namespace)
          .then((items) => new Map(items.map((sa) => [sa.name, sa])));
        list.catch(() => lists.delete(namespace));
        lists.set(namespace, list);
      }
      return (await list).get(name);
    },
  };
}
