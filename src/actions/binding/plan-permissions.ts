// The role and what is attached to it, the same for both mechanisms (which differ in the trust):
// managed and inline policies, the boundary and tags, and the well-known policies.
import type { Warning } from '../engine/warning-kinds.js';
import type { ClusterInfo } from '../../aws/eks.js';
import { wellKnownKeys } from '../../policy/index.js';
import type { CheckedBinding } from './check.js';
import type { ClusterSession } from './cluster-session.js';
import { started } from '../engine/concurrency.js';
import { planRole, type RoleState, type RoleTrust } from './plan-role.js';
import {
  planWellKnown,
  readManagedPolicies,
  removedWellKnown,
  staleCandidates,
  wantedWellKnown,
  wellKnownContextFor,
} from './plan-well-known.js';

/**
 * The well-known documents need the cluster's partition and account; their policies are read
 * while the role is (and while `ready`, e.g. the OIDC provider lookup, settles).
 */
export async function planRoleAndPermissions(
  session: ClusterSession,
  input: CheckedBinding,
  cluster: ClusterInfo,
  how: {
    /** The role's name: the binding's, or where an update found it. */
    roleName: string;
    roleState: Promise<RoleState>;
    trust: RoleTrust;
    ready?: Promise<unknown>;
  },
) {
  const lookedUp: Warning[] = [];
  const ctx = await wellKnownContextFor(session.iam, input, cluster, lookedUp);
  const wanted = wantedWellKnown(input, cluster, how.roleName, ctx);
  wanted.warnings.unshift(...lookedUp);
  const wantedP = started(
    readManagedPolicies(
      session.iam,
      wanted.policies.map((p) => p.arn),
    ),
  );
  const [, roleState, policies] = await Promise.all([how.ready, how.roleState, wantedP]);
  // Keys asked for are converged whole (a policy split in two that now fits in one loses its
  // second part); keys an update removes go with their policies, and a file (declared) keeps
  // only the keys it lists.
  const removed = removedWellKnown(input, cluster);
  const keys = input.declared
    ? wellKnownKeys()
    : [...input.wellKnown.map((c) => c.policy.key), ...removed.keys];
  const stale = staleCandidates(input, cluster, wanted, roleState.attached, keys);
  for (const [arn, p] of await readManagedPolicies(session.iam, stale)) policies.set(arn, p);
  const wellKnown = planWellKnown(session.iam, input, cluster, wanted, {
    attached: roleState.attached,
    policies,
    stale,
  });
  const rolePlan = planRole(session.iam, input, roleState, cluster, {
    trust: how.trust,
    also: {
      managedArns: wanted.managedArns,
      ownArns: wellKnown.attachedArns,
      prunedArns: wellKnown.prunedArns,
      removedArns: removed.managedArns,
    },
  });
  return { rolePlan, wellKnown };
}
