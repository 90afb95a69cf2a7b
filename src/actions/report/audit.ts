// Use case: every role of the account that this cluster's tokens can assume, judged against every
// service account and pod of the cluster. One ListRoles walk (it returns the trusts), one list of
// service accounts, one of pods; read-only.
import { coded, warningDetails } from '../engine/warning-kinds.js';
import type { EksGateway } from '../../aws/eks.js';
import type { IamGateway } from '../../aws/iam.js';
import type { KubeAccess } from '../../kube/connection.js';
import {
  parseArn,
  parseTrustPolicy,
  type PolicyDocument,
  roleNameOf,
  sameRoleArn,
} from '../../policy/index.js';
import {
  auditFindings,
  type AuditState,
  rolesAdmittingOthers,
  sortFindings,
} from './audit-irsa.js';
import { podIdentityFindings } from './audit-pod-identity.js';
import { kube2iamFindings } from './audit-kube2iam.js';
import { readAgentOrWarn } from '../binding/plan-pod-identity.js';
import { readAssociationsOrWarn } from '../binding/pod-identity-associations.js';
import { openClusterSession, type RegionAccess } from '../binding/cluster-session.js';
import { mapConcurrent } from '../engine/concurrency.js';
import {
  auditExitCode,
  type AuditReport,
  countBy,
  REPORT_SCHEMA_VERSION,
  SEVERITIES,
  type Severity,
} from './report.js';
import type { Reporter } from '../engine/reporter.js';

export interface AuditInput {
  cluster: string;
  kube: KubeAccess;
  failOn?: Exclude<Severity, 'info'>;
}

export interface AuditDeps extends RegionAccess {
  reporter: Reporter;
  /** EKS of another region, to tell whether another region's issuer still has a cluster. */
  eksIn?: (region: string) => EksGateway;
}

const EKS_ISSUER_HOST = /^oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/id\//;

export async function runAudit(input: AuditInput, deps: AuditDeps): Promise<AuditReport> {
  const { reporter } = deps;
  const session = openClusterSession(deps, { cluster: input.cluster, kube: input.kube, reporter });
  const kube = session.kube();
  void kube.catch(() => undefined);
  const [cluster, oidc, roles, providerArns, gateway] = await Promise.all([
    session.cluster(),
    session.oidc(),
    reporter.progress('Listing IAM roles', () => session.iam.listRoles()),
    session.iam.listOidcProviderArns(),
    kube.then((k) => k.gateway),
  ]);
  const [serviceAccounts, pods, associations, agent] = await Promise.all([
    reporter.progress('Listing service accounts', () => gateway.listServiceAccounts()),
    reporter.progress('Listing pods', () => gateway.listAllPods()),
    readAssociationsOrWarn(session),
    readAgentOrWarn(session, session.warnings),
  ]);
  session.warnings.forEach((w) => reporter.warn(w));
  const parsed = roles.flatMap((role) => {
    try {
      return [{ role, trust: parseTrustPolicy(role.trustPolicy, `the trust of ${role.name}`) }];
    } catch {
      return [];
    }
  });
  const named = new Set(
    parsed.flatMap(({ trust }) => federatedProviders(trust)).filter((a) => a !== oidc.providerArn),
  );
  const state: AuditState = {
    context: {
      cluster: input.cluster,
      region: deps.region,
      profile: deps.profile,
      kube: input.kube,
    },
    cluster,
    oidc,
    roles: parsed,
    serviceAccounts,
    pods,
    goneProviders: await goneProviders([...named], new Set(providerArns), deps),
  };
  // ListRoles returns no tags: read them for the roles with findings (a few), to tell iamsa's
  // bindings from findings. Only to be thorough: a refusal leaves the findings as they are.
  // And the roles of the associations: whether each was made for the association's account.
  const untagged = auditFindings(state);
  const flagged = [
    ...new Set([
      ...untagged.findings.flatMap((f) => f.role ?? []),
      ...rolesAdmittingOthers(untagged.roles),
      ...(associations ?? []).map((a) => a.roleArn),
    ]),
  ].flatMap((arn) => parsed.find(({ role }) => sameRoleArn(role.arn, arn))?.role.arn ?? []);
  state.tags = await readTags(session.iam, flagged, reporter);
  const { findings: irsa, roles: audited } = auditFindings(state);
  const findings = sortFindings([
    ...irsa,
    ...podIdentityFindings({
      context: state.context,
      cluster,
      roles: parsed,
      serviceAccounts,
      associations: associations ?? [],
      ...(agent ? { agent } : {}),
      tags: state.tags,
    }),
    ...(await kube2iamFindings(
      state.context,
      oidc.providerArn,
      parsed,
      (name) => session.iam.getRole(name),
      (w) => reporter.warn(coded('IRSA-W043', w)),
    )),
  ]);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    command: 'audit',
    cluster: input.cluster,
    region: deps.region,
    providerArn: oidc.providerArn,
    serviceAccounts: serviceAccounts.length,
    associations: associations?.length ?? 0,
    pods: pods.length,
    roles: audited,
    findings,
    ...(session.warnings.length
      ? { warnings: [...session.warnings], warningDetails: warningDetails(session.warnings) }
      : {}),
    summary: countBy(
      SEVERITIES,
      findings.map((f) => f.severity),
    ),
    ...(input.failOn ? { failOn: input.failOn } : {}),
    exitCode: auditExitCode(findings, input.failOn),
  };
}

function federatedProviders(trust: PolicyDocument): string[] {
  return trust.Statement.flatMap((s) => {
    const p = s.Principal;
    if (typeof p !== 'object' || p === null || p.Federated === undefined) return [];
    return ([] as string[])
      .concat(p.Federated)
      .filter((arn) => parseArn(arn)?.resource.startsWith('oidc-provider/'));
  });
}

/** Which of these providers are gone: deleted from IAM, or their EKS cluster no longer exists. */
async function goneProviders(
  arns: string[],
  existing: Set<string>,
  deps: AuditDeps,
): Promise<Map<string, string>> {
  const issuers = new Map<string, Promise<Set<string> | undefined>>();
  const issuersIn = (region: string) => {
    let p = issuers.get(region);
    if (!p) {
      p = clusterIssuers(region, deps);
      issuers.set(region, p);
    }
    return p;
  };
  const gone = new Map<string, string>();
  await mapConcurrent(arns, 4, async (arn) => {
    if (!existing.has(arn)) {
      gone.set(arn, 'a provider that no longer exists in IAM');
      return;
    }
    const host = (parseArn(arn)?.resource ?? '').slice('oidc-provider/'.length);
    const region = EKS_ISSUER_HOST.exec(host)?.[1];
    if (!region) return;
    const known = await issuersIn(region);
    if (known && !known.has(host.toLowerCase())) {
      gone.set(arn, `whose cluster no longer exists (no EKS cluster in ${region} has that issuer)`);
    }
  });
  return gone;
}

/** The issuer host paths of every cluster of a region, or undefined when they cannot be read. */
async function clusterIssuers(region: string, deps: AuditDeps): Promise<Set<string> | undefined> {
  const eks = region === deps.region ? deps.eks : deps.eksIn?.(region);
  if (!eks) return undefined;
  try {
    const names = await deps.reporter.progress(`Listing EKS clusters in ${region}`, () =>
      eks.listClusters(),
    );
    const described = await mapConcurrent(names, 4, (name) => eks.describeCluster(name));
    return new Set(
      described.flatMap((c) =>
        c.issuer
          ? [
              c.issuer
                .replace(/^https:\/\//i, '')
                .replace(/\/+$/, '')
                .toLowerCase(),
            ]
          : [],
      ),
    );
  } catch (error) {
    deps.reporter.warn(
      coded(
        'IRSA-W044',
        `cannot tell which clusters exist in ${region} (${(error as Error).message}); trusts of its providers are not judged`,
      ),
    );
    return undefined;
  }
}

/** The tags of these roles by ARN; a role that cannot be read is left out, with one warning. */
async function readTags(
  iam: IamGateway,
  arns: string[],
  reporter: Reporter,
): Promise<Map<string, Record<string, string>>> {
  const tags = new Map<string, Record<string, string>>();
  const failed: string[] = [];
  await mapConcurrent(arns, 8, async (arn) => {
    try {
      const role = await iam.getRole(roleNameOf(arn));
      if (role) tags.set(arn, role.tags);
    } catch (error) {
      failed.push(`${roleNameOf(arn)} (${(error as Error).message})`);
    }
  });
  if (failed.length) {
    reporter.warn(
      coded(
        'IRSA-W043',
        `could not read the tags of ${failed.length} role(s), so iamsa's own bindings among them are reported as findings: ${failed.slice(0, 3).join('; ')}`,
      ),
    );
  }
  return tags;
}
