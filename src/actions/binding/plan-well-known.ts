// Plans how a binding's well-known policies land in IAM: AWS-managed ones are attached like
// --attach-policy-arn (by planRole); the others become iamsa's own customer-managed policies, one
// per key and binding (`<role>-<key>`, decisions/0009), tagged as iamsa's, versioned when their document
// changes, and (when pruning) detached and deleted once their key is gone.
import { coded, type Warning } from '../engine/warning-kinds.js';
import type { ClusterInfo } from '../../aws/eks.js';
import type { IamGateway, ManagedPolicy } from '../../aws/iam.js';
import { AlreadyExistsError, ConflictError } from '../../errors.js';
import {
  buildWellKnown,
  type BuiltWellKnown,
  decodePolicyText,
  defaultManagedArns,
  findWellKnown,
  isOwnedRoleFor,
  parseJsonText,
  type PolicyDocument,
  roleOwner,
  roleOwnershipTags,
  sameJson,
  TAG_WELL_KNOWN,
  legacyWellKnownPolicyName,
  rolesToLookUp,
  wellKnownPolicyName,
  type WellKnownContext,
} from '../../policy/index.js';
import { labelOf } from './spec.js';
import type { CheckedBinding } from './check.js';
import { mapConcurrent } from '../engine/concurrency.js';
import { optionalRead } from '../engine/optional-read.js';
import { changedTags, describeTags, type PlanStep, step, updateStep } from '../engine/plan.js';

/** IAM keeps at most five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;
/** Parts a split policy may have; more would exceed what a role can attach anyway. */
const MAX_PARTS = 4;

/** One customer-managed policy iamsa wants for a key (a key split for size has several). */
export interface WantedPolicy {
  key: string;
  part: number;
  name: string;
  arn: string;
  document: PolicyDocument;
}

export interface WellKnownWanted {
  /** The role the policies are named after and attached to. */
  roleName: string;
  built: BuiltWellKnown[];
  /** AWS-managed ARNs to attach as they are. */
  managedArns: string[];
  policies: WantedPolicy[];
  warnings: Warning[];
}

export const wellKnownContext = (cluster: ClusterInfo): WellKnownContext => ({
  partition: cluster.partition,
  accountId: cluster.accountId,
  region: cluster.region,
  clusterName: cluster.name,
});

const policyArnOf = (cluster: ClusterInfo, name: string) =>
  `arn:${cluster.partition}:iam::${cluster.accountId}:policy/${name}`;

/**
 * The cluster's context with the roles the binding's keys default by (Karpenter's node role)
 * looked up: an optional read, so a denied GetRole leaves them unknown with a warning.
 */
export async function wellKnownContextFor(
  iam: IamGateway,
  input: CheckedBinding,
  cluster: ClusterInfo,
  warnings: Warning[],
): Promise<WellKnownContext> {
  const ctx = wellKnownContext(cluster);
  const names = [...new Set(input.wellKnown.flatMap((c) => rolesToLookUp(c, ctx)))];
  if (!names.length) return ctx;
  const found = await optionalRead(
    warnings,
    {
      call: 'iam:GetRole',
      unchecked: `which of the roles ${names.join(', ')} exist (the well-known policies' defaults)`,
    },
    () => mapConcurrent(names, 4, (name) => iam.getRole(name)),
  );
  return found ? { ...ctx, roles: new Map(names.map((n, i) => [n, found[i]?.arn])) } : ctx;
}

/** What the binding's keys stand for on this cluster (ctx: wellKnownContextFor's). */
export function wantedWellKnown(
  input: CheckedBinding,
  cluster: ClusterInfo,
  /** The role the policies are named after: the binding's, or where an update found it. */
  roleName: string,
  ctx: WellKnownContext = wellKnownContext(cluster),
): WellKnownWanted {
  const built = input.wellKnown.map((checked) => buildWellKnown(checked, ctx));
  const policies = built.flatMap((b) =>
    b.documents.map((document, i) => {
      const name = wellKnownPolicyName(roleName, b.key, i + 1);
      return { key: b.key, part: i + 1, name, arn: policyArnOf(cluster, name), document };
    }),
  );
  return {
    roleName,
    built,
    managedArns: [...new Set(built.flatMap((b) => b.managedArns))],
    policies,
    // The notes of src/policy's well-known modules, coded here.
    warnings: built.flatMap((b) => b.warnings.map((w) => coded('IRSA-W020', w))),
  };
}

/** The keys an update removes, and the AWS-managed ARNs they attach (to detach them too). */
export function removedWellKnown(
  input: CheckedBinding,
  cluster: ClusterInfo,
): { keys: string[]; managedArns: string[] } {
  const policies = (input.update?.removeWellKnownPolicies ?? []).flatMap(
    (k) => findWellKnown(k) ?? [],
  );
  return {
    keys: policies.map((p) => p.key),
    managedArns: policies.flatMap((p) => defaultManagedArns(p, cluster.partition)),
  };
}

/**
 * The ARNs of iamsa's policies for these keys that the role has but that are not wanted (a
 * removed key, a part no longer needed): only those attached to the role are candidates.
 */
export function staleCandidates(
  input: CheckedBinding,
  cluster: ClusterInfo,
  wanted: WellKnownWanted,
  attached: string[],
  keys: string[],
): string[] {
  if (input.attachRole) return [];
  const wantedArns = new Set(wanted.policies.map((p) => p.arn));
  // The names of the scheme before decisions/0009 too: such a policy is replaced, not kept.
  const possible = keys.flatMap((key) =>
    Array.from({ length: MAX_PARTS }, (_, i) =>
      [wellKnownPolicyName, legacyWellKnownPolicyName].map((name) =>
        policyArnOf(cluster, name(wanted.roleName, key, i + 1)),
      ),
    ).flat(),
  );
  return possible.filter((arn) => attached.includes(arn) && !wantedArns.has(arn));
}

/** Reads the policies (and their default documents) by ARN, a few at a time. */
export async function readManagedPolicies(
  iam: IamGateway,
  arns: string[],
): Promise<Map<string, ManagedPolicy | undefined>> {
  const found = await mapConcurrent(arns, 4, (arn) => iam.getManagedPolicy(arn));
  return new Map(arns.map((arn, i) => [arn, found[i]]));
}

export interface WellKnownPlan {
  steps: PlanStep[];
  /** ARNs that will be attached (iamsa's own policies), for the role's counts and warnings. */
  attachedArns: string[];
  /** ARNs that will be detached and deleted. */
  prunedArns: string[];
  warnings: Warning[];
}

export interface WellKnownState {
  /** What the role has attached now (empty for a new role). */
  attached: string[];
  policies: Map<string, ManagedPolicy | undefined>;
  /** ARNs of stale policies to prune (read into `policies` too). */
  stale: string[];
}

export function planWellKnown(
  iam: IamGateway,
  input: CheckedBinding,
  cluster: ClusterInfo,
  wanted: WellKnownWanted,
  state: WellKnownState,
): WellKnownPlan {
  const tagsFor = (key: string) => ({
    ...roleOwnershipTags(input.cluster, input.namespace, input.name, cluster.arn),
    [TAG_WELL_KNOWN]: key,
  });
  const owned = (p: ManagedPolicy) =>
    isOwnedRoleFor(p.tags, cluster.arn, input.namespace, input.name);
  const role = wanted.roleName;
  const steps: PlanStep[] = [];
  const warnings = [...wanted.warnings];

  for (const w of wanted.policies) {
    const current = state.policies.get(w.arn);
    const document = JSON.stringify(w.document);
    const tags = tagsFor(w.key);
    const attached = state.attached.includes(w.arn);
    const attach = () => iam.attachPolicy(role, w.arn);
    const label = `well-known ${w.key}${w.part > 1 ? ` (part ${w.part})` : ''}`;
    if (!current) {
      const policy = input.wellKnown.find((c) => c.policy.key === w.key)?.policy;
      steps.push(
        step({
          resource: 'managed-policy',
          id: w.arn,
          action: 'create',
          changes: [
            `${label}: ${policy?.grants ?? ''} (${w.document.Statement.length} statements)`,
            ...scopeLines(input, w.key),
            `tags ${describeTags(tags)}`,
            `attach to ${role}`,
          ],
          phase: 2,
          run: async () => {
            try {
              await iam.createManagedPolicy({
                name: w.name,
                path: '/',
                document,
                description: `${label} for ${input.namespace}/${input.name} in EKS cluster ${input.cluster}, managed by iamsa`,
                tags,
              });
            } catch (error) {
              // A concurrent run made it (or our own answer was lost): converge it if it is ours.
              if (!(error instanceof AlreadyExistsError)) throw error;
              const now = await iam.getManagedPolicy(w.arn);
              if (!now || !owned(now)) throw now ? policyConflict(now, input) : error;
              if (!sameDocument(now.document, w.document)) await newVersion(iam, w.arn, document);
            }
            await attach();
          },
        }),
      );
      continue;
    }
    if (!owned(current)) throw policyConflict(current, input);
    const changed = changedTags(tags, current.tags);
    steps.push(
      updateStep('managed-policy', w.arn, 2, [
        !sameDocument(current.document, w.document) && {
          change: `new default version: ${documentChange(current.document, w.document)}`,
          run: () => newVersion(iam, w.arn, document),
        },
        !attached && { change: `attach to ${role}`, run: attach },
        Object.keys(changed).length > 0 && {
          change: `tags ${describeTags(changed)}`,
          run: () => iam.tagPolicy(w.arn, changed),
        },
      ]),
    );
  }

  const prunedArns: string[] = [];
  for (const arn of state.stale) {
    const current = state.policies.get(arn);
    if (!current || !owned(current)) {
      // A file's role is detached from it (desired-role.ts); flags leave it attached.
      if (!input.declared)
        warnings.push(
          coded(
            'IRSA-W021',
            `policy ${arn} is attached to ${role} but is not iamsa's well-known policy for ${input.namespace}/${input.name}; left alone`,
          ),
        );
      continue;
    }
    prunedArns.push(arn);
    const key = current.tags[TAG_WELL_KNOWN] ?? 'removed key';
    if (current.attachmentCount > 1)
      warnings.push(coded('IRSA-W016', keptPolicy(arn, role, current.attachmentCount - 1)));
    steps.push(deletePolicyStep(iam, role, arn, key, current.attachmentCount));
  }
  return { steps, attachedArns: wanted.policies.map((p) => p.arn), prunedArns, warnings };
}

/**
 * Detach from the role, delete the non-default versions, then the policy (IAM's order). A policy
 * attached elsewhere too (by hand, or handed out) is only detached: deleting it would take it from
 * the others (`attachments` counts this role's).
 */
export function deletePolicyStep(
  iam: IamGateway,
  roleName: string,
  arn: string,
  key: string,
  attachments = 1,
): PlanStep {
  if (attachments > 1) {
    return step({
      resource: 'policy-attachment',
      id: arn,
      action: 'delete',
      changes: [`detach from ${roleName}`, keptPolicy(arn, roleName, attachments - 1)],
      phase: 2,
      run: () => iam.detachPolicy(roleName, arn),
    });
  }
  return step({
    resource: 'managed-policy',
    id: arn,
    action: 'delete',
    changes: [`well-known ${key}: detach from ${roleName}`, 'delete with its versions'],
    phase: 2,
    run: async () => {
      await iam.detachPolicy(roleName, arn);
      const versions = await iam.listPolicyVersions(arn);
      await Promise.all(
        versions.filter((v) => !v.isDefault).map((v) => iam.deletePolicyVersion(arn, v.versionId)),
      );
      await iam.deletePolicy(arn);
    },
  });
}

/** Why iamsa's policy for a binding stays when the binding lets go of it. */
export const keptPolicy = (arn: string, roleName: string, others: number) =>
  `well-known policy ${arn} of ${roleName} is kept: it is attached to ${others} other role(s), user(s) or group(s)`;

/** A new default version; at IAM's five, the oldest non-default one goes first. */
async function newVersion(iam: IamGateway, arn: string, document: string): Promise<void> {
  const versions = await iam.listPolicyVersions(arn);
  if (versions.length >= MAX_POLICY_VERSIONS) {
    const oldest = versions
      .filter((v) => !v.isDefault)
      .sort((a, b) => versionOrder(a) - versionOrder(b))[0];
    if (oldest) await iam.deletePolicyVersion(arn, oldest.versionId);
  }
  await iam.createPolicyVersion(arn, document);
}

/** Creation time when IAM gives it, else the number in `v7`. */
const versionOrder = (v: { versionId: string; created?: Date }) =>
  v.created?.getTime() ?? Number(v.versionId.replace(/\D/g, ''));

function parseStored(text: string): unknown {
  const what = 'the current policy version';
  return parseJsonText(decodePolicyText(text, what), what);
}

// What IAM holds may have been edited by hand: compare it, do not judge it.
const sameDocument = (stored: string, wanted: PolicyDocument) =>
  sameJson(parseStored(stored), wanted);

/** `+1 -1 statements`: which statements are new, which go. */
function documentChange(stored: string, wanted: PolicyDocument): string {
  const old = parseStored(stored) as { Statement?: unknown };
  const before = Array.isArray(old.Statement) ? old.Statement : [old.Statement];
  const added = wanted.Statement.filter((s) => !before.some((b) => sameJson(b, s))).length;
  const removed = before.filter((b) => !wanted.Statement.some((s) => sameJson(b, s))).length;
  return `statements +${added} -${removed}`;
}

function scopeLines(input: CheckedBinding, key: string): string[] {
  const values = input.wellKnown.find((c) => c.policy.key === key)?.values ?? {};
  return Object.entries(values).map(
    ([field, v]) => `${field}: ${Array.isArray(v) ? v.join(', ') : String(v)}`,
  );
}

function policyConflict(policy: ManagedPolicy, input: CheckedBinding): ConflictError {
  const owner = roleOwner(policy.tags);
  const whose = owner.managed
    ? `it is iamsa's policy for ${owner.namespace}/${owner.serviceAccount} in cluster ${owner.cluster}`
    : 'it is not managed by iamsa';
  return new ConflictError(
    `policy ${policy.arn} already exists and ${whose}; iamsa will not change it`,
    {
      hint: `choose another ${labelOf(input, 'roleName')}, or delete that policy if it is stale`,
    },
  );
}
