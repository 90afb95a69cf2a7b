// Checks every value of a binding spec before the first call, so bad input never leaves anything
// half-made. Errors name the field as the user wrote it (`--attach-policy-arn`, `bindings[3].tags`).
import { ValidationError } from '../../errors.js';
import {
  bindingRoleTags,
  checkWellKnown,
  type CheckedWellKnown,
  findWellKnown,
  unknownWellKnown,
  defaultRoleName,
  MAX_MANAGED_POLICIES_PER_ROLE,
  mergeTags,
  type RoleArnParts,
  TAG_PREFIX,
  validateClusterName,
  validateMechanism,
  validateNamespace,
  validatePermissionsBoundaryArn,
  validatePolicyArn,
  validateRoleArn,
  validateRoleName,
  validateRolePath,
  validateServiceAccountName,
  validateServiceAccountMetadata,
  validateTags,
} from '../../policy/index.js';
import {
  type BindingRemovals,
  type BindingSpec,
  labelOf,
  mechanismOf,
  scopeLabels,
} from './spec.js';

export type AttachedRole = RoleArnParts & { arn: string };

/**
 * A spec whose values are checked, with the role's name and path resolved. Made only by
 * checkBinding, at the boundary into the use cases; the planners take it as it is and never check
 * or rewrite it (readonly: the compiler holds that). What planning finds out (an update's role
 * found where the service account points, the mechanism an update detects) travels beside it.
 */
export interface CheckedBinding extends Readonly<Omit<BindingSpec, 'policyArns' | 'tags'>> {
  /** Without duplicates. */
  readonly policyArns: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly roleName: string;
  /** The name was asked for (else derived: an update may find the binding's role elsewhere). */
  readonly roleNameGiven: boolean;
  readonly rolePath: string;
  /** The path was asked for (even `/`), so an existing role elsewhere is a conflict. */
  readonly rolePathGiven: boolean;
  /** attachRoleArn, parsed. */
  readonly attachRole?: AttachedRole;
  /** wellKnownPolicies, checked (built into documents once the cluster is known). */
  readonly wellKnown: readonly CheckedWellKnown[];
}

/** The fields given so far: the wizard starts from these and asks for the rest. */
export type PartialSpec = Partial<Omit<BindingSpec, 'source'>> & Pick<BindingSpec, 'source'>;

/**
 * Checks every value that is given, so the wizard refuses a bad flag before its first question
 * and the flags path before its first call.
 */
export function checkGiven(spec: PartialSpec): {
  attachRole?: AttachedRole;
  wellKnown: CheckedWellKnown[];
} {
  const label = (field: Parameters<typeof labelOf>[1]) => labelOf(spec, field);
  if (spec.cluster !== undefined) validateClusterName(spec.cluster, label('cluster'));
  if (spec.namespace !== undefined) validateNamespace(spec.namespace, label('namespace'));
  if (spec.name !== undefined) validateServiceAccountName(spec.name, label('name'));
  checkMechanism(spec);
  if (spec.roleOnly) checkRoleOnly(spec);
  validateTags(spec.tags ?? {}, label('tags'));
  const policyArns = spec.policyArns ?? [];
  policyArns.forEach((arn) => validatePolicyArn(arn, label('policyArns')));
  if (new Set(policyArns).size > MAX_MANAGED_POLICIES_PER_ROLE) {
    throw new ValidationError(
      `${policyArns.length} ${label('policyArns')} given; IAM attaches at most ${MAX_MANAGED_POLICIES_PER_ROLE} managed policies to a role`,
      { hint: tooManyPoliciesHint(spec) },
    );
  }
  // `!== undefined`, not truthiness: an empty value (an unset variable in CI) must not vanish.
  const wellKnown = checkWellKnown(spec.wellKnownPolicies ?? {}, scopeLabels(spec));
  if (spec.permissionsBoundary !== undefined) {
    validatePermissionsBoundaryArn(spec.permissionsBoundary, label('permissionsBoundary'));
  }
  if (spec.attachRoleArn !== undefined) {
    const conflicting = [
      policyArns.length && label('policyArns'),
      spec.inlinePolicy !== undefined && label('inlinePolicy'),
      wellKnown.length && label('wellKnownPolicies'),
      spec.roleName !== undefined && label('roleName'),
      spec.rolePath !== undefined && label('rolePath'),
      spec.permissionsBoundary !== undefined && label('permissionsBoundary'),
      // Pod Identity puts the tags on the association (as eksctl does), not on the role.
      spec.mechanism !== 'pod-identity' && Object.keys(spec.tags ?? {}).length && label('tags'),
    ].filter(Boolean);
    if (conflicting.length) {
      throw new ValidationError(
        `${label('attachRoleArn')} uses an existing role as it is; it cannot be combined with ${conflicting.join(', ')}`,
        {
          hint: `drop those, or drop ${label('attachRoleArn')} to let iamsa create and manage the role`,
        },
      );
    }
  }
  const arn = spec.attachRoleArn;
  const attachRole =
    arn !== undefined ? { ...validateRoleArn(arn, label('attachRoleArn')), arn } : undefined;
  if (spec.roleName !== undefined) validateRoleName(spec.roleName, label('roleName'));
  if (spec.rolePath !== undefined) validateRolePath(spec.rolePath, label('rolePath'));
  if (spec.subjectPattern !== undefined) checkSubjectPattern(spec.subjectPattern, spec);
  if (spec.serviceAccountMetadata) {
    validateServiceAccountMetadata(spec.serviceAccountMetadata, {
      labels: label('labels'),
      annotations: label('annotations'),
    });
  }
  return { attachRole, wellKnown };
}

export function checkBinding(spec: BindingSpec): CheckedBinding {
  const { attachRole, wellKnown } = checkGiven(spec);
  if (spec.update) checkRemovals(spec, spec.update);
  const policyArns = [...new Set(spec.policyArns)];
  if (attachRole) {
    return {
      ...spec,
      policyArns,
      roleName: attachRole.roleName,
      roleNameGiven: true,
      rolePath: attachRole.path,
      rolePathGiven: true,
      tags: {},
      attachRole,
      wellKnown,
    };
  }
  if (!policyArns.length && !spec.inlinePolicy && !wellKnown.length && !spec.update) {
    throw new ValidationError(
      `no permissions given for ${spec.namespace}/${spec.name}: the role would grant nothing`,
      {
        hint: `give ${labelOf(spec, 'wellKnownPolicies')}, ${labelOf(spec, 'policyArns')}, ${labelOf(spec, 'inlinePolicy')} or ${labelOf(spec, 'attachRoleArn')}`,
      },
    );
  }
  const roleName = spec.roleName ?? defaultRoleName(spec.cluster, spec.namespace, spec.name);
  // The cluster ARN comes with DescribeCluster and the policies' fingerprint with the role's
  // state; checking the count with stand-ins is exact.
  mergeTags(
    spec.tags,
    bindingRoleTags(mechanismOf(spec), spec.cluster, spec.namespace, spec.name, 'arn', 'hash'),
  );
  return {
    ...spec,
    policyArns,
    roleName,
    roleNameGiven: spec.roleName !== undefined,
    rolePath: spec.rolePath ?? '/',
    rolePathGiven: spec.rolePath !== undefined,
    wellKnown,
  };
}

/** Service account name characters plus IAM's StringLike wildcards `*` and `?`. */
function checkSubjectPattern(pattern: string, spec: PartialSpec): void {
  if (/^[a-z0-9.*?-]{1,253}$/.test(pattern)) return;
  throw new ValidationError(
    `invalid ${labelOf(spec, 'subjectPattern')} ${JSON.stringify(pattern)}: must be a service account name with the wildcards * and ?, e.g. "app-*"`,
  );
}

export const tooManyPoliciesHint = (spec: Pick<BindingSpec, 'source'>) =>
  `combine permissions into fewer policies, or put them in ${labelOf(spec, 'inlinePolicy')}`;

/** A known mechanism, and Pod Identity's own fields only with it. */
function checkMechanism(spec: PartialSpec): void {
  const label = (field: Parameters<typeof labelOf>[1]) => labelOf(spec, field);
  if (spec.mechanism !== undefined) validateMechanism(spec.mechanism, label('mechanism'));
  if (mechanismOf(spec) === 'pod-identity') {
    if (spec.targetRoleArn !== undefined) {
      validateRoleArn(spec.targetRoleArn, label('targetRoleArn'));
    }
    if (spec.roleOnly) {
      throw new ValidationError(
        `${label('roleOnly')} makes no EKS or Kubernetes call, but a Pod Identity binding is an EKS association; it cannot be combined with ${label('mechanism')} pod-identity`,
        {
          hint: `drop ${label('roleOnly')}; the association needs no Kubernetes access, the service account does`,
        },
      );
    }
    return;
  }
  const podIdentityOnly = [
    spec.targetRoleArn !== undefined && label('targetRoleArn'),
    spec.disableSessionTags && label('disableSessionTags'),
  ].filter(Boolean);
  if (podIdentityOnly.length) {
    const one = podIdentityOnly.length === 1;
    throw new ValidationError(
      `${podIdentityOnly.join(' and ')} ${one ? 'applies' : 'apply'} only to Pod Identity bindings`,
      { hint: `add ${label('mechanism')} pod-identity, or drop ${one ? 'it' : 'them'}` },
    );
  }
}

/**
 * Role-only makes no Kubernetes call, so fields that only steer Kubernetes writes are mistakes,
 * not no-ops. Connection flags are let through: scripts often pass one set to every run.
 */
function checkRoleOnly(spec: PartialSpec): void {
  const conflicting = [
    spec.createNamespace && labelOf(spec, 'createNamespace'),
    spec.overrideExisting && labelOf(spec, 'overrideExisting'),
    spec.attachRoleArn !== undefined && labelOf(spec, 'attachRoleArn'),
  ].filter(Boolean);
  if (conflicting.length) {
    const roleOnly = labelOf(spec, 'roleOnly');
    // Only the flags given: with --attach-role-arn the role exists, so nothing would be left to do.
    const why =
      spec.attachRoleArn !== undefined
        ? `${roleOnly} only makes the IAM role, which ${labelOf(spec, 'attachRoleArn')} says exists: nothing would be left to do`
        : `${roleOnly} only makes the IAM role and makes no Kubernetes call`;
    throw new ValidationError(`${why}; it cannot be combined with ${conflicting.join(', ')}`, {
      hint: `drop ${conflicting.length > 1 ? 'those' : conflicting[0]}, or drop ${roleOnly}`,
    });
  }
}

/** An update asks for additions and removals; the same thing both ways is a mistake. */
function checkRemovals(spec: BindingSpec, removals: BindingRemovals): void {
  const label = (field: Parameters<typeof labelOf>[1]) => labelOf(spec, field);
  if (spec.attachRoleArn !== undefined) {
    throw new ValidationError(
      `${label('attachRoleArn')} cannot be updated: a role given that way is not iamsa's to change`,
      {
        hint: 'to bind another role, use create-serviceaccount with --override-existing-serviceaccounts',
      },
    );
  }
  removals.detachPolicyArns.forEach((arn) => validatePolicyArn(arn, label('detachPolicyArns')));
  const both = removals.detachPolicyArns.filter((arn) => spec.policyArns.includes(arn));
  const removedKeys = (removals.removeWellKnownPolicies ?? []).map((key) => {
    const policy = findWellKnown(key);
    if (!policy) {
      throw unknownWellKnown(key, label('removeWellKnownPolicies'));
    }
    return policy.key;
  });
  const given = Object.keys(spec.wellKnownPolicies ?? {}).map((k) => findWellKnown(k)?.key ?? k);
  const bothKeys = removedKeys.filter((k) => given.includes(k));
  const clashes = [
    both.length && `${label('policyArns')} and ${label('detachPolicyArns')} ${both.join(', ')}`,
    bothKeys.length &&
      `${label('wellKnownPolicies')} and ${label('removeWellKnownPolicies')} ${bothKeys.join(', ')}`,
    spec.inlinePolicy &&
      removals.removeInlinePolicy &&
      `${label('inlinePolicy')} and ${label('removeInlinePolicy')}`,
    spec.permissionsBoundary !== undefined &&
      removals.removePermissionsBoundary &&
      `${label('permissionsBoundary')} and ${label('removePermissionsBoundary')}`,
    ...removals.removeTags
      .filter((key) => key in spec.tags)
      .map((key) => `${label('tags')} ${key}=... and ${label('removeTags')} ${key}`),
  ].filter(Boolean);
  if (clashes.length) {
    throw new ValidationError(`asked to add and remove the same thing: ${clashes.join('; ')}`, {
      hint: 'keep one of each pair',
    });
  }
  for (const key of removals.removeTags) {
    if (key.toLowerCase().startsWith(TAG_PREFIX)) {
      throw new ValidationError(
        `${label('removeTags')} ${key}: keys starting with ${TAG_PREFIX} are iamsa's ownership tags and stay`,
      );
    }
  }
}
