// Checks every input of create-serviceaccount before the first call, so bad input never leaves
// anything half-made. Returns the input in the shape the planners use.
import { ValidationError } from '../errors.js';
import { readInputFile } from '../input-file.js';
import { readCaFile } from '../kube/ca-file.js';
import type { KubeAccess } from '../kube/connection.js';
import {
  defaultRoleName,
  MAX_MANAGED_POLICIES_PER_ROLE,
  mergeTags,
  type PolicyDocument,
  type RoleArnParts,
  parsePolicyJson,
  parseTags,
  roleOwnershipTags,
  validateClusterName,
  validateNamespace,
  validatePermissionsBoundaryArn,
  validatePolicyArn,
  validateRoleArn,
  validateRoleName,
  validateRolePath,
  validateServiceAccountName,
} from '../policy/index.js';

export interface CreateServiceAccountInput {
  cluster: string;
  namespace: string;
  name: string;
  policyArns: string[];
  policyFile?: string;
  attachRoleArn?: string;
  roleName?: string;
  rolePath?: string;
  permissionsBoundary?: string;
  /** `k=v,k2=v2` strings as given on the command line. */
  tags: string[];
  kube: KubeAccess;
  roleOnly: boolean;
  overrideExisting: boolean;
  createNamespace: boolean;
}

export interface CheckedInput extends Omit<CreateServiceAccountInput, 'tags'> {
  roleName: string;
  rolePath: string;
  /** The path was asked for (even `/`), so an existing role elsewhere is a conflict. */
  rolePathGiven: boolean;
  inlinePolicy?: PolicyDocument;
  /** --tags, checked; planRole adds the ownership tags once the cluster ARN is known. */
  userTags: Record<string, string>;
  /** --attach-role-arn, as given and parsed. */
  attachRole?: AttachedRole;
}

export type AttachedRole = RoleArnParts & { arn: string };

/** Answers given so far: the flags the wizard starts from, before it asks for the rest. */
export type GivenInput = Partial<Omit<CreateServiceAccountInput, 'kube'>> & { kube: KubeAccess };

/**
 * Checks every value that is given, so the wizard refuses a bad flag before its first question
 * and the flags path before its first call. Returns the parsed forms.
 */
export function checkGiven(input: GivenInput) {
  if (input.cluster !== undefined) validateClusterName(input.cluster);
  if (input.namespace !== undefined) validateNamespace(input.namespace);
  if (input.name !== undefined) validateServiceAccountName(input.name);
  if (input.roleOnly) checkRoleOnly(input);
  else checkKubeAccess(input.kube);
  const tags = parseTags(input.tags ?? []);
  const policyArns = [...new Set(input.policyArns ?? [])];
  policyArns.forEach((arn) => validatePolicyArn(arn, '--attach-policy-arn'));
  if (policyArns.length > MAX_MANAGED_POLICIES_PER_ROLE) {
    throw new ValidationError(
      `${policyArns.length} --attach-policy-arn given; IAM attaches at most ${MAX_MANAGED_POLICIES_PER_ROLE} managed policies to a role`,
      { hint: 'combine permissions into fewer policies, or put them in --attach-policy FILE' },
    );
  }
  // `!== undefined`, not truthiness: an empty value (an unset variable in CI) must not vanish.
  if (input.permissionsBoundary !== undefined) {
    validatePermissionsBoundaryArn(input.permissionsBoundary);
  }
  if (input.attachRoleArn !== undefined) {
    const conflicting = [
      policyArns.length && '--attach-policy-arn',
      input.policyFile !== undefined && '--attach-policy',
      input.roleName !== undefined && '--role-name',
      input.rolePath !== undefined && '--role-path',
      input.permissionsBoundary !== undefined && '--permissions-boundary',
      input.tags?.length && '--tags',
    ].filter(Boolean);
    if (conflicting.length) {
      throw new ValidationError(
        `--attach-role-arn uses an existing role as it is; it cannot be combined with ${conflicting.join(', ')}`,
        {
          hint: 'drop those flags, or drop --attach-role-arn to let iamsa create and manage the role',
        },
      );
    }
  }
  const arn = input.attachRoleArn;
  const attachRole: AttachedRole | undefined =
    arn !== undefined ? { ...validateRoleArn(arn, '--attach-role-arn'), arn } : undefined;
  if (input.roleName !== undefined) validateRoleName(input.roleName);
  if (input.rolePath !== undefined) validateRolePath(input.rolePath);
  const inlinePolicy =
    input.policyFile !== undefined ? loadPolicyFile(input.policyFile) : undefined;
  return { tags, policyArns, inlinePolicy, attachRole };
}

export function checkInput(input: CreateServiceAccountInput): CheckedInput {
  const { tags, policyArns, inlinePolicy, attachRole } = checkGiven(input);
  if (attachRole) {
    const { roleName, path } = attachRole;
    return {
      ...input,
      policyArns,
      roleName,
      rolePath: path,
      rolePathGiven: true,
      userTags: {},
      attachRole,
    };
  }
  if (!policyArns.length && !inlinePolicy) {
    throw new ValidationError('no permissions given: the role would grant nothing', {
      hint: 'pass --attach-policy-arn ARN (repeatable), --attach-policy FILE, or --attach-role-arn ARN',
    });
  }
  const roleName = input.roleName ?? defaultRoleName(input.cluster, input.namespace, input.name);
  const rolePath = input.rolePath ?? '/';
  // The cluster ARN comes with DescribeCluster; checking the count with a stand-in is exact.
  mergeTags(tags, roleOwnershipTags(input.cluster, input.namespace, input.name, 'arn'));
  const rolePathGiven = input.rolePath !== undefined;
  return { ...input, policyArns, roleName, rolePath, rolePathGiven, inlinePolicy, userTags: tags };
}

/** Reads and validates an --attach-policy file (small, so read synchronously: prompts validate with it too). */
export function loadPolicyFile(file: string): PolicyDocument {
  const text = readInputFile(
    file,
    '--attach-policy',
    'pass the path of a JSON IAM policy document',
  );
  return parsePolicyJson(text, `--attach-policy file ${file}`);
}

/**
 * --role-only makes no Kubernetes call, so flags that only steer Kubernetes writes are mistakes,
 * not no-ops. Connection flags are let through: scripts often pass one set to every run.
 */
function checkRoleOnly(input: GivenInput): void {
  const conflicting = [
    input.createNamespace && '--create-namespace',
    input.overrideExisting && '--override-existing-serviceaccounts',
    input.attachRoleArn !== undefined && '--attach-role-arn',
  ].filter(Boolean);
  if (conflicting.length) {
    throw new ValidationError(
      `--role-only only makes the IAM role (and --attach-role-arn would leave nothing to do); it cannot be combined with ${conflicting.join(', ')}`,
      { hint: 'drop those flags, or drop --role-only' },
    );
  }
}

function checkKubeAccess(access: KubeAccess): void {
  if (access.mode === 'eks' && access.server !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(access.server);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') {
      throw new ValidationError(
        `invalid --kube-server "${access.server}": must be an https:// URL`,
        {
          hint: 'for example --kube-server https://127.0.0.1:8443',
        },
      );
    }
  }
  if (access.mode === 'eks' && access.caFile !== undefined && access.server === undefined) {
    throw new ValidationError('--kube-ca-file goes with --kube-server', {
      hint: 'the cluster endpoint is verified with the CA that EKS reports',
    });
  }
  if (access.mode === 'eks' && access.caFile !== undefined) readCaFile(access.caFile);
}
