// Use case: the interactive wizard. It only gathers answers (validated with the same validators as
// the flags) and hands them to the same planners the flags use; nothing here writes by itself.
// One cluster session serves the whole conversation: one DescribeCluster, one connection.
import type { ClusterInfo, PodIdentityAssociation } from '../../aws/eks.js';
import type { IamGateway, PolicySummary } from '../../aws/iam.js';
import { CancelledError, IamsaError, PreconditionError } from '../../errors.js';
import type { KubeAccess } from '../../kube/connection.js';
import type { ServiceAccount } from '../../kube/gateway.js';
import {
  checkWellKnown,
  findWellKnown,
  ROLE_ARN_ANNOTATION,
  type ScopeLabels,
  WELL_KNOWN_POLICIES,
  type WellKnownScope,
  defaultRoleName,
  parseArn,
  roleNameOf,
  sameRoleArn,
  validateNamespace,
  validateRegion,
  validateRoleName,
  validateServiceAccountName,
  isWellKnownPolicyName,
  isOwnedRoleFor,
  type Mechanism,
} from '../../policy/index.js';
import { readAssociationsOrWarn } from '../binding/pod-identity-associations.js';
import { POD_IDENTITY_AGENT, requireAgent } from '../binding/plan-pod-identity.js';
import type { BindingSpec, InlinePolicy } from '../binding/spec.js';
import { checkBinding, checkGiven, type PartialSpec } from '../binding/check.js';
import { clusterOidc } from '../binding/cluster-oidc.js';
import {
  type ClusterSession,
  openClusterSession,
  type RegionAccess,
} from '../binding/cluster-session.js';
import { mapConcurrent } from '../engine/concurrency.js';
import { planEnableOidc } from './enable-oidc.js';
import { type CommandResult, composePlan, type PlanStep, publicSteps } from '../engine/plan.js';
import { planBinding } from '../binding/plan-binding.js';
import { aRoleOf, MECHANISM_NAMES, otherMechanism } from '../binding/plan-role.js';
import type { Choice, Prompter } from '../engine/prompter.js';
import type { Reporter } from '../engine/reporter.js';

export type AwsAccess = RegionAccess;

export interface WizardDeps {
  prompter: Prompter;
  reporter: Reporter;
  defaultRegion?: string;
  connect(region: string): Promise<AwsAccess>;
  /** Reads and checks a policy file named in an answer (the caller knows about files). */
  readPolicyFile(path: string): InlinePolicy;
}

/** Answers already given as flags; the wizard asks only for the rest. */
export type WizardPrefill = PartialSpec & { region?: string; kube: KubeAccess };

export interface WizardOutcome {
  region: string;
  spec: BindingSpec;
  /** The wizard also enabled the cluster (created its OIDC provider) on the way. */
  enabledCluster: boolean;
  /** Everything this run did: the provider (when it enabled the cluster) and the binding. */
  result: CommandResult;
  /** The binding alone: the plan the wizard showed last, applied. */
  bound: CommandResult;
}

/** Turns a validator that throws into one inquirer can show under the prompt. */
const check = (validate: (value: string) => unknown) => (value: string) => {
  try {
    validate(value.trim());
    return true as const;
  } catch (error) {
    return error instanceof IamsaError ? error.message : String(error);
  }
};

const NEW = Symbol('new');

export async function runWizard(prefill: WizardPrefill, deps: WizardDeps): Promise<WizardOutcome> {
  const { prompter: ask, reporter } = deps;
  // A bad flag is refused before the first question, not after the person answered them all.
  if (prefill.region !== undefined) validateRegion(prefill.region, '--region');
  checkGiven(prefill);
  const region =
    prefill.region ??
    (
      await ask.input('AWS region', {
        default: deps.defaultRegion ?? 'us-east-1',
        validate: check(validateRegion),
      })
    ).trim();
  const aws = await deps.connect(region);

  const picked = prefill.cluster === undefined ? await pickCluster(aws, ask, reporter) : undefined;
  const cluster = prefill.cluster ?? picked?.name ?? '';
  const session = openClusterSession(aws, {
    cluster,
    kube: prefill.kube,
    reporter,
    described: picked,
  });
  const asked = prefill.mechanism === undefined;
  const podIdentityPossible = asked && (await canDoPodIdentity(session));
  let mechanism =
    prefill.mechanism ?? (podIdentityPossible ? await askMechanism(ask) : ('irsa' as const));
  // Pod Identity needs no OIDC provider: only IRSA enables the cluster on the way.
  let enabled: { steps: PlanStep[] } | undefined;
  if (mechanism === 'irsa') {
    try {
      enabled = await ensureOidcProvider(session, ask);
    } catch (error) {
      const instead =
        error instanceof OidcDeclinedError &&
        podIdentityPossible &&
        (await ask.confirm('Use EKS Pod Identity instead? It needs no OIDC provider.', true));
      if (!instead) throw error;
      mechanism = 'pod-identity';
    }
  }
  try {
    const outcome = await bindServiceAccount(
      { ...prefill, mechanism },
      deps,
      session,
      enabled?.steps ?? [],
      asked,
    );
    return { ...outcome, region, enabledCluster: !!enabled };
  } catch (error) {
    if (error instanceof PlanDeclinedError) {
      // The plan was declined: what it would have done is still worth a command for scripts.
      throw new PlanDeclinedError(
        enabled
          ? `only the OIDC provider of cluster ${cluster} was created (as enable-oidc does); nothing else was changed`
          : error.message,
        error.spec,
        region,
      );
    }
    if (enabled && error instanceof CancelledError) {
      throw new CancelledError(
        `only the OIDC provider of cluster ${cluster} was created (as enable-oidc does); nothing else was changed`,
      );
    }
    throw error;
  }
}

/** The user declined to create the OIDC provider IRSA needs: the command that does it later. */
export class OidcDeclinedError extends CancelledError {
  constructor(
    readonly cluster: string,
    readonly region: string,
  ) {
    super(`nothing was changed; IRSA needs the OIDC provider of cluster ${cluster} first`);
  }
}

/** The user declined the plan the wizard showed: the binding they chose, for its command line. */
export class PlanDeclinedError extends CancelledError {
  constructor(
    message: string,
    readonly spec: BindingSpec,
    readonly region = '',
  ) {
    super(message);
  }
}

/** Steps 2 to 4: namespace, service account, permissions, then the plan and its confirmation. */
async function bindServiceAccount(
  prefill: WizardPrefill,
  deps: WizardDeps,
  session: ClusterSession,
  enabledSteps: PlanStep[],
  /** The mechanism was the person's answer (not a flag): it may still be changed. */
  mechanismAsked = false,
): Promise<Omit<WizardOutcome, 'region' | 'enabledCluster'>> {
  const { prompter: ask, reporter } = deps;
  const cluster = session.name;
  const clusterInfo = await session.cluster();

  const kube = prefill.roleOnly
    ? undefined
    : await reporter.progress(`Connecting to cluster ${cluster}`, () => session.kube());

  let createNamespace = prefill.createNamespace ?? false;
  let namespace = prefill.namespace;
  if (!namespace) {
    const existing = kube
      ? await reporter.progress('Listing namespaces', () => kube.gateway.listNamespaces())
      : [];
    const picked = await ask.select<string | typeof NEW>(
      'Namespace',
      [
        ...existing.map((n) => ({ name: n, value: n })),
        { name: 'New namespace…', value: NEW, description: 'type a name; iamsa creates it' },
      ],
      existing.includes('default') ? 'default' : undefined,
    );
    if (picked === NEW) {
      namespace = (
        await ask.input('New namespace name', { validate: check(validateNamespace) })
      ).trim();
      createNamespace = !existing.includes(namespace);
    } else namespace = picked;
  }

  let mechanism: Mechanism = prefill.mechanism ?? 'irsa';
  let name = prefill.name;
  let overrideExisting = prefill.overrideExisting ?? false;
  let listed: { accounts: ServiceAccount[]; associations: PodIdentityAssociation[] } | undefined;
  if (!name) {
    const listing = !!kube && !createNamespace;
    const [accounts, associations] = await Promise.all([
      listing
        ? reporter.progress(`Listing service accounts in ${namespace}`, () =>
            kube.gateway.listServiceAccounts(namespace as string),
          )
        : [],
      // A service account bound through Pod Identity has its role in its association.
      listing ? readAssociationsOrWarn(session, { namespace }).then((a) => a ?? []) : [],
    ]);
    const describe = (sa: string) => {
      const irsa = accounts.find((a) => a.name === sa)?.annotations[ROLE_ARN_ANNOTATION];
      const pi = associations.find((a) => a.serviceAccount === sa)?.roleArn;
      const bound = [
        ...(irsa ? [`role: ${irsa}`] : []),
        ...(pi ? [`role: ${pi}, Pod Identity`] : []),
      ];
      return bound.length ? `(${bound.join('; ')})` : '(no role)';
    };
    const picked = await ask.select<string | typeof NEW>('Service account', [
      ...accounts.map((sa) => ({
        name: `${sa.name}  ${describe(sa.name)}`,
        value: sa.name,
      })),
      { name: 'New service account…', value: NEW, description: 'type a name; iamsa creates it' },
    ]);
    name =
      picked === NEW
        ? (
            await ask.input('Service account name', { validate: check(validateServiceAccountName) })
          ).trim()
        : picked;
    listed = { accounts, associations };
  }
  // iamsa's role for this service account may serve the other mechanism: decided now, not at the
  // end (the plan would refuse to cut its pods off).
  let suggested = defaultRoleName(cluster, namespace, name);
  const takenBy = async (roleName: string) => {
    const role = await session.iam.getRole(roleName);
    return role && isOwnedRoleFor(role.tags, clusterInfo.arn, namespace, name)
      ? otherMechanism(role, mechanism, clusterInfo)
      : undefined;
  };
  const taken = prefill.attachRoleArn || prefill.roleName ? undefined : await takenBy(suggested);
  if (taken) {
    const separate = defaultRoleName(cluster, namespace, `${name}-${mechanism}`);
    const keep =
      mechanismAsked &&
      (await ask.select(
        `${namespace}/${name} is bound through ${MECHANISM_NAMES[taken]} with iamsa's role ${suggested}. Which do you want?`,
        [
          { name: `Keep ${MECHANISM_NAMES[taken]} with that role`, value: true },
          {
            name: `${MECHANISM_NAMES[mechanism]} with a separate role (${separate})`,
            value: false,
            description: `${suggested} stays ${aRoleOf(taken)}: making it ${aRoleOf(mechanism)} would cut off the pods that use it now`,
          },
        ],
        true,
      ));
    if (keep) mechanism = taken;
    else {
      if (!mechanismAsked)
        ask.say(
          `${namespace}/${name} is bound through ${MECHANISM_NAMES[taken]} with iamsa's role ${suggested}, which stays so: ${MECHANISM_NAMES[mechanism]} needs a separate role.`,
        );
      suggested = separate;
    }
  }
  const podIdentity = mechanism === 'pod-identity';
  // The role this mechanism binds it to today: the one an override would replace.
  const current = podIdentity
    ? listed?.associations.find((a) => a.serviceAccount === name)?.roleArn
    : listed?.accounts.find((sa) => sa.name === name)?.annotations[ROLE_ARN_ANNOTATION];
  const permissions = prefill.attachRoleArn
    ? { policyArns: [] }
    : prefill.policyArns?.length || prefill.inlinePolicy || prefill.wellKnownPolicies
      ? {
          policyArns: prefill.policyArns ?? [],
          inlinePolicy: prefill.inlinePolicy,
          wellKnownPolicies: prefill.wellKnownPolicies,
        }
      : await pickPermissions(session.iam, ask, reporter, deps.readPolicyFile);
  let roleName = prefill.attachRoleArn ? undefined : prefill.roleName;
  while (!prefill.attachRoleArn && roleName === undefined) {
    const answer = (
      await ask.input('Role name', { default: suggested, validate: check(validateRoleName) })
    ).trim();
    const other = await takenBy(answer);
    if (!other) roleName = answer;
    else
      ask.say(
        `Role ${answer} is iamsa's ${MECHANISM_NAMES[other]} role for ${namespace}/${name}: making it ${aRoleOf(mechanism)} would cut off the pods that use it now. Choose another name.`,
      );
  }

  // Re-running on a service account already bound to this very role is no override.
  const ours = prefill.attachRoleArn
    ? current !== undefined && sameRoleArn(current, prefill.attachRoleArn)
    : current !== undefined &&
      parseArn(current)?.accountId === clusterInfo.accountId &&
      roleNameOf(current).toLowerCase() === roleName?.toLowerCase();
  if (current && !ours && !overrideExisting) {
    overrideExisting = await ask.confirm(
      `${namespace}/${name} already uses role ${current}. Point it at the new role instead?`,
      false,
    );
    if (!overrideExisting) throw new CancelledError('nothing was changed');
  }

  const spec: BindingSpec = {
    cluster,
    namespace,
    name,
    ...permissions,
    attachRoleArn: prefill.attachRoleArn,
    roleName: roleName === defaultRoleName(cluster, namespace, name) ? undefined : roleName,
    rolePath: prefill.rolePath,
    permissionsBoundary: prefill.permissionsBoundary,
    tags: prefill.tags ?? {},
    roleOnly: prefill.roleOnly ?? false,
    overrideExisting,
    createNamespace,
    // --target-role-arn and --disable-session-tags are not asked: given as flags, they are kept.
    ...(podIdentity
      ? {
          mechanism: 'pod-identity' as const,
          ...(prefill.targetRoleArn !== undefined ? { targetRoleArn: prefill.targetRoleArn } : {}),
          ...(prefill.disableSessionTags ? { disableSessionTags: true } : {}),
        }
      : {}),
    source: prefill.source,
  };
  const binding = await planBinding(session, checkBinding(spec));
  const providerArn = podIdentity ? undefined : (await session.oidc()).providerArn;
  const header = {
    command: 'create-serviceaccount',
    cluster,
    region: session.region,
    providerArn,
    warnings: session.warnings,
  };
  const plan = composePlan(header, [binding], reporter, { failAsCommand: true });
  ask.show(plan.result);
  // The provider made on the way belongs to the result too (applied already, so not run again).
  const withEnabled = (result: CommandResult): CommandResult =>
    enabledSteps.length
      ? {
          ...result,
          applied: true,
          changed: true,
          steps: [...publicSteps(enabledSteps), ...result.steps],
        }
      : result;
  if (!plan.result.changed) {
    return { spec, result: withEnabled(plan.result), bound: plan.result };
  }
  if (!(await ask.confirm('Apply these changes?', false)))
    throw new PlanDeclinedError('nothing was changed', spec);
  const applied = await plan.apply();
  return { spec, result: withEnabled(applied), bound: applied };
}

/**
 * Whether the cluster can do Pod Identity (its agent add-on is there, or EKS Auto Mode), to offer
 * the choice; otherwise IRSA without a question. Only to offer it: a refused read means no.
 */
async function canDoPodIdentity(session: ClusterSession): Promise<boolean> {
  const [cluster, agent] = await Promise.all([
    session.cluster(),
    session.reporter
      .progress(`Checking the ${POD_IDENTITY_AGENT} add-on`, () =>
        session.eks.describeAddon(session.name, POD_IDENTITY_AGENT),
      )
      .catch(() => undefined),
  ]);
  try {
    return requireAgent(session, cluster, { agent }).length === 0;
  } catch {
    return false;
  }
}

/** How pods get the role: IRSA (annotation, OIDC provider) or EKS Pod Identity (association). */
function askMechanism(ask: Prompter): Promise<Mechanism> {
  return ask.select<Mechanism>(
    'How should pods get the role?',
    [
      {
        name: 'IRSA',
        value: 'irsa',
        description:
          "the service account is annotated with the role; needs the cluster's OIDC provider",
      },
      {
        name: 'EKS Pod Identity',
        value: 'pod-identity',
        description: 'an EKS association binds the role; needs the eks-pod-identity-agent add-on',
      },
    ],
    'irsa',
  );
}

/** Step 1: the cluster, listed with whether IRSA is enabled; its description is kept. */
async function pickCluster(
  aws: AwsAccess,
  ask: Prompter,
  reporter: Reporter,
): Promise<ClusterInfo> {
  const rows = await reporter.progress(`Listing EKS clusters in ${aws.region}`, async () => {
    const names = await aws.eks.listClusters();
    return mapConcurrent(names, 8, async (cluster) => {
      const info = await aws.eks.describeCluster(cluster);
      const arn = info.issuer ? clusterOidc(info).providerArn : undefined;
      const provider = arn ? await aws.iam.getOidcProvider(arn) : undefined;
      return { info, enabled: !!provider };
    });
  });
  if (!rows.length) {
    throw new PreconditionError(`no EKS clusters in region ${aws.region}`, {
      hint: 'pick another region, or create a cluster first',
    });
  }
  return ask.select(
    'EKS cluster',
    rows.map((r) => ({
      name: `${r.info.name}  ${r.enabled ? '(OIDC provider: yes)' : '(OIDC provider: missing)'}`,
      value: r.info,
    })),
  );
}

/** Step 1b: the cluster's OIDC provider, made with enable-oidc's own plan when it is missing. */
async function ensureOidcProvider(
  session: ClusterSession,
  ask: Prompter,
): Promise<{ steps: PlanStep[] } | undefined> {
  const plan = await planEnableOidc(session, { cluster: session.name, thumbprints: [], tags: [] });
  if (!plan.result.changed) return undefined;
  ask.say(
    `Cluster ${session.name} needs its IAM OIDC provider for IRSA. This is what enabling it does:`,
  );
  ask.show(plan.result);
  if (!(await ask.confirm('Enable it now?', true)))
    throw new OidcDeclinedError(session.name, session.region);
  const result = await plan.apply();
  return { steps: result.steps.map((s) => ({ ...s, phase: 0 })) };
}

interface Permissions {
  policyArns: string[];
  inlinePolicy?: InlinePolicy;
  wellKnownPolicies?: Record<string, WellKnownScope>;
}

/** Step 3: the well-known controllers first, then IAM policies and a JSON file as before. */
async function pickPermissions(
  iam: IamGateway,
  ask: Prompter,
  reporter: Reporter,
  readPolicyFile: (path: string) => InlinePolicy,
): Promise<Permissions> {
  const wellKnown = await pickWellKnown(ask);
  if (wellKnown && !(await ask.confirm('Also attach IAM policies or a JSON policy file?', false)))
    return { policyArns: [], wellKnownPolicies: wellKnown };
  return {
    ...(await pickPolicies(iam, ask, reporter, readPolicyFile)),
    wellKnownPolicies: wellKnown,
  };
}

const OTHER = Symbol('other');

/** "What will this service account run?": well-known keys, each with the scope it needs. */
async function pickWellKnown(ask: Prompter): Promise<Record<string, WellKnownScope> | undefined> {
  const picked: Record<string, WellKnownScope> = {};
  for (;;) {
    const first = Object.keys(picked).length === 0;
    const key = await ask.select<string | typeof OTHER>(
      first ? 'What will this service account run?' : 'Which other controller?',
      [
        ...(first
          ? [{ name: 'Something else: choose IAM policies', value: OTHER as typeof OTHER }]
          : []),
        ...WELL_KNOWN_POLICIES.filter((p) => !(p.key in picked)).map((p) => ({
          name: p.key,
          value: p.key,
          description: `${p.grants} (default: ${p.defaultScope})`,
        })),
      ],
    );
    if (key === OTHER) return undefined;
    picked[key] = await askScope(ask, key);
    if (!(await ask.confirm('Add another well-known policy?', false))) return picked;
  }
}

/** The scope fields a key cannot do without (or must choose), validated as the flags are. */
async function askScope(ask: Prompter, key: string): Promise<WellKnownScope> {
  const policy = findWellKnown(key);
  const scope: WellKnownScope = {};
  const requiredByRule = policy?.requires?.({
    list: () => [],
    choice: () => '',
    flag: () => false,
  });
  for (const field of policy?.fields ?? []) {
    if (field.kind === 'choice') {
      scope[field.name] = await ask.select(
        `${key}: ${field.description}`,
        field.choices.map((c) => ({ name: c, value: c })),
        field.default,
      );
    } else if (
      field.kind === 'arns' &&
      (field.required || requiredByRule?.startsWith(field.name))
    ) {
      const answer = await ask.input(
        `${key}: ${field.noun} ARNs (comma-separated; e.g. ${field.example})`,
        {
          validate: check((value) =>
            checkWellKnown({ [key]: { ...scope, [field.name]: value } }, WIZARD_SCOPE_LABELS),
          ),
        },
      );
      scope[field.name] = answer.trim();
    }
  }
  return scope;
}

const WIZARD_SCOPE_LABELS: ScopeLabels = { keys: 'the answer', field: (k, f) => `${k}.${f}` };

/** Managed policies found by name, an inline policy from a JSON file, or both. */
export async function pickPolicies(
  iam: IamGateway,
  ask: Prompter,
  reporter: Reporter,
  readPolicyFile: (path: string) => InlinePolicy,
): Promise<{ policyArns: string[]; inlinePolicy?: InlinePolicy }> {
  let catalogue: Promise<PolicySummary[]> | undefined;
  // Listed once per session, lazily: AWS-managed and the account's own policies together.
  const policies = () =>
    (catalogue ??= reporter.progress('Loading IAM policies', async () => {
      const [own, managed] = await Promise.all([
        iam.listPolicies('Local'),
        iam.listPolicies('AWS'),
      ]);
      // iamsa's per-binding policies (iamsa-<role>-<key>) belong to their binding: not offered.
      return [...own.filter((p) => !isWellKnownPolicyName(p.name)), ...managed];
    }));
  const policyArns: string[] = [];
  let inlinePolicy: InlinePolicy | undefined;
  const how = await ask.select('Permissions for the role', [
    { name: 'Attach IAM policies (search by name)', value: 'managed' },
    { name: 'An inline policy from a JSON file', value: 'file' },
    { name: 'Both', value: 'both' },
  ]);
  if (how !== 'file') {
    await policies();
    do {
      const arn = await ask.search<string>('Policy (type to filter)', async (term) => {
        const needle = term.toLowerCase();
        const list = (await policies()).filter(
          (p) => !policyArns.includes(p.arn) && (!needle || p.name.toLowerCase().includes(needle)),
        );
        // Exact name first, then names that start with what was typed, then the rest.
        const rank = (name: string) => {
          const n = name.toLowerCase();
          return n === needle ? 0 : n.startsWith(needle) ? 1 : 2;
        };
        list.sort((a, b) => rank(a.name) - rank(b.name));
        return list.slice(0, 50).map((p): Choice<string> => ({
          name: `${p.name}${p.awsManaged ? '' : '  (this account)'}`,
          value: p.arn,
          description: p.arn,
        }));
      });
      policyArns.push(arn);
    } while (await ask.confirm('Attach another policy?', false));
  }
  if (how !== 'managed') {
    const path = (
      await ask.input('Path of the JSON policy file', { validate: check(readPolicyFile) })
    ).trim();
    inlinePolicy = readPolicyFile(path);
  }
  return { policyArns, inlinePolicy };
}
