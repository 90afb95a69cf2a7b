// A binding moved between one cluster (`cluster:`) and several (`clusters:`) changes its default
// role (iamsa-<cluster>-<ns>-<name> <-> iamsa-shared-<ns>-<name>). The old role would stay behind,
// still trusting the service account and holding its policies: it is named in the plan, and with
// --prune planned for deletion (its service accounts are re-pointed by the new binding).
import type { RoleSummary } from '../../aws/iam.js';
import {
  defaultRoleName,
  isOwnedRoleFor,
  isOwnedSharedRoleFor,
  sharedRoleName,
} from '../../policy/index.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { ApplyInput, ClusterRef } from './apply-input.js';
import { bindingKey } from '../binding/spec.js';
import type { ClusterSession } from '../binding/cluster-session.js';
import { type DeleteTarget, planDeleteBinding } from '../binding/delete/dispatch.js';
import type { Deletion } from './shared-leaves.js';

export interface MovedPlan {
  deletions: Deletion[];
  warnings: Warning[];
}

/** The role names the file's bindings resolve to (their current roles, kept). */
function fileRoleNames(input: ApplyInput): Set<string> {
  const names = new Set<string>();
  for (const b of input.bindings) {
    const { namespace, name } = b.spec;
    if (b.spec.attachRoleArn !== undefined) continue;
    if (b.spec.roleName !== undefined) names.add(b.spec.roleName.toLowerCase());
    else if (b.clusters.length > 1) names.add(sharedRoleName(namespace, name).toLowerCase());
    else
      for (const c of b.clusters) names.add(defaultRoleName(c.name, namespace, name).toLowerCase());
  }
  return names;
}

export async function planMoved(
  input: ApplyInput,
  sessionOf: (ref: ClusterRef) => ClusterSession,
  /** The account's roles, listed once for the run. */
  listRoles: () => Promise<RoleSummary[]>,
): Promise<MovedPlan> {
  const kept = fileRoleNames(input);
  const candidates: Array<{
    session: ClusterSession;
    roleName: string;
    shared: boolean;
    key: string;
    /** The clusters the file now names for the binding. */
    to: string[];
  }> = [];
  const seen = new Set<string>();
  for (const b of input.bindings) {
    if (b.spec.attachRoleArn !== undefined || b.spec.roleName !== undefined) continue;
    const { namespace, name } = b.spec;
    for (const c of b.clusters) {
      const roleName =
        b.clusters.length > 1
          ? defaultRoleName(c.name, namespace, name)
          : sharedRoleName(namespace, name);
      if (kept.has(roleName.toLowerCase()) || seen.has(roleName.toLowerCase())) continue;
      seen.add(roleName.toLowerCase());
      const key = bindingKey(b.spec);
      candidates.push({
        session: sessionOf(c),
        roleName,
        shared: b.clusters.length === 1,
        key,
        to: b.clusters.map((x) => x.name),
      });
    }
  }
  const first = candidates[0];
  if (!first) return { deletions: [], warnings: [] };
  // IAM is global: one listing of the account's roles says which old names exist at all, so a
  // file of a hundred bindings costs a few calls, not a hundred GetRole.
  let existing: Set<string>;
  try {
    const roles = await listRoles();
    existing = new Set(roles.map((r) => r.name.toLowerCase()));
  } catch {
    return {
      deletions: [],
      warnings: [
        coded(
          'IRSA-W023',
          'could not list IAM roles to find the old roles of bindings moved between one cluster and several',
        ),
      ],
    };
  }
  const found = await Promise.all(
    candidates.map(async (c) => {
      if (!existing.has(c.roleName.toLowerCase())) return undefined;
      try {
        const [role, cluster] = await Promise.all([
          c.session.iam.getRole(c.roleName),
          c.session.cluster(),
        ]);
        if (!role) return undefined;
        const [namespace, name] = c.key.split('/') as [string, string];
        // Only iamsa's role for this very binding on this cluster.
        const owned = c.shared
          ? isOwnedSharedRoleFor(role.tags, [cluster.arn], namespace, name)
          : isOwnedRoleFor(role.tags, cluster.arn, namespace, name);
        return owned ? { ...c, namespace, name } : undefined;
      } catch {
        // A cluster that cannot be described fails its own bindings; nothing to add here.
        return undefined;
      }
    }),
  );
  const moved = found.filter((f) => f !== undefined);
  // Precisely what is left, where, and what --prune does to it (a shared role only loses the
  // cluster: others may still use it).
  const warnings = moved.map((m) => {
    const c = m.session.name;
    const what = m.shared
      ? `role ${m.roleName} is left from before ${m.key} moved from several clusters to cluster ${c} alone: it still trusts ${m.key} of ${c} (and of the other clusters in its iamsa.io/clusters tag) and holds its policies`
      : `role ${m.roleName} is left from before ${m.key} moved from cluster ${c} alone to clusters ${m.to.join(', ')}: it still trusts ${m.key} of ${c} and holds its policies`;
    const prune = m.shared
      ? `take cluster ${c} out of it (the role is deleted when no cluster is left)`
      : 'delete it';
    return coded(
      'IRSA-W003',
      `${what}; ${input.prune ? `--prune will ${prune}` : `re-run apply with --prune to ${prune}`}`,
    );
  });
  const deletions = input.prune
    ? await Promise.all(
        moved.map(async (m) => {
          const target: DeleteTarget = {
            cluster: m.session.name,
            namespace: m.namespace,
            name: m.name,
            roleName: m.roleName,
            // The service account stays: the new binding re-points it.
            roleOnly: true,
            keepServiceAccount: false,
            mechanism: 'irsa',
            source: { where: `--prune: ${m.key}'s old role (the binding moved)`, labels: {} },
          };
          return { plan: await planDeleteBinding(m.session, target), session: m.session, target };
        }),
      )
    : [];
  return { deletions, warnings };
}
