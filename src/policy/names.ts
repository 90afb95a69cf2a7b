// Constants and pure derivations of names and ARNs. The same inputs must always give the same names,
// so that a plan and its apply (or two runs on two machines) agree without asking AWS.
import { ValidationError } from '../errors.js';

/** Audience of the projected token and client id of the IAM OIDC provider. */
export const STS_AUDIENCE = 'sts.amazonaws.com';
/** The service account annotation the EKS pod identity webhook reads. */
export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
/** Set by iamsa next to the role ARN when the role was given (--attach-role-arn), not made. */
export const ATTACHED_ROLE_ANNOTATION = 'iamsa.io/attached-role';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'iamsa';

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

/**
 * The issuer URL without `https://` and trailing `/`: the form IAM uses in the provider ARN and in
 * the `<host path>:sub` / `<host path>:aud` condition keys.
 */
export function issuerHostPath(issuerUrl: string): string {
  const invalid = (why: string) =>
    new ValidationError(
      `invalid OIDC issuer URL ${JSON.stringify(issuerUrl)}: ${why} (expected like https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE)`,
    );
  if (!/^https:\/\//i.test(issuerUrl)) throw invalid('must be an https:// URL');
  if (/\s/.test(issuerUrl)) throw invalid('must not contain whitespace');
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    throw invalid('is not a well-formed URL');
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw invalid('must not carry a query, a fragment or credentials');
  }
  const hostPath = issuerUrl.slice('https://'.length).replace(/\/+$/, '');
  if (hostPath === '' || hostPath.startsWith('/')) throw invalid('has no host');
  return hostPath;
}

/** Splits `arn:partition:service:region:account:resource` (the resource may contain `:`). */
export function parseArn(arn: string): ArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (partition === '' || service === '' || resource === '') return undefined;
  return { partition, service, region, accountId, resource };
}

export function oidcProviderArn(partition: string, accountId: string, hostPath: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${hostPath}`;
}

/** `path` is `/` or `/a/b/`, so it sits directly between `role` and the name. */
export function roleArn(
  partition: string,
  accountId: string,
  path: string,
  roleName: string,
): string {
  return `arn:${partition}:iam::${accountId}:role${path}${roleName}`;
}

/** The role name of a role ARN: what follows its last `/` (the path comes before). */
export const roleNameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/**
 * Whether two role ARNs name the same role: IAM role names are unique ignoring case (and resolve
 * that way), while the partition, account and path must match exactly.
 */
export function sameRoleArn(a: string, b: string): boolean {
  const prefix = (arn: string) => arn.slice(0, arn.length - roleNameOf(arn).length);
  return prefix(a) === prefix(b) && roleNameOf(a).toLowerCase() === roleNameOf(b).toLowerCase();
}

/** The `sub` claim of a service account token: what the trust policy must match exactly. */
export function serviceAccountSubject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}
