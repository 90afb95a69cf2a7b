// A cluster's Pod Identity associations in full. ListPodIdentityAssociations omits the role (and
// tags), so each listed association is described too, a few at a time: EKS throttles bursts.
import type { Warning } from '../engine/warning-kinds.js';
import type { PodIdentityAssociation } from '../../aws/eks.js';
import { optionalRead } from '../engine/optional-read.js';
import { findAssociation } from './plan-pod-identity.js';
import type { ClusterSession } from './cluster-session.js';
import { mapConcurrent } from '../engine/concurrency.js';

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
