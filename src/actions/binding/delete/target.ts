// What a delete names: one binding of one cluster, checked before any call.
import { ValidationError } from '../../../errors.js';
import {
  MECHANISMS,
  validateClusterName,
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
}

export function checkDeleteTarget(t: DeleteTarget): void {
  validateClusterName(t.cluster, labelOf(t, 'cluster'));
  validateNamespace(t.namespace, labelOf(t, 'namespace'));
  validateServiceAccountName(t.name, labelOf(t, 'name'));
  if (t.roleName !== undefined) validateRoleName(t.roleName, labelOf(t, 'roleName'));
  if (t.mechanism !== undefined && !MECHANISMS.includes(t.mechanism)) {
    throw new ValidationError(
      `invalid ${labelOf(t, 'mechanism')} ${JSON.stringify(t.mechanism)}: expected ${MECHANISMS.join(' or ')}`,
    );
  }
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
