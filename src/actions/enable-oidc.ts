// Use case: register the cluster's OIDC issuer as an IAM identity provider (once per cluster).
import type { EksGateway } from '../aws/eks.js';
import type { IamGateway } from '../aws/iam.js';
import type { ThumbprintResult } from '../aws/thumbprint.js';
import { ValidationError } from '../errors.js';
import {
  isManagedByIamsa,
  MAX_THUMBPRINTS,
  STS_AUDIENCE,
  mergeTags,
  parseTags,
  providerOwnershipTags,
  validateClusterName,
  validateThumbprints,
} from '../policy/index.js';
import { clusterOidc } from './cluster-oidc.js';
import {
  changedTags,
  describeTags,
  type Planned,
  type PlanStep,
  planned,
  started,
  step,
  updateStep,
} from './plan.js';
import type { Reporter } from './reporter.js';

export interface EnableOidcInput {
  cluster: string;
  thumbprints: string[];
  /** `k=v,k2=v2` strings as given on the command line. */
  tags: string[];
}

export interface EnableOidcDeps {
  region: string;
  eks: EksGateway;
  iam: IamGateway;
  fetchThumbprint: (issuerUrl: string) => Promise<ThumbprintResult>;
  reporter: Reporter;
}

export async function planEnableOidc(
  input: EnableOidcInput,
  deps: EnableOidcDeps,
): Promise<Planned> {
  validateClusterName(input.cluster);
  const thumbprints = validateThumbprints(input.thumbprints);
  const userTags = parseTags(input.tags);
  const tags = mergeTags(userTags, providerOwnershipTags(input.cluster));
  const { reporter, iam } = deps;

  const cluster = await reporter.progress(`Reading cluster ${input.cluster}`, () =>
    deps.eks.describeCluster(input.cluster),
  );
  const { issuer, providerArn: arn } = clusterOidc(cluster);
  // The thumbprint is only needed for a new provider, but fetching it alongside the lookup keeps
  // it off the critical path.
  const fetched = thumbprints.length ? undefined : started(deps.fetchThumbprint(issuer));
  const existing = await reporter.progress('Looking up the IAM OIDC provider', () =>
    iam.getOidcProvider(arn),
  );
  const warnings: string[] = [];
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
        `the OIDC provider is not iamsa's: its existing tags ${kept.map((k) => `${k}=${existing.tags[k]}`).join(', ')} are left as they are`,
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
    let useThumbprints = thumbprints;
    if (fetched) {
      const result = await fetched;
      if (result.thumbprint) useThumbprints = [result.thumbprint];
      else {
        warnings.push(
          `could not fetch the issuer's TLS thumbprint (${result.reason ?? 'unknown reason'}); the provider is created without one and IAM validates the issuer with its trusted CAs`,
        );
      }
    }
    steps.push(
      step({
        resource: 'oidc-provider',
        id: arn,
        action: 'create',
        changes: [
          `issuer ${issuer}`,
          `audience ${STS_AUDIENCE}`,
          useThumbprints.length ? `thumbprint ${useThumbprints.join(',')}` : 'no thumbprint',
          `tags ${describeTags(tags)}`,
        ],
        phase: 1,
        run: async () => {
          await iam.createOidcProvider({
            url: issuer,
            clientIds: [STS_AUDIENCE],
            thumbprints: useThumbprints,
            tags,
          });
        },
      }),
    );
  }
  warnings.forEach((w) => reporter.warn(w));
  const result = {
    command: 'enable-oidc',
    cluster: input.cluster,
    region: deps.region,
    providerArn: arn,
    warnings,
  };
  return planned(result, steps, reporter);
}
