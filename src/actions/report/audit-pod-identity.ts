// The Pod Identity findings of `iamsa audit`, pure: every association of the cluster judged
// against the roles of the account (ListRoles gives their trusts), the agent add-on and the
// service accounts. Ids PODID101... are part of the interface (SARIF rule ids).
import type { AddonInfo, PodIdentityAssociation } from '../../aws/eks.js';
import type { RoleSummary as Role } from '../../aws/iam.js';
import type { ServiceAccount } from '../../kube/gateway.js';
import {
  buildPodIdentityTrustStatement,
  evaluatePodIdentityTrust,
  isManagedByIamsa,
  type PolicyDocument,
  ROLE_ARN_ANNOTATION,
  roleOwner,
  sameRoleArn,
  tagsNameBinding,
  trustHoldsBindingStatement,
} from '../../policy/index.js';
import { ownsBinding } from '../binding/owned-role.js';
import type { ClusterInfo } from '../../aws/eks.js';
import {
  type CommandContext,
  DRIFTED_IAMSA_TRUST,
  narrowedPodIdentityTrust,
  podIdentityTrustOf,
  quote,
  updateTrustFix,
} from './fix-commands.js';
import { FINDING_KINDS } from './finding-kinds.js';
import { POD_IDENTITY_AGENT } from '../binding/plan-pod-identity.js';
import type { Finding } from './report.js';

export interface PodIdentityAuditState {
  context: CommandContext;
  cluster: ClusterInfo;
  roles: { role: Role; trust: PolicyDocument }[];
  serviceAccounts: ServiceAccount[];
  associations: PodIdentityAssociation[];
  /** The agent add-on; undefined when it is not installed. */
  agent?: AddonInfo;
  /** The tags of the associated roles by ARN (ListRoles returns none): whose role it is. */
  tags?: Map<string, Record<string, string>>;
}

const where = (c: CommandContext) =>
  `--cluster-name ${quote(c.cluster)} --region ${c.region}${c.profile ? ` --profile ${quote(c.profile)}` : ''}`;

export function podIdentityFindings(s: PodIdentityAuditState): Finding[] {
  if (!s.associations.length) return [];
  const findings: Finding[] = [];
  const ok = s.cluster.autoMode || s.agent?.status === 'ACTIVE' || s.agent?.status === 'UPDATING';
  if (!ok) {
    findings.push({
      id: 'PODID101',
      severity: 'high',
      title: FINDING_KINDS.PODID101.title,
      message: `${s.associations.length} Pod Identity association(s), but the ${POD_IDENTITY_AGENT} add-on is ${s.agent ? s.agent.status : 'not installed'}: their pods get no credentials`,
      fix: s.agent
        ? `aws eks describe-addon ${where(s.context)} --addon-name ${POD_IDENTITY_AGENT}`
        : `aws eks create-addon ${where(s.context)} --addon-name ${POD_IDENTITY_AGENT}`,
    });
  }
  const accounts = new Map(s.serviceAccounts.map((sa) => [`${sa.namespace}/${sa.name}`, sa]));
  for (const a of s.associations) {
    const id = `${a.namespace}/${a.serviceAccount}`;
    const found = s.roles.find((r) => sameRoleArn(r.role.arn, a.roleArn));
    const sa = accounts.get(id);
    const base = { serviceAccount: id, role: a.roleArn };
    if (!found) {
      findings.push({
        ...base,
        id: 'PODID102',
        severity: 'medium',
        title: FINDING_KINDS.PODID102.title,
        message: `association ${a.id} names role ${a.roleArn}, which does not exist: its pods get no credentials`,
        fix: `aws eks update-pod-identity-association ${where(s.context)} --association-id ${a.id} --role-arn ROLE_ARN`,
      });
    } else {
      const tags = s.tags?.get(found.role.arn);
      const binding = { clusterArn: s.cluster.arn, cluster: s.cluster.name };
      if (
        tags &&
        isManagedByIamsa(tags) &&
        !ownsBinding(tags, { ...binding, namespace: a.namespace, name: a.serviceAccount })
      ) {
        // The Pod Identity trust admits every association of the cluster: the association alone
        // decides who gets the role, and this one was not made for the role's binding.
        const owner = roleOwner(tags);
        findings.push({
          ...base,
          id: 'PODID106',
          severity: 'high',
          title: FINDING_KINDS.PODID106.title,
          message: `association ${a.id} hands ${found.role.name}, iamsa's role for ${owner.namespace ?? '?'}/${owner.serviceAccount ?? '?'}, to ${id}`,
          fix: `aws eks delete-pod-identity-association ${where(s.context)} --association-id ${a.id}`,
        });
      }
      const session = {
        accountId: s.cluster.accountId,
        clusterArn: s.cluster.arn,
        clusterName: s.cluster.name,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        sessionTags: !a.disableSessionTags,
      };
      const judged = evaluatePodIdentityTrust(found.trust, session);
      // The ownership rules: tags naming this binding on a trust without iamsa's statement are
      // drift iamsa refuses (exit 5): its exact trust is restored by hand.
      const own = { clusterArn: s.cluster.arn, namespace: a.namespace, name: a.serviceAccount };
      const drifted =
        !!tags &&
        tagsNameBinding(tags, own) &&
        !trustHoldsBindingStatement(found.trust, own, s.cluster.accountId, []);
      const restore = drifted
        ? updateTrustFix(
            s.context,
            found.role.name,
            podIdentityTrustOf(s.cluster.accountId, s.cluster.arn),
          )
        : undefined;
      const said = drifted ? ` (${found.role.name} ${DRIFTED_IAMSA_TRUST})` : '';
      const statement = buildPodIdentityTrustStatement({
        accountId: s.cluster.accountId,
        clusterArns: [s.cluster.arn],
      });
      if (!judged.admits) {
        findings.push({
          ...base,
          id: 'PODID102',
          severity: 'medium',
          title: FINDING_KINDS.PODID102.title,
          message: `association ${a.id} names ${found.role.name}, whose trust does not admit Pod Identity sessions of this cluster: ${judged.problems[0] ?? ''}${said}`,
          fix:
            restore ??
            updateTrustFix(s.context, found.role.name, {
              ...found.trust,
              Statement: [...found.trust.Statement, statement],
            }),
        });
      } else if (judged.overBroad.length) {
        findings.push({
          ...base,
          id: 'PODID103',
          severity: 'medium',
          title: FINDING_KINDS.PODID103.title,
          message: `the trust of ${found.role.name} lets other clusters' associations use it: ${judged.overBroad.join('; ')}${said}`,
          fix:
            restore ??
            updateTrustFix(
              s.context,
              found.role.name,
              narrowedPodIdentityTrust(found.trust, session),
            ),
        });
      }
    }
    if (!sa) {
      findings.push({
        ...base,
        id: 'PODID104',
        severity: 'medium',
        title: FINDING_KINDS.PODID104.title,
        message: `association ${a.id} is for service account ${id}, which does not exist: whoever creates it gets the role`,
        fix: `aws eks delete-pod-identity-association ${where(s.context)} --association-id ${a.id}  # if nothing will use it`,
      });
    } else if (sa.annotations[ROLE_ARN_ANNOTATION] !== undefined) {
      findings.push({
        ...base,
        id: 'PODID105',
        severity: 'info',
        title: FINDING_KINDS.PODID105.title,
        message: `${id} has both an association and the IRSA annotation (${sa.annotations[ROLE_ARN_ANNOTATION]}): new pods get Pod Identity credentials`,
        fix: `kubectl annotate serviceaccount -n ${a.namespace} ${a.serviceAccount} ${ROLE_ARN_ANNOTATION}-  # once no pod needs IRSA`,
      });
    }
  }
  return findings;
}
