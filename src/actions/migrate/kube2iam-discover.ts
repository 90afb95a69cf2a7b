// migrate-from-kube2iam's discovery, pure: which workloads ask kube2iam/kiam for a role, what the
// daemon answers them (its own name resolution and namespace rule), which requests can move to
// IRSA, and which service account each migrated workload runs as afterwards. A service account is
// annotated in place only when every workload running as it asks for that same role and it is
// not `default`; otherwise the workload gets a dedicated one, so no pod gains a role it did not
// ask for, and no request the daemon refuses is ever bound.
import type { Workload, WorkloadKind } from '../../kube/workloads.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import {
  DAEMON_EXTERNAL_ID_ANNOTATION,
  DAEMON_ROLE_ANNOTATION,
  type DaemonConfig,
  daemonDecision,
  KIAM_PERMITTED_ANNOTATION,
  KUBE2IAM_ALLOWED_ROLES_ANNOTATION,
  KUBE2IAM_RECORD_ANNOTATION,
  KUBE2IAM_SA_ANNOTATION,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  parseArn,
  resolveDaemonRole,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
} from '../../policy/index.js';

/** What a migrated workload's template asked for, kept on the workload for --rollback. */
export interface WorkloadRecord {
  /** The iam.amazonaws.com/role value. */
  role: string;
  /** The template's serviceAccountName before the migration (null: unset). */
  serviceAccountName: string | null;
}

export interface Move {
  workload: Workload;
  /** The annotation's value and the ARN the daemon resolves it to. */
  requested: string;
  roleArn: string;
  /** The service account the workload runs as afterwards. */
  serviceAccount: string;
  /** A service account made for this workload (or made earlier by the migration). */
  dedicated: boolean;
  /** Already migrated by an earlier run (its template no longer asks the daemon). */
  done: boolean;
  /** Why the dedicated service account, which exists, is not the migration's to reuse. */
  refusal?: string;
}

export interface Discovery {
  moves: Move[];
  /** Requests the daemon refuses today: they stay as they are. */
  refused: string[];
  /** Requests the daemon grants that IRSA cannot take over as they are. */
  notMigrated: string[];
  /**
   * Bare pods and Jobs' pods asking for a role: their template cannot change, so they are only
   * told how to recreate them (`recreateHint`), once the role is known to be the daemon's.
   */
  unchangeable: Move[];
}

/** Kinds whose owner manages their pods (a Deployment's ReplicaSets, a CronJob's Jobs, pods). */
export function isTopLevel(w: Workload): boolean {
  if (w.kind === 'Pod' || w.kind === 'ReplicaSet' || w.kind === 'Job') {
    return !w.owners.some((o) => o.kind !== '');
  }
  return true;
}

export const workloadId = (w: { kind: WorkloadKind; namespace: string; name: string }) =>
  `${w.kind.toLowerCase()} ${w.namespace}/${w.name}`;

export function readRecord(w: Workload): WorkloadRecord | undefined {
  const text = w.annotations[KUBE2IAM_RECORD_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<WorkloadRecord>;
    if (typeof v.role !== 'string') return undefined;
    return {
      role: v.role,
      serviceAccountName: typeof v.serviceAccountName === 'string' ? v.serviceAccountName : null,
    };
  } catch {
    return undefined;
  }
}

/** A dedicated service account's name: the workload's and the role's, a DNS subdomain. */
export function dedicatedName(workload: string, roleArn: string): string {
  const role = roleNameOf(roleArn)
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-');
  return `${workload}-${role}`.slice(0, 253).replace(/[^a-z0-9]+$/, '');
}

export interface DiscoverInput {
  config: DaemonConfig;
  workloads: Workload[];
  namespaceAnnotations: Record<string, Record<string, string>>;
  serviceAccounts: {
    namespace: string;
    name: string;
    annotations: Record<string, string>;
    labels?: Record<string, string>;
  }[];
  accountId: string;
  namespace?: string;
}

/** What a bare pod or a Job's pod that asks the daemon for a role can do instead. */
export const recreateHint = (m: Move) =>
  `${workloadId(m.workload)} asks for ${m.roleArn}, but a ${m.workload.kind === 'Pod' ? 'bare pod' : "Job's pod template"} cannot be changed: recreate it: kubectl -n ${m.workload.namespace} get ${m.workload.kind.toLowerCase()} ${m.workload.name} -o yaml > ${m.workload.name}.yaml, remove its ${DAEMON_ROLE_ANNOTATION} annotation, set its serviceAccountName to a service account annotated with the role (iamsa create-serviceaccount --attach-role-arn ${m.roleArn} ...), then kubectl replace --force -f ${m.workload.name}.yaml`;

export function discover(input: DiscoverInput): Discovery {
  const { config } = input;
  const refused: string[] = [];
  const notMigrated: string[] = [];
  const unchangeable: Move[] = [];
  const wanted: Omit<Move, 'serviceAccount' | 'dedicated'>[] = [];
  const top = input.workloads.filter(
    (w) => isTopLevel(w) && (input.namespace === undefined || w.namespace === input.namespace),
  );
  for (const w of top) {
    const id = workloadId(w);
    const record = readRecord(w);
    const asked = w.templateAnnotations[DAEMON_ROLE_ANNOTATION];
    if (asked === undefined && record) {
      wanted.push({
        workload: w,
        requested: record.role,
        roleArn: daemonDecision(config, record.role, {}).roleArn,
        done: true,
      });
      continue;
    }
    if (asked === undefined) {
      if (config.flavour === 'kube2iam' && config.defaultRole && w.kind !== 'Pod') {
        notMigrated.push(
          `${id} asks for no role and gets kube2iam's default role ${config.defaultRole}: not migrated (give it an ${DAEMON_ROLE_ANNOTATION} annotation, or bind its service account yourself)`,
        );
      }
      continue;
    }
    const decision = daemonDecision(config, asked, input.namespaceAnnotations[w.namespace] ?? {});
    if (!decision.allowed) {
      refused.push(
        `${id} asks ${config.flavour} for ${asked}, refused today (${decision.reason}): it stays refused`,
      );
      continue;
    }
    if (decision.default) {
      notMigrated.push(
        `${id} asks for kube2iam's default role ${decision.roleArn}, which bypasses namespace restrictions: not migrated (bind it explicitly if it should keep it)`,
      );
      continue;
    }
    const externalId = w.templateAnnotations[DAEMON_EXTERNAL_ID_ANNOTATION];
    if (externalId !== undefined) {
      notMigrated.push(
        `${id} passes an external ID with ${asked}: not migrated; web identity carries no sts:ExternalId, so a trust condition on it would refuse IRSA (the external ID guards a third party's role: keep it on kube2iam, or drop the condition for a statement of the service account)`,
      );
      continue;
    }
    const arn = parseArn(decision.roleArn);
    if (!arn || arn.service !== 'iam' || !arn.resource.startsWith('role/')) {
      notMigrated.push(
        `${id} asks for ${asked}, which does not resolve to a role ARN (${decision.roleArn}): not migrated`,
      );
      continue;
    }
    if (arn.accountId !== input.accountId) {
      notMigrated.push(
        `${id} asks for ${decision.roleArn}, a role of account ${arn.accountId}: not migrated (IRSA needs the role to trust this cluster's OIDC provider, which lives in account ${input.accountId}; register the provider there and bind it by hand)`,
      );
      continue;
    }
    if (w.kind === 'Pod' || w.kind === 'Job') {
      unchangeable.push({
        workload: w,
        requested: asked,
        roleArn: decision.roleArn,
        serviceAccount: w.serviceAccountName,
        dedicated: false,
        done: false,
      });
      continue;
    }
    wanted.push({ workload: w, requested: asked, roleArn: decision.roleArn, done: false });
  }
  return {
    moves: assignServiceAccounts(
      wanted,
      input.workloads,
      input.serviceAccounts,
      config.baseRoleArn,
    ),
    refused,
    notMigrated,
    unchangeable,
  };
}

/**
 * A service account the migration made: iamsa's label and the migration's record. Either alone is
 * anyone's to write, so neither alone lets the migration reuse, re-annotate or delete it.
 */
export function madeByMigration(sa: {
  annotations: Record<string, string>;
  labels?: Record<string, string>;
}): boolean {
  return (
    sa.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE &&
    sa.annotations[KUBE2IAM_SA_ANNOTATION] === 'created'
  );
}

/** Which service account each migrated workload runs as (see the file comment). */
function assignServiceAccounts(
  wanted: Omit<Move, 'serviceAccount' | 'dedicated'>[],
  all: Workload[],
  accounts: DiscoverInput['serviceAccounts'],
  baseRoleArn: string,
): Move[] {
  const key = (ns: string, sa: string) => `${ns}/${sa}`;
  const saOf = new Map(accounts.map((a) => [key(a.namespace, a.name), a]));
  const byKey = new Map(wanted.map((m) => [m.workload, m]));
  /** The first other workload running as the account that does not want this role already. */
  const otherAsk = (m: (typeof wanted)[number], name: string) => {
    const annotated = saOf.get(key(m.workload.namespace, name))?.annotations[ROLE_ARN_ANNOTATION];
    return all.find((o) => {
      if (o === m.workload || o.namespace !== m.workload.namespace) return false;
      if (o.serviceAccountName !== name) return false;
      const move = byKey.get(o);
      if (move) return move.roleArn !== m.roleArn;
      const asked = o.templateAnnotations[DAEMON_ROLE_ANNOTATION];
      if (asked === undefined) return annotated !== m.roleArn;
      return isTopLevel(o) || resolveDaemonRole(asked, baseRoleArn) !== m.roleArn;
    });
  };
  return wanted.map((m): Move => {
    const w = m.workload;
    const record = readRecord(w);
    const current = w.serviceAccountName;
    const sa = saOf.get(key(w.namespace, current));
    // Migrated earlier into a service account the migration made: it stays there.
    if (m.done && record && sa && madeByMigration(sa)) {
      return { ...m, serviceAccount: current, dedicated: true };
    }
    const annotated = sa?.annotations[ROLE_ARN_ANNOTATION];
    // Everything that runs as the account (a controller's pods too) must already want this role.
    const fits = annotated === undefined || annotated === m.roleArn;
    if (current !== 'default' && !otherAsk(m, current) && fits) {
      return { ...m, serviceAccount: current, dedicated: false };
    }
    const name = dedicatedName(w.name, m.roleArn);
    const existing = saOf.get(key(w.namespace, name));
    const id = `service account ${w.namespace}/${name}`;
    const other = existing && otherAsk(m, name);
    const refusal = !existing
      ? undefined
      : !madeByMigration(existing)
        ? `${id} exists and the migration did not make it (its ${MANAGED_BY_LABEL} label and ${KUBE2IAM_SA_ANNOTATION} annotation): ${workloadId(w)} needs a service account of its own`
        : other
          ? `${id} cannot be reused: ${workloadId(other)} runs as it and does not ask for ${roleNameOf(m.roleArn)}, so it would gain the role`
          : undefined;
    return {
      ...m,
      serviceAccount: name,
      dedicated: true,
      ...(refusal ? { refusal } : {}),
    };
  });
}

/**
 * The moves whose role exists at exactly the ARN the daemon resolved (path and case included):
 * IAM's GetRole finds a role by name alone, while STS assumes (and trusts name) it by its whole
 * ARN, so a role of that name elsewhere (`role/app-../db-admin` is not `role/db-admin`) is not the
 * one asked for: the daemon could not hand it out, and it is listed, not migrated.
 */
export function bindMoves<R extends { arn: string }>(
  moves: Move[],
  roleNamed: (arn: string) => R | undefined,
): { bound: Array<Move & { role: R }>; missing: string[] } {
  const bound: Array<Move & { role: R }> = [];
  const missing: string[] = [];
  for (const m of moves) {
    const role = roleNamed(m.roleArn);
    if (role && role.arn === m.roleArn) bound.push({ ...m, role });
    else
      missing.push(
        `${workloadId(m.workload)} asks for ${m.roleArn}, which does not exist${role ? ` (the role named ${roleNameOf(m.roleArn)} is ${role.arn})` : ''}: not migrated (the daemon cannot hand it out either)`,
      );
  }
  return { bound, missing };
}

/** How many workloads a warning names before it counts the rest. */
const NAMED = 10;

/** Workloads as a warning names them: the top-level ones first, then the pods they made. */
export function nameWorkloads(workloads: Workload[]): string {
  const sorted = [...workloads].sort((a, b) => Number(isTopLevel(b)) - Number(isTopLevel(a)));
  const named = sorted.slice(0, NAMED).map(workloadId).join(', ');
  return sorted.length > NAMED ? `${named} and ${sorted.length - NAMED} more` : named;
}

/**
 * Every pod or template that asks the daemon for a role (its annotation), split by what the daemon
 * answers today: `granted` with the role it hands out, `refused` by the namespace restrictions.
 */
export function daemonRequests(
  config: DaemonConfig,
  workloads: Workload[],
  namespaces: Record<string, Record<string, string>>,
): { granted: Array<{ w: Workload; arn: string }>; refused: Workload[] } {
  const granted: Array<{ w: Workload; arn: string }> = [];
  const refused: Workload[] = [];
  for (const w of workloads) {
    const asked = w.templateAnnotations[DAEMON_ROLE_ANNOTATION];
    if (asked === undefined) continue;
    const d = daemonDecision(config, asked, namespaces[w.namespace] ?? {});
    if (d.allowed) granted.push({ w, arn: d.roleArn });
    else refused.push(w);
  }
  return { granted, refused };
}

/**
 * What --cleanup says of the daemon itself: what still asks it for a role (by name), or that
 * nothing does; with namespace restrictions, the namespaces whose annotation still lets a new pod
 * ask it, so "can be uninstalled" is said only of the pods that exist.
 */
export function daemonVerdict(
  config: DaemonConfig,
  workloads: Workload[],
  namespaces: Record<string, Record<string, string>>,
): Warning {
  const daemon = config.flavour === 'kiam' ? 'the kiam agent and server' : 'the kube2iam DaemonSet';
  const requests = daemonRequests(config, workloads, namespaces);
  const granted = requests.granted.map((g) => g.w);
  const { refused } = requests;
  const refusedNote = refused.length
    ? `; ${refused.length} more carry ${DAEMON_ROLE_ANNOTATION} but are refused by the namespace restrictions (${nameWorkloads(refused)})`
    : '';
  const defaultRole = config.flavour === 'kube2iam' && config.defaultRole;
  if (granted.length || defaultRole) {
    const who = granted.length
      ? `${granted.length} pod(s) or template(s) ask it for a role: ${nameWorkloads(granted)}`
      : 'no pod asks it for a role by annotation';
    return coded(
      'IRSA-W036',
      `${config.flavour} is still needed: ${who}${defaultRole ? `; pods without the annotation get kube2iam's default role` : ''}${refusedNote}`,
    );
  }
  const restricted = config.flavour === 'kiam' || config.namespaceRestrictions;
  const key =
    config.flavour === 'kiam' ? KIAM_PERMITTED_ANNOTATION : KUBE2IAM_ALLOWED_ROLES_ANNOTATION;
  const open = restricted
    ? Object.keys(namespaces)
        .filter((ns) => namespaces[ns]?.[key])
        .sort()
    : [];
  // Refused asks get no role: said as such, not as "more" after "no pod asks".
  const uninstall = refused.length
    ? `no pod or workload gets a role from ${config.flavour} any more (${refused.length} carry ${DAEMON_ROLE_ANNOTATION} but are refused by the namespace restrictions: ${nameWorkloads(refused)})`
    : `no pod or workload asks ${config.flavour} for a role any more`;
  if (!open.length) {
    return coded(
      'IRSA-W035',
      `${uninstall}: ${daemon} can be uninstalled (and the node role's sts:AssumeRole permission on these roles removed)`,
    );
  }
  return coded(
    'IRSA-W046',
    `${uninstall}, but namespace(s) ${open.join(', ')} still carry ${key}, so a new pod there may still ask it for a role: once none should, remove that annotation and uninstall ${daemon} (and the node role's sts:AssumeRole permission on these roles)`,
  );
}
