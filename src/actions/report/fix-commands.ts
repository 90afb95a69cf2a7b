// The exact commands that fix what doctor and audit find, ready to paste: iamsa for what iamsa
// manages, kubectl for annotations and pods, the AWS CLI for roles iamsa does not own.
import {
  buildPodIdentityTrustStatement,
  evaluatePodIdentityTrust,
  normalizeStatements,
  type PodIdentitySession,
  type PolicyDocument,
  ROLE_ARN_ANNOTATION,
} from '../../policy/index.js';
import {
  annotateCreatingCommands,
  type CommandContext,
  kubeFlagsOf,
  profileOf,
  quote,
} from './shell-commands.js';

export { annotateCreatingCommands, type CommandContext, kubeFlagsOf, quote };

/** create-serviceaccount converges an iamsa role (trust, policies) and the annotation. */
export function createServiceAccountFix(
  c: CommandContext,
  namespace: string,
  name: string,
  policyArns: string[],
  mechanism: 'irsa' | 'pod-identity' = 'irsa',
  /** The binding has iamsa's inline policy: it is given again from its file. */
  inline = false,
): string {
  const policies =
    policyArns.length || inline
      ? policyArns.map((p) => ` --attach-policy-arn ${quote(p)}`).join('') +
        (inline ? ' --attach-policy POLICY_FILE' : '')
      : ` --attach-policy-arn ${POLICY_ARN}`;
  const how = mechanism === 'pod-identity' ? ' --mechanism pod-identity' : '';
  const command = `iamsa create-serviceaccount${how} --cluster ${quote(c.cluster)} --region ${c.region}${profileOf(c)} --namespace ${namespace} --name ${name}${policies}${kubeFlagsOf(c)} --approve`;
  return withPlaceholderNote(command);
}

/**
 * update-serviceaccount with no change asked: re-derives iamsa's trust (and annotation or
 * association) for the binding, keeping the policies iamsa recorded and adopting none.
 */
export const updateServiceAccountFix = (
  c: CommandContext,
  namespace: string,
  name: string,
  mechanism?: 'irsa' | 'pod-identity',
) =>
  `iamsa update-serviceaccount${mechanism ? ` --mechanism ${mechanism}` : ''} --cluster ${quote(c.cluster)} --region ${c.region}${profileOf(c)} --namespace ${namespace} --name ${name}${kubeFlagsOf(c)} --approve`;

/** What iamsa prints where it does not know a policy: the one placeholder, said to be one. */
export const POLICY_ARN = 'POLICY_ARN';

/** A note after a command (`  # ...`), joined to the note it has. */
export const withNote = (fix: string, note: string) =>
  fix.includes('  # ') ? `${fix}; ${note}` : `${fix}  # ${note}`;

/** A command with iamsa's POLICY_ARN placeholder says to replace it (pasted as is, it fails). */
export const withPlaceholderNote = (fix: string) =>
  fix.includes(` ${POLICY_ARN}`)
    ? withNote(fix, `replace ${POLICY_ARN} with the ARN of the policy the pods need`)
    : fix;

export const annotateFix = (namespace: string, name: string, roleArn: string) =>
  `kubectl annotate serviceaccount -n ${namespace} ${name} --overwrite ${ROLE_ARN_ANNOTATION}=${roleArn}`;

/**
 * A service account annotated with a role iamsa made for another binding: that role's trust is
 * never widened for it (anyone able to annotate would gain it); it gets a role of its own.
 */
export const ownRoleInsteadFix = (
  c: CommandContext,
  namespace: string,
  name: string,
  roleName: string | undefined,
  mechanism: 'irsa' | 'pod-identity' = 'irsa',
) =>
  withNote(
    createServiceAccountFix(c, namespace, name, [], mechanism).replace(
      ' --approve',
      ' --override-existing-serviceaccounts --approve',
    ),
    `its own role; ${roleName} is iamsa's role for another binding and stays as it is`,
  );

export const updateTrustFix = (c: CommandContext, roleName: string, trust: unknown) =>
  `aws iam update-assume-role-policy${profileOf(c)} --role-name ${roleName} --policy-document ${quote(JSON.stringify(trust))}`;

/**
 * A role whose tags name the binding but whose trust no longer holds iamsa's statement for it
 * (the ownership rules, trustHoldsBindingStatement): iamsa commands refuse it (exit 5), so the fix
 * restores iamsa's exact trust by hand, after which they work again.
 */
export const DRIFTED_IAMSA_TRUST =
  "carries iamsa's tags but its trust no longer holds iamsa's statement: iamsa will not rewrite it; restore the trust with:";

/** iamsa's Pod Identity trust for a cluster: the statement narrowed to it. */
export const podIdentityTrustOf = (accountId: string, clusterArn: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [buildPodIdentityTrustStatement({ accountId, clusterArns: [clusterArn] })],
});

/**
 * The trust without its Pod Identity statements that let other clusters' associations in, plus
 * the statement narrowed to this cluster (aws:SourceArn, aws:SourceAccount): pasteable.
 */
export function narrowedPodIdentityTrust(
  trust: PolicyDocument,
  session: PodIdentitySession,
): PolicyDocument {
  const kept = normalizeStatements(trust).filter(
    (st) => !evaluatePodIdentityTrust({ ...trust, Statement: [st] }, session).overBroad.length,
  );
  const narrowed = podIdentityTrustOf(session.accountId, session.clusterArn).Statement;
  return { ...trust, Statement: [...kept, ...narrowed] };
}

export const detachPolicyFix = (c: CommandContext, roleName: string, arn: string) =>
  `aws iam detach-role-policy${profileOf(c)} --role-name ${roleName} --policy-arn ${arn}`;

export const deleteInlinePolicyFix = (c: CommandContext, roleName: string, policyName: string) =>
  `aws iam delete-role-policy${profileOf(c)} --role-name ${roleName} --policy-name ${quote(policyName)}`;

export const attachPolicyFix = (c: CommandContext, roleName: string) =>
  withPlaceholderNote(
    `aws iam attach-role-policy${profileOf(c)} --role-name ${roleName} --policy-arn ${POLICY_ARN}`,
  );

export const addAudienceFix = (c: CommandContext, providerArn: string, audience: string) =>
  `aws iam add-client-id-to-open-id-connect-provider${profileOf(c)} --open-id-connect-provider-arn ${providerArn} --client-id ${quote(audience)}`;

export const getServiceAccountsFix = (c: CommandContext, namespace: string, name: string) =>
  `iamsa get-serviceaccounts --cluster ${quote(c.cluster)} --region ${c.region}${profileOf(c)} -n ${namespace} --name ${name}${kubeFlagsOf(c)}`;

export const doctorCommand = (c: CommandContext, namespace: string, name: string) =>
  `iamsa doctor --cluster ${quote(c.cluster)} --region ${c.region}${profileOf(c)} -n ${namespace} --name ${name}${kubeFlagsOf(c)}`;

/**
 * Who assumed a role: CloudTrail's AssumeRoleWithWebIdentity events name the role as a resource
 * and carry the token's sub (system:serviceaccount:NS:NAME) as the user name. STS records them in
 * the region of the STS endpoint the pod used (regional, as the webhook sets it).
 */
export const cloudTrailLookup = (c: CommandContext, roleArn: string) =>
  `aws cloudtrail lookup-events --region ${c.region}${profileOf(c)} --lookup-attributes AttributeKey=ResourceName,AttributeValue=${roleArn} --query ${quote("Events[?EventName=='AssumeRoleWithWebIdentity'].[EventTime,Username]")} --output text`;

/**
 * migrate-from-kube2iam --cleanup as the migration ran: the daemon's flags it recorded on the role
 * (so requests resolve as the daemon does) and the user's Kubernetes connection.
 */
export const cleanupFix = (c: CommandContext, flavour: string, daemonFlags: string[]) =>
  `iamsa migrate-from-kube2iam --cluster ${quote(c.cluster)} --region ${c.region}${profileOf(c)} --flavour ${quote(flavour)}${daemonFlags.map((w) => ` ${quote(w)}`).join('')}${kubeFlagsOf(c)} --cleanup --approve`;
