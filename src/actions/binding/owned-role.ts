// Finding iamsa's role for a binding by its ownership tags, not by its name: a binding made with
// roleName: (a file) or --role-name has a role of any name. The default names are read first
// (one GetRole each); only when neither is iamsa's for the binding is every role of the account
// read (GetAccountAuthorizationDetails, which returns the tags).
import type { Role } from '../../aws/iam.js';
import type { ClusterInfo } from '../../aws/eks.js';
import {
  defaultRoleName,
  iamsaIrsaTarget,
  parseArn,
  parseTrustPolicy,
  podIdentityRoleIsBindings,
  roleOwner,
  sharedRoleName,
  tagsNameBinding,
  trustAdmitsPodIdentity,
  trustIsWhollyBindings,
} from '../../policy/index.js';
import { clusterAssociations } from './pod-identity-associations.js';
import { AuthError } from '../../errors.js';
import { coded, type Warning } from '../engine/warning-kinds.js';
import { clusterOidc, type ClusterOidc } from './cluster-oidc.js';
import type { ClusterSession } from './cluster-session.js';

export interface BindingRef {
  clusterArn: string;
  cluster: string;
  namespace: string;
  name: string;
}

/** Whether these tags say iamsa made the role for this binding (its own or a shared one). */
export const ownsBinding: (tags: Record<string, string>, b: BindingRef) => boolean =
  tagsNameBinding;

/**
 * Whether a role's trust is wholly one iamsa writes for the binding (trustIsWhollyBindings): every
 * statement iamsa's, this cluster's among them, none on a provider no recorded cluster has. The
 * providers of the other clusters a shared role's tags record are read (DescribeCluster of each
 * ARN) only when a statement names a provider other than this cluster's; a cluster that cannot be
 * read is said in `warnings`, and its statement stays unexplained (the role is then not iamsa's).
 */
export async function hasBindingTrust(
  session: ClusterSession,
  role: Role,
  b: BindingRef,
  warnings: Warning[],
): Promise<boolean> {
  let doc;
  try {
    doc = parseTrustPolicy(role.trustPolicy, `the trust policy of role ${role.name}`);
  } catch {
    return false;
  }
  const [cluster, oidc] = await Promise.all([
    session.cluster(),
    session.oidc().catch(() => ({ providerArn: '' }) as ClusterOidc),
  ]);
  const elsewhere = doc.Statement.some((s) => {
    const irsa = iamsaIrsaTarget(s, b, cluster.accountId);
    return irsa !== undefined && irsa.providerArn !== oidc.providerArn;
  });
  const others = (roleOwner(role.tags).clusterArns ?? []).filter((a) => a !== cluster.arn);
  const recorded =
    elsewhere && others.length
      ? await recordedProviders(session, role, others, warnings)
      : new Set<string>();
  return trustIsWhollyBindings(doc, role.tags, b, cluster.accountId, oidc.providerArn, recorded);
}

/**
 * hasBindingTrust for a role of this cluster alone (no other cluster recorded, so nothing to
 * read): every statement iamsa's for the binding, this cluster's among them.
 */
export function hasOwnClusterTrust(
  role: Role,
  b: BindingRef,
  cluster: ClusterInfo,
  oidc: Pick<ClusterOidc, 'providerArn'>,
): boolean {
  try {
    const doc = parseTrustPolicy(role.trustPolicy, `the trust policy of role ${role.name}`);
    return trustIsWhollyBindings(doc, role.tags, b, cluster.accountId, oidc.providerArn, new Set());
  } catch {
    return false;
  }
}

/**
 * The one ownership rule for deleting a role, on every path (IRSA, Pod Identity, a migrated
 * binding, --prune): its tags name the binding (`tagged`: the path's own test, by default
 * ownsBinding) AND its whole trust is iamsa's for it (hasBindingTrust). What could not be read
 * for that goes to `warnings` (or the reporter). A role whose tags name the
 * binding but whose trust is not iamsa's is `foreign`: kept, with IRSA-W048 (foreignTrustWarning).
 */
export async function judgeRoleForDeletion(
  session: ClusterSession,
  role: Role | undefined,
  b: BindingRef,
  tagged: (tags: Record<string, string>) => boolean = (tags) => ownsBinding(tags, b),
  warnings?: Warning[],
): Promise<{ owned?: Role; foreign?: Role }> {
  if (!role || !tagged(role.tags)) return {};
  const said: Warning[] = [];
  const whole =
    (await hasBindingTrust(session, role, b, said)) &&
    // Rule 4: a Pod Identity role is the binding's only through iamsa's association for it.
    (!trustAdmitsPodIdentity(role) ||
      podIdentityRoleIsBindings(role.arn, b, await readableAssociations(session, role, b)));
  if (warnings) warnings.push(...said);
  else said.forEach((w) => session.reporter.warn(w));
  return whole ? { owned: role } : { foreign: role };
}

/** Every association of the cluster; a deletion that needs them and cannot read them stops. */
async function readableAssociations(session: ClusterSession, role: Role, b: BindingRef) {
  const all = await clusterAssociations(session);
  if (all) return all;
  throw new AuthError(
    `role ${role.name} may be iamsa's Pod Identity role for ${b.namespace}/${b.name}, but eks:ListPodIdentityAssociations could not be read, so which associations use it is unknown: nothing is deleted, lest an association be left naming a deleted role`,
    {
      hint: 'grant eks:ListPodIdentityAssociations and eks:DescribePodIdentityAssociation, then re-run',
    },
  );
}

/**
 * The OIDC providers of clusters a shared role's tags record, from their ARNs (one DescribeCluster
 * each, in the cluster's region). A cluster that cannot be read (denied, gone, another account or
 * partition) has none, with a warning naming it.
 */
export async function recordedProviders(
  session: ClusterSession,
  role: Role,
  clusterArns: string[],
  warnings: Warning[],
): Promise<Set<string>> {
  const found = await Promise.all(
    clusterArns.map(async (arn) => {
      const where = parseArn(arn);
      const name = where?.resource.replace(/^cluster\//, '');
      const cluster = await session.cluster();
      const mine =
        where?.service === 'eks' &&
        where.partition === cluster.partition &&
        where.accountId === cluster.accountId;
      const eks = mine && name ? session.eksIn(where.region) : undefined;
      const why = (reason: string) =>
        warnings.push(
          coded(
            'IRSA-W054',
            `could not read cluster ${arn}, which role ${role.name} records (${reason}): a trust statement for it is not recognised as iamsa's`,
          ),
        );
      if (!eks || !name) return void why('not a cluster of this account iamsa can read');
      try {
        const described = await session.reporter.progress(`Reading cluster ${arn}`, () =>
          eks.describeCluster(name),
        );
        // A cluster of that name made again since is another cluster.
        if (described.arn !== arn) return void why(`it is now ${described.arn}`);
        return clusterOidc(described).providerArn;
      } catch (error) {
        return void why((error as Error).message);
      }
    }),
  );
  return new Set(found.filter((p): p is string => p !== undefined));
}
/** The warning for a role found by its tags alone whose trust is not iamsa's. */
export const foreignTrustWarning = (
  role: Role,
  b: BindingRef,
  keptServiceAccount = false,
): Warning =>
  coded(
    'IRSA-W048',
    `role ${role.name} carries iamsa's tags for ${b.namespace}/${b.name} but its trust is not iamsa's: not deleted${keptServiceAccount ? `, and service account ${b.namespace}/${b.name} is kept with it (its label is anyone's to copy; delete it by hand if it is yours to delete)` : ''}`,
  );

/**
 * iamsa's role for the binding: by its default names, else by the tags of every role (the first
 * by name when a hand edit left several). `known` are roles already read (skipped by name). A
 * role found by its tags alone counts only with iamsa's trust for the binding (hasBindingTrust);
 * the others are passed to `onForeign`.
 */
export async function findOwnedRole(
  session: ClusterSession,
  b: BindingRef,
  known: Array<Role | undefined> = [],
  onForeign: (w: Warning) => void = (w) => session.reporter.warn(w),
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
  const tagged = all.filter(owned).sort((x, y) => x.name.localeCompare(y.name));
  if (!tagged.length) return undefined;
  const unchecked: Warning[] = [];
  const verdicts = await Promise.all(tagged.map((r) => hasBindingTrust(session, r, b, unchecked)));
  const trusted = tagged.find((_, i) => verdicts[i]);
  if (!trusted) {
    unchecked.forEach(onForeign);
    tagged.forEach((r) => onForeign(foreignTrustWarning(r, b)));
  }
  return trusted;
}
