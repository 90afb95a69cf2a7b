// What a delete names: one binding of one cluster, checked before any call.
import { ValidationError } from '../../../errors.js';
import {
  validateClusterName,
  validateMechanism,
  validateNamespace,
  validateRoleName,
  validateServiceAccountName,
} from '../../../policy/index.js';
import { labelOf, type Mechanism, type SpecSource } from '../spec.js';

export interface DeleteTarget {
  cluster: string;
  namespace: string;
  name: string;
  /** The role's name when the service account no longer names it (default: the derived name). */
  roleName?: string;
  /** Remove only iamsa's annotation, even from a service account iamsa created. */
  keepServiceAccount: boolean;
  /** The binding was made with --role-only: there is no service account to look at. */
  roleOnly: boolean;
  /** Default irsa; pod-identity deletes the association instead of the annotation. */
  mechanism?: Mechanism;
  source: SpecSource;
  /**
   * Other clusters that leave the same shared role in this run (apply --prune): their statements
   * and tags go in this one step, and the role is deleted when no cluster is left.
   */
  alsoLeaving?: Array<{ name: string; arn: string; providerArn: string }>;
  /** Another deletion of this run handles the role: only the service account is planned here. */
  roleHandledElsewhere?: boolean;
}

export function checkDeleteTarget(t: DeleteTarget): void {
  validateClusterName(t.cluster, labelOf(t, 'cluster'));
  validateNamespace(t.namespace, labelOf(t, 'namespace'));
  validateServiceAccountName(t.name, labelOf(t, 'name'));
  if (t.roleName !== undefined) validateRoleName(t.roleName, labelOf(t, 'roleName'));
  if (t.mechanism !== undefined) validateMechanism(t.mechanism, labelOf(t, 'mechanism'));
  if (t.roleOnly && t.keepServiceAccount) {
    throw new ValidationError(
      `${labelOf(t, 'roleOnly')} makes no Kubernetes call, so ${labelOf(t, 'keepServiceAccount')} would do nothing; drop one`,
    );
  }
  if (t.mechanism === 'pod-identity' && t.roleOnly) {
    throw new ValidationError(
      `${labelOf(t, 'roleOnly')} cannot be combined with ${labelOf(t, 'mechanism')} pod-identity: a Pod Identity binding has an association`,
    );
  }
}
