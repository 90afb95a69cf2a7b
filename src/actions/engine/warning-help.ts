// What each coded warning asks of the user, and which commands emit it: `npm run docs` writes
// docs/warnings.md from here and WARNING_KINDS (one section per code), so every warning is
// explained, and greppable, in the docs. A code without help here does not compile.
import type { WarningCode } from './warning-kinds.js';

const BINDING = ['create-serviceaccount', 'update-serviceaccount', 'apply', 'wizard'];
const KUBE2IAM = ['migrate-from-kube2iam'];
const TO_POD_IDENTITY = ['migrate-to-pod-identity'];
const DELETE = ['delete-serviceaccount'];

export interface WarningHelp {
  /** The commands that emit it. */
  commands: readonly string[];
  /** What to do about it (or why nothing needs doing). */
  todo: string;
}

export const WARNING_HELP: Record<WarningCode, WarningHelp> = {
  'IRSA-W001': {
    commands: BINDING,
    todo: 'If the binding should stay on Pod Identity, declare `mechanism: pod-identity` (or move the eksctl entry to `iam.podIdentityAssociations`); applying the IRSA binding puts the OIDC trust and the annotation back.',
  },
  'IRSA-W002': {
    commands: BINDING,
    todo: "Flags add: the named policies stay attached, and a policy attached outside iamsa is not recorded as the binding's (`doctor` keeps warning IRSA010). Detach it (`aws iam detach-role-policy --role-name ROLE --policy-arn POLICY_ARN`), or declare the binding in a file and `apply -f`, which removes what the file does not list.",
  },
  'IRSA-W003': {
    commands: ['apply'],
    todo: 'The binding moved between a role of its own and a shared role: the old role is left until `apply --prune` deletes it; re-run with `--prune` once nothing uses it.',
  },
  'IRSA-W004': {
    commands: BINDING,
    todo: 'A subject pattern (`*`) lets every matching service account take the role: name the service account exactly unless that is what you want.',
  },
  'IRSA-W005': {
    commands: BINDING,
    todo: "Attaching fails unless the account's quota of managed policies per role was raised (Service Quotas): raise it, or merge policies (an inline policy with `--attach-policy`).",
  },
  'IRSA-W006': {
    commands: BINDING,
    todo: 'An association iamsa did not make hands the role to a service account: check whether it should; delete it with `aws eks delete-pod-identity-association` if not.',
  },
  'IRSA-W007': {
    commands: [
      'apply',
      'migrate-to-pod-identity',
      'create-serviceaccount',
      'update-serviceaccount',
    ],
    todo: 'Nothing is wrong, it is slower: allow `iam:ListRoles` (docs/permissions.md) to read every role in one pass.',
  },
  'IRSA-W008': {
    commands: ['every command that reaches the cluster'],
    todo: 'Check the kubeconfig context (`--context`, `--kubeconfig`): the API server it names is not the EKS cluster given with `--cluster`, so iamsa may be writing to another cluster.',
  },
  'IRSA-W009': {
    commands: DELETE,
    todo: 'The association was not made by iamsa and is left: delete it by hand (`aws eks delete-pod-identity-association`) if it should go.',
  },
  'IRSA-W010': {
    commands: DELETE,
    todo: 'Nothing, if both should go; otherwise delete only one mechanism with `--mechanism`.',
  },
  'IRSA-W011': {
    commands: DELETE,
    todo: "The annotation names a role that is not iamsa's for this binding: remove the annotation by hand (`kubectl annotate serviceaccount -n NAMESPACE NAME eks.amazonaws.com/role-arn-`) if it should go.",
  },
  'IRSA-W012': {
    commands: DELETE,
    todo: "Allow the IAM role listing named in the warning (docs/permissions.md), or pass `--role-name` if the binding's role has another name than the default.",
  },
  'IRSA-W013': {
    commands: DELETE,
    todo: 'The service account now uses another role: nothing to do unless that role should go too (delete it by hand).',
  },
  'IRSA-W014': {
    commands: DELETE,
    todo: 'Check by hand that no pod runs as the service account (`kubectl get pods -n NAMESPACE -o wide`), or allow listing pods.',
  },
  'IRSA-W015': {
    commands: DELETE,
    todo: 'Restart the named pods (`kubectl rollout restart`) so they stop using the credentials they hold.',
  },
  'IRSA-W016': {
    commands: [...BINDING, 'delete-serviceaccount'],
    todo: 'Nothing: the well-known policy is detached from this role and kept because others still use it.',
  },
  'IRSA-W017': {
    commands: BINDING,
    todo: "Remove the annotation (`kubectl annotate serviceaccount -n NAMESPACE NAME eks.amazonaws.com/role-arn-`) unless pods still need IRSA; the webhook's credentials win over Pod Identity's.",
  },
  'IRSA-W018': {
    commands: BINDING,
    todo: "Make sure the role in the other account trusts this cluster's OIDC provider of that account; `iamsa doctor` cannot check it from here.",
  },
  'IRSA-W019': {
    commands: BINDING,
    todo: 'Narrow the trust of the role you passed to the statement iamsa shows; `iamsa audit` lists such roles.',
  },
  'IRSA-W020': {
    commands: [...BINDING, 'well-known-policies'],
    todo: 'Read the note: give `--well-known-scope` to narrow what the well-known policy grants.',
  },
  'IRSA-W021': {
    commands: BINDING,
    todo: "A policy under the well-known name is not iamsa's: rename or delete it if iamsa should manage that key.",
  },
  'IRSA-W022': {
    commands: ['apply'],
    todo: 'Nothing, unless you meant iamsa to act on the named eksctl sections: it reads only the IAM service accounts and Pod Identity associations.',
  },
  'IRSA-W023': {
    commands: ['apply'],
    todo: 'Allow `iam:ListRoles`, or check by hand for old roles of bindings that moved between one cluster and several.',
  },
  'IRSA-W024': {
    commands: ['enable-oidc'],
    todo: 'Nothing: the provider was made outside iamsa and its tags are left; iamsa uses it as it is.',
  },
  'IRSA-W025': {
    commands: [
      'get-serviceaccounts',
      'delete-serviceaccount',
      'migrate-to-pod-identity',
      'migrate-from-kube2iam',
    ],
    todo: 'Check the namespace name (the warning names the closest one when there is one).',
  },
  'IRSA-W026': {
    commands: ['get-serviceaccounts'],
    todo: 'Run `iamsa enable-oidc --cluster CLUSTER --approve`.',
  },
  'IRSA-W027': {
    commands: KUBE2IAM,
    todo: 'Check by hand which RoleBindings name the service accounts workloads leave, or allow listing RBAC bindings.',
  },
  'IRSA-W028': {
    commands: KUBE2IAM,
    todo: "Role names without an ARN were resolved in the cluster's account (as `--auto-discover-base-arn` does): pass `--base-role-arn` if the daemon runs with another.",
  },
  'IRSA-W029': {
    commands: KUBE2IAM,
    todo: 'The daemon refuses this request today (namespace restriction): fix or remove the annotation; iamsa does not give it a role.',
  },
  'IRSA-W030': {
    commands: KUBE2IAM,
    todo: 'Read the reason: the workload keeps asking the daemon until it is fixed (or recreated, for bare pods and Jobs).',
  },
  'IRSA-W031': {
    commands: KUBE2IAM,
    todo: 'Bind the new service account the way the named RoleBindings bind the old one.',
  },
  'IRSA-W032': {
    commands: KUBE2IAM,
    todo: "Delete the ReplicaSet's pods so they come back with the new service account.",
  },
  'IRSA-W033': {
    commands: KUBE2IAM,
    todo: 'The role was deleted: nothing to restore or clean on it.',
  },
  'IRSA-W034': {
    commands: KUBE2IAM,
    todo: "Check the role's trust by hand: iamsa did not record it before the migration, so `--rollback` cannot restore it.",
  },
  'IRSA-W035': {
    commands: KUBE2IAM,
    todo: 'Uninstall the kube2iam daemon, then run `--cleanup` to drop its trust from the migrated roles.',
  },
  'IRSA-W036': {
    commands: KUBE2IAM,
    todo: 'Keep the daemon until the workloads named are migrated or changed.',
  },
  'IRSA-W037': {
    commands: TO_POD_IDENTITY,
    todo: "Check the role's trust by hand: no record of its IRSA trust was kept, so `--rollback` cannot restore it exactly.",
  },
  'IRSA-W038': {
    commands: TO_POD_IDENTITY,
    todo: 'Read the reason: the service account stays on IRSA.',
  },
  'IRSA-W039': {
    commands: TO_POD_IDENTITY,
    todo: 'The role keeps its IRSA trust for the other service accounts annotated with it: migrate them too before dropping IRSA.',
  },
  'IRSA-W040': {
    commands: TO_POD_IDENTITY,
    todo: 'Nothing to restore: recreate the service account with its annotation if it is needed.',
  },
  'IRSA-W041': {
    commands: TO_POD_IDENTITY,
    todo: 'The annotation was changed since the migration: it is left; set it by hand if it should name the migrated role.',
  },
  'IRSA-W042': {
    commands: BINDING,
    todo: "Rename the binding or its pattern so the binding's own name matches it.",
  },
  'IRSA-W043': {
    commands: ['audit'],
    todo: "iamsa's own bindings among those roles are reported as findings: allow `iam:GetRole` on them (docs/permissions.md) so audit can tell them apart.",
  },
  'IRSA-W044': {
    commands: ['audit'],
    todo: 'Allow `eks:ListClusters` in that region, or audit it with `--region`.',
  },
  'IRSA-W045': {
    commands: BINDING,
    todo: "Add the audience to the OIDC provider (`aws iam add-client-id-to-open-id-connect-provider`) or drop the service account's audience annotation.",
  },
  'IRSA-W046': {
    commands: KUBE2IAM,
    todo: "Remove the namespace's `iam.amazonaws.com/allowed-roles` restriction, or keep the daemon while pods may still ask.",
  },
  'IRSA-W047': {
    commands: KUBE2IAM,
    todo: 'Read the reason: the daemon could not hand the role out, so the workload gets no role from it today; fix that (or the annotation) first: iamsa does not give it the role.',
  },
  'IRSA-W048': {
    commands: [...DELETE, 'apply'],
    todo: "Someone copied iamsa's tags onto a role iamsa did not make, or added a statement by hand to the trust of iamsa's role: check who did, then remove the tags or the role by hand, or put the trust back (re-running the command that made the binding repairs iamsa's own role); iamsa never deletes a role whose trust is not its own, nor the service account that uses it (even with iamsa's label, which anyone can copy): delete that by hand if it is yours.",
  },
  'IRSA-W049': {
    commands: KUBE2IAM,
    todo: "Someone wrote the migration's `iamsa.io/kube2iam-service-account` annotation on a service account iamsa did not make: --rollback neither deletes nor edits it. Check who did, and remove the annotation or the service account by hand.",
  },
  'IRSA-W050': {
    commands: ['apply'],
    todo: "Someone copied iamsa's `app.kubernetes.io/managed-by` label onto a service account whose annotation names a role iamsa did not make for it (or one that is gone): `--prune` leaves it. Check who did, and remove the label or the service account by hand.",
  },
  'IRSA-W051': {
    commands: ['apply'],
    todo: "Remove the key from the file: iamsa writes the `eks.amazonaws.com/role-arn` annotation (the binding's role), its own `iamsa.io/` annotations and the `app.kubernetes.io/managed-by` label itself, so a file can neither point a service account at another role nor mark it as iamsa's or someone else's.",
  },
  'IRSA-W052': {
    commands: BINDING,
    todo: 'Every pod of the namespace that sets no `serviceAccountName` runs as `default`, so it gets the role too. Unless that is what you want, create a service account for the workload (`--name APP`), set `serviceAccountName: APP` in its pod template, and bind that one instead.',
  },
  'IRSA-W053': {
    commands: ['create-serviceaccount', 'update-serviceaccount', 'apply'],
    todo: 'Someone tagged the role iamsa.io/migration by hand (or removed the Pod Identity statement or the iamsa.io/irsa-trust-N record of a migration): check who did, and remove the tag (aws iam untag-role); to migrate, run migrate-to-pod-identity.',
  },
  'IRSA-W054': {
    commands: [...DELETE, 'apply'],
    todo: 'Grant eks:DescribeCluster in that region, or, if the cluster is gone, remove its statement and its iamsa.io/cluster-arn/ tag from the role by hand (or apply the file without it, with --prune).',
  },
  'IRSA-W055': {
    commands: ['create-serviceaccount', 'update-serviceaccount'],
    todo: "Name the policies the binding should have (--attach-policy-arn, or apply -f with a file listing them): iamsa records only what it is asked for, so a policy attached by hand is never taken for the binding's.",
  },
  'IRSA-W056': {
    commands: ['migrate-to-pod-identity'],
    todo: 'Restart the pods the warning names (the command it gives) so they get Pod Identity credentials, then run --remove-irsa again; --allow-irsa-pods removes IRSA anyway and cuts them off.',
  },
  'IRSA-W057': {
    commands: ['apply'],
    todo: 'The role still trusts the clusters the file dropped, so their pods keep the role: apply the file with `--prune` to remove their statements and tags, or list the clusters again to keep them.',
  },
  'IRSA-W058': {
    commands: ['apply'],
    todo: 'iamsa writes one `iamsa.io/cluster-arn/<hash>` tag per cluster of `iamsa.io/clusters`, keyed by the hash of its ARN; this one is neither, so someone else added it. Its cluster is not kept: apply removes the tag and any statement for that cluster. Check who tagged the role.',
  },
  'IRSA-W059': {
    commands: ['update-serviceaccount'],
    todo: 'Check the ARN given to `--detach-policy-arn` (the warning names the nearest policy the role has, or lists them): a policy the role does not have is not detached, so nothing changed.',
  },
  'IRSA-W060': {
    commands: ['delete-serviceaccount'],
    todo: 'Nothing was deleted. Check the namespace and name: run the command again with the ones the warning suggests if that is the binding meant.',
  },
  UNCHECKED_API_NOT_FOUND: {
    commands: ['any command'],
    todo: 'Nothing, against an emulator or an endpoint without that API: the command did its job without the optional read.',
  },
  UNCHECKED_ACCESS_DENIED: {
    commands: ['any command'],
    todo: 'Allow the action named (docs/permissions.md) for the command to check it.',
  },
  UNCHECKED_NOT_IMPLEMENTED: {
    commands: ['any command'],
    todo: 'Nothing, against an emulator: the command did its job without the optional read.',
  },
};
