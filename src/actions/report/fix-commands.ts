// The exact commands that fix what doctor and audit find, ready to paste: iamsa for what iamsa
// manages, kubectl for annotations and pods, the AWS CLI for roles iamsa does not own.
import { ROLE_ARN_ANNOTATION } from '../../policy/index.js';

export interface CommandContext {
  cluster: string;
  region: string;
  profile?: string;
}

const SAFE = /^[A-Za-z0-9_\-./:=@,+%]+$/;
/** One shell word: as it is when safe, else in single quotes. */
export const quote = (word: string) =>
  SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
const profileOf = (c: CommandContext) => (c.profile ? ` --profile ${quote(c.profile)}` : '');

/** create-serviceaccount converges an iamsa role (trust, policies) and the annotation. */
export function createServiceAccountFix(
  c: CommandContext,
  namespace: string,
  name: string,
  policyArns: string[],
  mechanism: 'irsa' | 'pod-identity' = 'irsa',
): string {
  const policies = policyArns.length
    ? policyArns.map((p) => ` --attach-policy-arn ${quote(p)}`).join('')
    : ' --attach-policy-arn <policy ARN>';
  const how = mechanism === 'pod-identity' ? ' --mechanism pod-identity' : '';
  return `iamsa create-serviceaccount${how} --cluster ${quote(c.cluster)} --region ${c.region}${profileOf(c)} --namespace ${namespace} --name ${name}${policies} --approve`;
}

export const annotateFix = (namespace: string, name: string, roleArn: string) =>
  `kubectl annotate serviceaccount -n ${namespace} ${name} --overwrite ${ROLE_ARN_ANNOTATION}=${roleArn}`;

export const updateTrustFix = (c: CommandContext, roleName: string, trust: unknown) =>
  `aws iam update-assume-role-policy${profileOf(c)} --role-name ${roleName} --policy-document ${quote(JSON.stringify(trust))}`;

export const attachPolicyFix = (c: CommandContext, roleName: string) =>
  `aws iam attach-role-policy${profileOf(c)} --role-name ${roleName} --policy-arn <policy ARN>`;

export const addAudienceFix = (c: CommandContext, providerArn: string, audience: string) =>
  `aws iam add-client-id-to-open-id-connect-provider${profileOf(c)} --open-id-connect-provider-arn ${providerArn} --client-id ${quote(audience)}`;

export const getServiceAccountsFix = (c: CommandContext, namespace: string, name: string) =>
  `iamsa get-serviceaccounts --cluster ${quote(c.cluster)} --region ${c.region}${profileOf(c)} -n ${namespace} --name ${name}`;

export const doctorCommand = (c: CommandContext, namespace: string, name: string) =>
  `iamsa doctor --cluster ${quote(c.cluster)} --region ${c.region}${profileOf(c)} -n ${namespace} --name ${name}`;

/**
 * Who assumed a role: CloudTrail's AssumeRoleWithWebIdentity events name the role as a resource
 * and carry the token's sub (system:serviceaccount:NS:NAME) as the user name. STS records them in
 * the region of the STS endpoint the pod used (regional, as the webhook sets it).
 */
export const cloudTrailLookup = (c: CommandContext, roleArn: string) =>
  `aws cloudtrail lookup-events --region ${c.region}${profileOf(c)} --lookup-attributes AttributeKey=ResourceName,AttributeValue=${roleArn} --query ${quote("Events[?EventName=='AssumeRoleWithWebIdentity'].[EventTime,Username]")} --output text`;
