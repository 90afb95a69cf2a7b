// Generates docs/permissions.md from docs/permissions.json, the one list of the AWS actions each
// command calls (a test records the calls and holds the list true). Run: npm run docs:permissions.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PermissionsData {
  commands: Record<string, Partial<Record<Mode, string[]>>>;
  notCalls: Record<string, string>;
}
export type Mode = 'plan' | 'approve' | 'prune' | 'podIdentity';
const MODES: Mode[] = ['plan', 'approve', 'prune', 'podIdentity'];
const MODE_NAMES: Record<Mode, string> = {
  plan: 'plan only (and the read-only commands)',
  approve: 'adds with --approve',
  prune: 'adds with --prune',
  podIdentity: 'adds for Pod Identity (--mechanism pod-identity, podIdentityAssociations)',
};

const DATA = fileURLToPath(new URL('../docs/permissions.json', import.meta.url));
const DOC = fileURLToPath(new URL('../docs/permissions.md', import.meta.url));

export const readPermissions = (): PermissionsData =>
  JSON.parse(readFileSync(DATA, 'utf8')) as PermissionsData;

/** The actions a command may call in these modes (plan always included). */
export function allowedActions(data: PermissionsData, command: string, modes: Mode[]): Set<string> {
  const c = data.commands[command];
  if (!c) throw new Error(`docs/permissions.json has no command ${command}`);
  return new Set((['plan', ...modes] as Mode[]).flatMap((m) => c[m] ?? []));
}

const ROLE_WRITES =
  /^iam:(CreateRole|DeleteRole|TagRole|UntagRole|UpdateAssumeRolePolicy|AttachRolePolicy|DetachRolePolicy|PutRolePolicy|DeleteRolePolicy|PutRolePermissionsBoundary|DeleteRolePermissionsBoundary)$/;
const POLICY_WRITES =
  /^iam:(CreatePolicy|CreatePolicyVersion|DeletePolicy|DeletePolicyVersion|TagPolicy)$/;
const OIDC = /OpenIDConnectProvider(?!s)/;

/** Where an action is scoped: iamsa's name prefix for what it writes, the clusters for EKS. */
function resourcesOf(action: string): string[] {
  if (action.startsWith('eks:')) {
    if (action === 'eks:ListClusters') return ['*'];
    return [
      'arn:aws:eks:*:<account>:cluster/*',
      'arn:aws:eks:*:<account>:podidentityassociation/*/*',
      'arn:aws:eks:*:<account>:addon/*/*/*',
    ];
  }
  if (ROLE_WRITES.test(action)) return ['arn:aws:iam::<account>:role/iamsa-*'];
  if (POLICY_WRITES.test(action)) return ['arn:aws:iam::<account>:policy/iamsa-*'];
  if (OIDC.test(action))
    return ['arn:aws:iam::<account>:oidc-provider/oidc.eks.*.amazonaws.com/id/*'];
  // Role reads: doctor and get read the role an annotation names, whatever its name.
  if (
    /^iam:(GetRole|GetRolePolicy|ListAttachedRolePolicies|ListRolePolicies|SimulatePrincipalPolicy)$/.test(
      action,
    )
  )
    return ['arn:aws:iam::<account>:role/*'];
  return ['*'];
}

function policyOf(actions: string[], passRole: boolean): PolicyJson {
  const groups = new Map<string, string[]>();
  for (const a of [...new Set(actions)].sort()) {
    const key = resourcesOf(a).join('|');
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const Statement: unknown[] = [...groups].map(([resources, Action]) => ({
    Effect: 'Allow',
    Action,
    Resource: resources.includes('|') ? resources.split('|') : resources,
  }));
  if (passRole) {
    Statement.push({
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: 'arn:aws:iam::<account>:role/iamsa-*',
      Condition: { StringEquals: { 'iam:PassedToService': 'pods.eks.amazonaws.com' } },
    });
    Statement.push({
      Effect: 'Allow',
      Action: ['eks:TagResource'],
      Resource: 'arn:aws:eks:*:<account>:podidentityassociation/*/*',
    });
  }
  return { Version: '2012-10-17', Statement };
}

/** migrate-from-kube2iam edits the roles kube2iam's annotations name, whatever their names. */
const KUBE2IAM_ROLES_STATEMENT = {
  Effect: 'Allow',
  Action: ['iam:GetRole', 'iam:TagRole', 'iam:UntagRole', 'iam:UpdateAssumeRolePolicy'],
  Resource: 'arn:aws:iam::<account>:role/k8s-*',
};

interface PolicyJson {
  Version: string;
  Statement: unknown[];
}

/**
 * The two ready-to-paste policies, with `<account>` in their ARNs: read-only (every command's
 * plan) and full (every mode, and the authorizations that are not calls).
 */
export function permissionPolicies(data: PermissionsData): {
  readOnly: PolicyJson;
  full: PolicyJson;
} {
  const all = (modes: Mode[]) =>
    Object.values(data.commands).flatMap((c) => modes.flatMap((m) => c[m] ?? []));
  return { readOnly: policyOf(all(['plan']), false), full: policyOf(all(MODES), true) };
}

export function renderPermissionsDoc(data: PermissionsData): string {
  const { readOnly, full } = permissionPolicies(data);
  const lines = [
    '# The AWS permissions iamsa needs',
    '',
    '<!-- Generated from docs/permissions.json by `npm run docs:permissions`; edit that file. -->',
    '',
    'Per command and mode, the exact actions iamsa calls. A test',
    '(test/integration/permissions-enforced.test.ts) runs each command through a recording proxy and',
    'fails when a call is not listed here for that command; the same proxy enforces the two policies',
    'below (each action on the resource its request names, and `iam:PassRole` with its condition):',
    'every command succeeds under the full one, `get-serviceaccounts`, `doctor`, `audit` and the plans',
    'under the read-only one, with nothing denied. Reads that only make a command thorough (the other',
    'mechanism, add-ons, the account-wide scan, a simulation) may be denied: the command then warns',
    '(`UNCHECKED_ACCESS_DENIED: <action> ...`) and does its job.',
    '',
    '| Command | Mode | Actions |',
    '| ------- | ---- | ------- |',
  ];
  for (const [command, modes] of Object.entries(data.commands)) {
    for (const m of MODES) {
      const actions = modes[m];
      if (!actions?.length) continue;
      lines.push(
        `| \`${command}\` | ${MODE_NAMES[m]} | ${[...actions]
          .sort()
          .map((a) => `\`${a}\``)
          .join(', ')} |`,
      );
    }
  }
  lines.push(
    '',
    "The wizard makes what create-serviceaccount makes, so it needs that command's actions too.",
    '',
    '## Authorizations that are not calls',
    '',
    ...Object.entries(data.notCalls).map(([a, why]) => `- \`${a}\`: ${why}.`),
    '',
    '## Resources',
    '',
    'What iamsa writes is scoped to its names: roles `iamsa-*` (the default role name; widen it if',
    'you pass `--role-name`, and write `role/irsa/iamsa-*` for `--role-path /irsa/`: a path is part',
    "of the role's ARN), policies `iamsa-*` (well-known policies), the EKS OIDC providers, and",
    'EKS clusters, associations and add-ons of the account. Reads of roles are on every role, since',
    'doctor and get read the role an annotation names. List calls and `iam:GetAccountAuthorizationDetails`',
    'take no resource. Replace `<account>` with your account id (or `*`).',
    '',
    '## Read-only policy (get-serviceaccounts, doctor, audit, every plan)',
    '',
    '```json',
    JSON.stringify(readOnly, null, 2),
    '```',
    '',
    '## Full policy (everything above, --approve, --prune and Pod Identity)',
    '',
    '```json',
    JSON.stringify(full, null, 2),
    '```',
    '',
    '## migrate-from-kube2iam: the kube2iam roles themselves',
    '',
    '`migrate-from-kube2iam` reads, tags and rewrites the trust of the roles the kube2iam',
    'annotations name (`--approve`, `--cleanup`, `--rollback`): roles of your own naming, not',
    '`role/iamsa-*`, so the full policy above does not cover them. Add a statement scoped to those',
    'roles (replace `k8s-*` with their names or path):',
    '',
    '```json',
    JSON.stringify(KUBE2IAM_ROLES_STATEMENT, null, 2),
    '```',
    '',
  );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DOC, renderPermissionsDoc(readPermissions()));
}
