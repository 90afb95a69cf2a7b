// audit's view of a migration off kube2iam or kiam: a role migrate-from-kube2iam edited that still
// trusts the daemon's role as well as service accounts is the expected intermediate state, reported
// as such (info), with the command that finishes it. ListRoles carries no tags: only the roles
// whose trust has both shapes are read again, and a refused read is a warning, not a failure.
import type { Role, RoleSummary } from '../../aws/iam.js';
import {
  daemonPrincipals,
  daemonFlagsOf,
  daemonStatements,
  isPlainObject,
  type PolicyDocument,
  recordedTrust,
  TAG_KUBE2IAM_MIGRATION,
} from '../../policy/index.js';
import { asIamsaError } from '../engine/plan.js';
import { mapConcurrent } from '../engine/concurrency.js';
import { FINDING_KINDS } from './finding-kinds.js';
import { cleanupFix, type CommandContext } from './fix-commands.js';
import type { Finding } from './report.js';

const trustsProvider = (trust: PolicyDocument, providerArn: string) =>
  trust.Statement.some(
    (s) =>
      isPlainObject(s.Principal) &&
      ([] as unknown[]).concat(s.Principal.Federated ?? []).includes(providerArn),
  );

export async function kube2iamFindings(
  context: CommandContext,
  providerArn: string,
  roles: { role: RoleSummary; trust: PolicyDocument }[],
  getRole: (name: string) => Promise<Role | undefined>,
  warn: (message: string) => void,
): Promise<Finding[]> {
  const candidates = roles.filter(
    ({ trust }) =>
      trustsProvider(trust, providerArn) && trust.Statement.some((s) => daemonPrincipals(s)),
  );
  const found = await mapConcurrent(candidates, 4, async ({ role, trust }) => {
    let tags: Record<string, string>;
    try {
      tags = (await getRole(role.name))?.tags ?? {};
    } catch (error) {
      warn(`could not read the tags of ${role.name} (${asIamsaError(error).message})`);
      return [];
    }
    const flavour = tags[TAG_KUBE2IAM_MIGRATION];
    const recorded = flavour === undefined ? undefined : recordedTrust(tags);
    if (!recorded || !daemonStatements(trust, recorded, []).length) return [];
    return [
      {
        id: 'KUBE2IAM201',
        severity: FINDING_KINDS.KUBE2IAM201.severity,
        title: FINDING_KINDS.KUBE2IAM201.title,
        role: role.arn,
        message: `role ${role.name} trusts service accounts (IRSA) and still the ${flavour} role(s) it trusted before the migration: expected until --cleanup`,
        fix: `${cleanupFix(context, flavour ?? '', daemonFlagsOf(tags))} (once no pod asks ${flavour} for the role)`,
      } satisfies Finding,
    ];
  });
  return found.flat();
}
