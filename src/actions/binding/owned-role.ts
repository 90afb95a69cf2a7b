// Finding iamsa's role for a binding by its ownership tags, not by its name: a binding made with
// roleName: (a file) or --role-name has a role of any name. The default names are read first
// (one GetRole each); only when neither is iamsa's for the binding is every role of the account
// read (GetAccountAuthorizationDetails, which returns the tags).
import type { Role } from '../../aws/iam.js';
import {
  defaultRoleName,
  isOwnedRoleFor,
  isOwnedSharedRoleFor,
  sharedRoleName,
} from '../../policy/index.js';
import type { ClusterSession } from './cluster-session.js';

export interface BindingRef {
  clusterArn: string;
  cluster: string;
  namespace: string;
  name: string;
}

/** Whether these tags say iamsa made the role for this binding (its own or a shared one). */
export const ownsBinding = (tags: Record<string, string>, b: BindingRef): boolean =>
  isOwnedRoleFor(tags, b.clusterArn, b.namespace, b.name) ||
  isOwnedSharedRoleFor(tags, [b.clusterArn], b.namespace, b.name);

/**
 * iamsa's role for the binding: by its default names, else by the tags of every role (the first
 * by name when a hand edit left several). `known` are roles already read (skipped by name).
 */
export async function findOwnedRole(
  session: ClusterSession,
  b: BindingRef,
  known: Array<Role | undefined> = [],
): Promise<Role | undefined> {
  const owned = (r: Role | undefined): r is Role => !!r && ownsBinding(r.tags, b);
  const found = known.find(owned);
  if (found) return found;
  const read = new Set(known.flatMap((r) => (r ? [r.name.toLowerCase()] : [])));
  const names = [
    defaultRoleName(b.cluster, b.namespace, b.name),
    sharedRoleName(b.namespace, b.name),
  ];
  const byName = await Promise.all(
    names.filter((n) => !read.has(n.toLowerCase())).map((n) => session.iam.getRole(n)),
  );
  const named = byName.find(owned);
  if (named) return named;
  const all = await session.reporter.progress("Looking for iamsa's role by its tags", () =>
    session.iam.listRoleDetails(),
  );
  return all.filter(owned).sort((x, y) => x.name.localeCompare(y.name))[0];
}
