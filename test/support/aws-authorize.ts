// IAM authorization of one request the way AWS performs it, for the front (aws-front.ts) to enforce
// a principal's identity policies: the action, the resource ARN the Service Authorization
// Reference gives that action (read from the request's parameters), and the authorizations that
// are not calls (iam:PassRole and eks:TagResource behind CreatePodIdentityAssociation). Evaluated
// with iamsa's identity-policy evaluator. moto cannot do this: it resolves an IAM request's
// resource to a role's ARN only when RoleName names an existing role, and to `*` otherwise (so a
// policy scoped to `role/iamsa-*` is denied CreateRole), and it names EKS actions wrongly.
import { evaluateIdentityPolicies } from '../../src/policy/identity-evaluation.js';
import type { PolicyDocument } from '../../src/policy/policy-document.js';

export interface Authorization {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

export interface AwsRequest {
  service: string;
  /** The operation, e.g. CreateRole. */
  operation: string;
  region: string;
  account: string;
  /** Query parameters (IAM, STS) or the path's segments and the JSON body (EKS). */
  params: Record<string, string>;
  path: string;
  body: Record<string, unknown>;
}

const oidcArn = (account: string, url: string) =>
  `arn:aws:iam::${account}:oidc-provider/${url.replace(/^https:\/\//, '')}`;

/** What IAM and STS authorize for a query-protocol request. */
function queryAuthorizations(r: AwsRequest): Authorization[] {
  const action = `${r.service}:${r.operation}`;
  const p = r.params;
  const path = p.Path ?? '/';
  let resource = '*';
  if (r.service === 'sts') {
    if (r.operation === 'GetCallerIdentity') return []; // always allowed
    resource = p.RoleArn ?? '*';
  } else if (p.RoleName) resource = `arn:aws:iam::${r.account}:role${path}${p.RoleName}`;
  else if (p.PolicySourceArn) resource = p.PolicySourceArn;
  else if (p.PolicyArn) resource = p.PolicyArn;
  else if (r.operation === 'CreatePolicy')
    resource = `arn:aws:iam::${r.account}:policy${path}${p.PolicyName}`;
  else if (p.OpenIDConnectProviderArn) resource = p.OpenIDConnectProviderArn;
  else if (r.operation === 'CreateOpenIDConnectProvider' && p.Url)
    resource = oidcArn(r.account, p.Url);
  return [{ action, resource }];
}

/** What EKS authorizes for a REST request: the cluster, add-on or association it names. */
function eksAuthorizations(r: AwsRequest): Authorization[] {
  const action = `eks:${r.operation}`;
  const [, , cluster, kind, id] = r.path.split('/');
  const base = `arn:aws:eks:${r.region}:${r.account}`;
  if (!cluster) return [{ action, resource: '*' }];
  let resource = `${base}:cluster/${cluster}`;
  if (kind === 'addons' && id) resource = `${base}:addon/${cluster}/${id}/0`;
  if (kind === 'pod-identity-associations' && id)
    resource = `${base}:podidentityassociation/${cluster}/${id}`;
  const out: Authorization[] = [{ action, resource }];
  const roleArn = typeof r.body.roleArn === 'string' ? r.body.roleArn : undefined;
  if (roleArn && /^(Create|Update)PodIdentityAssociation$/.test(r.operation))
    out.push({
      action: 'iam:PassRole',
      resource: roleArn,
      context: { 'iam:PassedToService': 'pods.eks.amazonaws.com' },
    });
  if (r.body.tags && Object.keys(r.body.tags).length > 0)
    out.push({
      action: 'eks:TagResource',
      resource: `${base}:podidentityassociation/${cluster}/${id ?? 'a-new'}`,
    });
  return out;
}

export const authorizationsOf = (r: AwsRequest): Authorization[] =>
  r.service === 'eks' ? eksAuthorizations(r) : queryAuthorizations(r);

/** The first authorization the policies do not allow, or undefined when all are allowed. */
export function deniedAuthorization(
  policies: PolicyDocument[],
  request: AwsRequest,
): Authorization | undefined {
  return authorizationsOf(request).find((a) => evaluateIdentityPolicies(policies, a) !== 'allow');
}
