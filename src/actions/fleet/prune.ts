// --prune: the bindings iamsa owns on a cluster that the file no longer lists, planned for
// deletion with the delete rules (annotation first, only what iamsa owns). iamsa's bindings are
// found by what marks them: the managed-by label on service accounts, and the ownership tags of
// the roles that trust the cluster's provider (role-only bindings have no service account).
import type { RoleSummary } from '../../aws/iam.js';
import {
  ATTACHED_ROLE_ANNOTATION,
  decodePolicyText,
  isKube2iamMigratedAccount,
  isOwnedRoleFor,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  parseArn,
  ROLE_ARN_ANNOTATION,
  roleNameOf,
  roleOwner,
  sameRoleArn,
} from '../../policy/index.js';
import { coded } from '../engine/warning-kinds.js';
import { bindingKey } from '../binding/spec.js';
import type { ClusterSession } from '../binding/cluster-session.js';
import { mapConcurrent } from '../engine/concurrency.js';
import { foreignTrustWarning, judgeRoleForDeletion, ownsBinding } from '../binding/owned-role.js';
import { asIamsaError } from '../engine/plan.js';
import { type DeleteTarget, planDeleteBinding } from '../binding/delete/dispatch.js';
import type { Deletion } from './shared-leaves.js';

interface Found {
  namespace: string;
  name: string;
  roleName?: string;
  hasServiceAccount: boolean;
}

/**
 * The deletions of bindings not in `keep` (namespace/name keys of the file's bindings for this
 * cluster). `roles` is the account's role list, read once for the run.
 */
export async function planPrune(
  session: ClusterSession,
  keep: Set<string>,
  roles: Promise<RoleSummary[]>,
  file: string,
): Promise<Deletion[]> {
  let found: Found[];
  try {
    found = await findOwned(session, roles);
  } catch (error) {
    // Without the list, pruning cannot be planned; the file's own bindings still are.
    return [
      {
        plan: {
          cluster: session.name,
          namespace: '*',
          name: '*',
          source: `--prune (bindings of ${session.name} not in ${file})`,
          steps: [],
          warnings: [],
          error: asIamsaError(error),
        },
      },
    ];
  }
  const gone = found.filter((f) => !keep.has(bindingKey(f)));
  return Promise.all(
    gone.map(async (f) => {
      const target: DeleteTarget = {
        cluster: session.name,
        namespace: f.namespace,
        name: f.name,
        ...(f.roleName ? { roleName: f.roleName } : {}),
        keepServiceAccount: false,
        roleOnly: !f.hasServiceAccount,
        // render-result.ts reads this prefix: the row says what is left to remove.
        source: { where: `--prune: not in ${file}`, labels: {} },
      };
      return { plan: await planDeleteBinding(session, target), session, target };
    }),
  );
}

async function findOwned(session: ClusterSession, roles: Promise<RoleSummary[]>) {
  const { reporter } = session;
  const [cluster, oidc, kube] = await Promise.all([
    session.cluster(),
    session.oidc(),
    session.kube(),
  ]);
  const [accounts, all] = await Promise.all([
    reporter.progress(`Listing service accounts of ${session.name}`, () =>
      kube.gateway.listServiceAccounts(),
    ),
    roles,
  ]);
  const found = new Map<string, Found>();
  // Only what iamsa made: a service account someone else annotated is never pruned. The label is
  // anyone's to copy, so an annotated one is iamsa's only when its role is tagged for it.
  const labelled = accounts.filter((sa) => sa.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE);
  const linked = await mapConcurrent(labelled, 4, async (sa) => {
    const annotated = sa.annotations[ROLE_ARN_ANNOTATION];
    const roleName =
      annotated && parseArn(annotated)?.accountId === cluster.accountId
        ? roleNameOf(annotated)
        : undefined;
    // Nothing but iamsa's own annotations goes with a role given (--attach-role-arn) or of another
    // account; an unannotated one goes only with a role or association tagged for it.
    const given = sa.annotations[ATTACHED_ROLE_ANNOTATION] === 'true';
    if (annotated === undefined || roleName === undefined || given) return { sa, roleName };
    const role = await session.iam.getRole(roleName);
    const ref = { clusterArn: cluster.arn, cluster: session.name, ...sa };
    if (role && sameRoleArn(annotated, role.arn) && ownsBinding(role.tags, ref)) {
      return { sa, roleName };
    }
    // Made by migrate-from-kube2iam: iamsa's, but no file's; --rollback undoes it, not prune.
    const migration = { providerArn: oidc.providerArn, issuerHostPath: oidc.hostPath };
    if (role && sameRoleArn(annotated, role.arn) && isKube2iamMigratedAccount(sa, role, migration))
      return undefined;
    reporter.warn(
      coded(
        'IRSA-W050',
        `service account ${sa.namespace}/${sa.name} carries iamsa's label but its annotation names role ${roleName}, which ${role ? 'iamsa did not make for it (its tags)' : 'does not exist'}: not pruned, it is left as it is`,
      ),
    );
    return undefined;
  });
  for (const l of linked) {
    if (l) found.set(bindingKey(l.sa), { ...l.sa, roleName: l.roleName, hasServiceAccount: true });
  }
  // Roles that trust this cluster's provider, then their tags (ListRoles carries none).
  const trusting = all.filter((r) => safeDecode(r.trustPolicy).includes(`"${oidc.providerArn}"`));
  const tagged = await mapConcurrent(trusting, 4, (r) => session.iam.getRole(r.name));
  for (const role of tagged) {
    if (!role) continue;
    const owner = roleOwner(role.tags);
    const { namespace, serviceAccount: name } = owner;
    // Shared roles lose a cluster's statement through the shared planner, never here.
    if (!namespace || !name || !isOwnedRoleFor(role.tags, cluster.arn, namespace, name)) continue;
    // Tags are anyone's to copy: a role whose trust iamsa never wrote is not pruned.
    const ref = { clusterArn: cluster.arn, cluster: session.name, namespace, name };
    const { foreign } = await judgeRoleForDeletion(session, role, ref);
    if (foreign) {
      reporter.warn(foreignTrustWarning(foreign, ref));
      continue;
    }
    const key = bindingKey({ namespace, name });
    const sa = found.get(key);
    found.set(key, {
      namespace,
      name,
      roleName: role.name,
      hasServiceAccount: sa?.hasServiceAccount ?? false,
    });
  }
  return [...found.values()];
}

const safeDecode = (text: string) => {
  try {
    return decodePolicyText(text, 'a trust policy');
  } catch {
    return text;
  }
};
