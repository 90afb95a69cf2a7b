// Use case: register the cluster's OIDC issuer as an IAM identity provider (once per cluster).
import { coded, type Warning } from '../engine/warning-kinds.js';
import { ValidationError } from '../../errors.js';
import type { Reporter } from '../engine/reporter.js';
import {
  isManagedByIamsa,
  MAX_THUMBPRINTS,
  STS_AUDIENCE,
  mergeTags,
  parseTags,
  providerOwnershipTags,
  validateClusterName,
  validateThumbprints,
} from '../../policy/index.js';
import {
  type ClusterSession,
  openClusterSession,
  type RegionAccess,
} from '../binding/cluster-session.js';
import {
  changedTags,
  describeTags,
  composePlan,
  type Planned,
  type PlanStep,
  step,
  updateStep,
} from '../engine/plan.js';

export interface EnableOidcInput {
  cluster: string;
  thumbprints: string[];
  /** `k=v,k2=v2` strings as given on the command line. */
  tags: string[];
}

/** Checks the input before the first call (the session for input.cluster is opened after). */
export function checkEnableOidc(input: EnableOidcInput) {
  validateClusterName(input.cluster);
  const thumbprints = validateThumbprints(input.thumbprints);
  const userTags = parseTags(input.tags);
  mergeTags(userTags, providerOwnershipTags(input.cluster));
  return { thumbprints, userTags };
}

/** The provider's step alone: the wizard runs it before planning the binding. */
export async function planEnableOidcSteps(
  session: ClusterSession,
  input: EnableOidcInput,
): Promise<{ steps: PlanStep[]; warnings: Warning[]; providerArn: string }> {
  const { thumbprints, userTags } = checkEnableOidc(input);
  const tags = mergeTags(userTags, providerOwnershipTags(input.cluster));
  const { reporter, iam } = session;
  const { issuer, providerArn: arn } = await session.oidc();
  const existing = await session.provider();
  const warnings: Warning[] = [];
  const steps: PlanStep[] = [];

  if (existing) {
    // The provider may be eksctl's or Terraform's: add what is asked for, never remove or rewrite.
    const owned = isManagedByIamsa(existing.tags);
    const addThumbprints = thumbprints.filter((t) => !existing.thumbprints.includes(t));
    const allThumbprints = [...existing.thumbprints, ...addThumbprints];
    if (allThumbprints.length > MAX_THUMBPRINTS) {
      throw new ValidationError(
        `the provider already has ${existing.thumbprints.length} thumbprints; adding ${addThumbprints.length} would exceed IAM's ${MAX_THUMBPRINTS}`,
        {
          hint: `remove stale ones first: aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn ${arn} --thumbprint-list ...`,
        },
      );
    }
    const wanted = changedTags(userTags, existing.tags);
    const kept = owned ? [] : Object.keys(wanted).filter((k) => k in existing.tags);
    const tags = Object.fromEntries(Object.entries(wanted).filter(([k]) => !kept.includes(k)));
    if (kept.length) {
      warnings.push(
        coded(
          'IRSA-W024',
          `the OIDC provider is not iamsa's: its existing tags ${kept.map((k) => `${k}=${existing.tags[k]}`).join(', ')} are left as they are`,
        ),
      );
    }
    steps.push(
      updateStep('oidc-provider', arn, 1, [
        !existing.clientIds.includes(STS_AUDIENCE) && {
          change: `add audience ${STS_AUDIENCE}`,
          run: () => iam.addOidcClientId(arn, STS_AUDIENCE),
        },
        addThumbprints.length > 0 && {
          change: `add thumbprints ${addThumbprints.join(',')} (keeping ${existing.thumbprints.join(',') || 'none'})`,
          run: () => iam.updateOidcThumbprints(arn, allThumbprints),
        },
        Object.keys(tags).length > 0 && {
          change: `tags: ${describeTags(tags)}`,
          run: () => iam.tagOidcProvider(arn, tags),
        },
      ]),
    );
  } else {
    // No thumbprint unless given: IAM validates EKS issuers against its trusted CAs.
    steps.push(
      step({
        resource: 'oidc-provider',
        id: arn,
        action: 'create',
        changes: [
          `issuer ${issuer}`,
          `audience ${STS_AUDIENCE}`,
          thumbprints.length ? `thumbprint ${thumbprints.join(',')}` : 'no thumbprint',
          `tags ${describeTags(tags)}`,
        ],
        phase: 1,
        run: async () => {
          await iam.createOidcProvider({
            url: issuer,
            clientIds: [STS_AUDIENCE],
            thumbprints,
            tags,
          });
        },
      }),
    );
  }
  warnings.forEach((w) => reporter.warn(w));
  // Whatever apply changes, later readers of the session look the provider up again.
  const forgetting = steps.map((s) => {
    const run = s.run;
    return run ? { ...s, run: () => run().finally(() => session.forgetProvider()) } : s;
  });
  return { steps: forgetting, warnings, providerArn: arn };
}

export async function planEnableOidc(
  session: ClusterSession,
  input: EnableOidcInput,
): Promise<Planned> {
  const { steps, warnings, providerArn } = await planEnableOidcSteps(session, input);
  return composePlan(
    {
      command: 'enable-oidc',
      cluster: input.cluster,
      region: session.region,
      providerArn,
      warnings,
    },
    [],
    session.reporter,
    { extra: steps },
  );
}

export interface EnableOidcCommandDeps extends RegionAccess {
  reporter: Reporter;
}

/** The enable-oidc command: input checked before its first call, then one cluster session. */
export function planEnableOidcCommand(
  input: EnableOidcInput,
  deps: EnableOidcCommandDeps,
): Promise<Planned> {
  checkEnableOidc(input);
  const session = openClusterSession(deps, {
    cluster: input.cluster,
    kube: { mode: 'eks' },
    reporter: deps.reporter,
  });
  return planEnableOidc(session, input);
}
