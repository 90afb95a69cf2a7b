// A cluster's Pod Identity associations in full. ListPodIdentityAssociations omits the role (and
// tags), so each listed association is described too, a few at a time: EKS throttles bursts.
import type { Warning } from '../engine/warning-kinds.js';
import type { EksGateway, PodIdentityAssociation } from '../../aws/eks.js';
import { isManagedByIamsa, roleNameOf, sameRoleArn } from '../../policy/index.js';
import { optionalRead } from '../engine/optional-read.js';
import { coded } from '../engine/warning-kinds.js';
import type { ClusterSession } from './cluster-session.js';
import { mapConcurrent } from '../engine/concurrency.js';

/** The association of one service account (there is at most one), described. */
export async function findAssociation(
  eks: EksGateway,
  cluster: string,
  namespace: string,
  serviceAccount: string,
): Promise<PodIdentityAssociation | undefined> {
  const [summary] = await eks.listPodIdentityAssociations(cluster, { namespace, serviceAccount });
  return summary ? eks.describePodIdentityAssociation(cluster, summary.id) : undefined;
}

/** DescribePodIdentityAssociation calls in flight at once. */
export const DESCRIBE_CONCURRENCY = 8;

export interface AssociationFilter {
  namespace?: string;
  serviceAccount?: string;
}

/** Every association of the cluster matching the filter, described (gone meanwhile: left out). */
export async function readAssociations(
  session: ClusterSession,
  filter: AssociationFilter = {},
): Promise<PodIdentityAssociation[]> {
  const { eks, reporter, name } = session;
  // EKS filters by service account only together with a namespace.
  const query = filter.namespace !== undefined ? filter : {};
  const listed = await reporter.progress(
    `Listing the Pod Identity associations of cluster ${name}`,
    () => eks.listPodIdentityAssociations(name, query),
  );
  const wanted = listed.filter(
    (a) => filter.serviceAccount === undefined || a.serviceAccount === filter.serviceAccount,
  );
  const described = await mapConcurrent(wanted, DESCRIBE_CONCURRENCY, (a) =>
    eks.describePodIdentityAssociation(name, a.id),
  );
  return described.filter((a): a is PodIdentityAssociation => a !== undefined);
}

/**
 * The associations, or undefined with a warning when EKS lacks or refuses the API: a reader (get,
 * doctor, audit) then shows what it can see instead of failing.
 */
export function readAssociationsOrWarn(
  session: ClusterSession,
  filter: AssociationFilter = {},
): Promise<PodIdentityAssociation[] | undefined> {
  return optionalRead(
    session.warnings,
    {
      call: 'eks:ListPodIdentityAssociations',
      unchecked: `the Pod Identity associations of cluster ${session.name} (Pod Identity bindings are not shown)`,
    },
    () => readAssociations(session, filter),
  );
}

/**
 * The one association of a service account when iamsa only looks to see which mechanism a binding
 * uses (update or delete without --mechanism, --prune): undefined with a warning when EKS lacks or
 * refuses the API, so IRSA bindings are still handled.
 */
export function findAssociationOrWarn(
  session: ClusterSession,
  namespace: string,
  name: string,
  warnings: Warning[] = session.warnings,
): Promise<PodIdentityAssociation | undefined> {
  return optionalRead(
    warnings,
    {
      call: 'eks:ListPodIdentityAssociations',
      unchecked: `whether ${namespace}/${name} has a Pod Identity association (handled as IRSA)`,
    },
    () => findAssociation(session.eks, session.name, namespace, name),
  );
}

export const associationKey = (namespace: string, name: string) => `${namespace}/${name}`;

/** Every association of a cluster, read once per session (a file's bindings share it). */
const allOf = new WeakMap<ClusterSession, Promise<PodIdentityAssociation[] | undefined>>();

/**
 * The associations that hand this role to a service account other than the binding's: made
 * outside iamsa, or by iamsa for another binding. Undefined reads (API missing or denied) are a
 * warning of the session and no association.
 */
/** Every association of the cluster, described, read once per session; undefined when unread. */
export function clusterAssociations(
  session: ClusterSession,
): Promise<PodIdentityAssociation[] | undefined> {
  let all = allOf.get(session);
  if (!all) {
    all = optionalRead(
      session.warnings,
      {
        call: 'eks:ListPodIdentityAssociations',
        unchecked: `which other associations of cluster ${session.name} use iamsa's roles`,
      },
      () => readAssociations(session),
    );
    allOf.set(session, all);
  }
  return all;
}

/** Of `all`, those handing this role to a service account other than namespace/name. */
export const otherUsers = (
  all: readonly PodIdentityAssociation[],
  roleArn: string,
  namespace: string,
  name: string,
): PodIdentityAssociation[] =>
  all.filter(
    (a) =>
      sameRoleArn(a.roleArn, roleArn) && !(a.namespace === namespace && a.serviceAccount === name),
  );

export async function handedOut(
  session: ClusterSession,
  roleArn: string,
  namespace: string,
  name: string,
): Promise<PodIdentityAssociation[]> {
  return otherUsers((await clusterAssociations(session)) ?? [], roleArn, namespace, name);
}

/** IRSA-W006: what the association does, whose it is, and the command that removes it. */
export function handedOutWarning(
  session: ClusterSession,
  a: PodIdentityAssociation,
  roleArn: string,
  binding: { namespace: string; name: string },
): Warning {
  const whose = a.ownerArn
    ? `made by the EKS add-on ${a.ownerArn}`
    : isManagedByIamsa(a.tags)
      ? `tagged as iamsa's for ${a.namespace}/${a.serviceAccount}, not for this binding`
      : 'not made by iamsa';
  return coded(
    'IRSA-W006',
    `association ${a.id} hands role ${roleNameOf(roleArn)} (iamsa's role for ${binding.namespace}/${binding.name}) to ${a.namespace}/${a.serviceAccount} of cluster ${session.name}; it is ${whose}, so iamsa leaves it: remove it with aws eks delete-pod-identity-association --cluster-name ${session.name} --region ${session.region} --association-id ${a.id}`,
  );
}
