// A cluster's Pod Identity associations in full. ListPodIdentityAssociations omits the role (and
// tags), so each listed association is described too, a few at a time: EKS throttles bursts.
import type { PodIdentityAssociation } from '../../aws/eks.js';
import { AuthError } from '../../errors.js';
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
 * The associations, or undefined with a warning when EKS refuses to list them: a reader (get,
 * doctor, audit) then shows what it can see instead of failing.
 */
export async function readAssociationsOrWarn(
  session: ClusterSession,
  filter: AssociationFilter = {},
): Promise<PodIdentityAssociation[] | undefined> {
  try {
    return await readAssociations(session, filter);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    session.warnings.push(
      `could not read the Pod Identity associations of cluster ${session.name} (${error.message}): Pod Identity bindings are not shown; grant eks:ListPodIdentityAssociations and eks:DescribePodIdentityAssociation`,
    );
    return undefined;
  }
}

export const associationKey = (namespace: string, name: string) => `${namespace}/${name}`;
