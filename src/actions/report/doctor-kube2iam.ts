// doctor's view of a migration off kube2iam or kiam: the service account's role, edited by
// migrate-from-kube2iam, trusting both the service account and the daemon's role is the expected
// intermediate state. Said as such (not a failure), with the command that finishes it.
import type { Role } from '../../aws/iam.js';
import {
  daemonFlagsOf,
  daemonStatements,
  parseTrustPolicy,
  recordedTrust,
  TAG_KUBE2IAM_MIGRATION,
} from '../../policy/index.js';
import { cleanupFix, type CommandContext } from './fix-commands.js';
import type { Check } from './report.js';
import { check } from './check-kinds.js';

export function kube2iamCheck(context: CommandContext, role: Role | undefined): Check | undefined {
  const flavour = role?.tags[TAG_KUBE2IAM_MIGRATION];
  const recorded = role && flavour !== undefined ? recordedTrust(role.tags) : undefined;
  if (!role || !recorded) return undefined;
  let daemon: number;
  try {
    daemon = daemonStatements(parseTrustPolicy(role.trustPolicy, role.name), recorded, []).length;
  } catch {
    return undefined;
  }
  return daemon
    ? check(
        'KUBE2IAM001',
        'ok',
        `${role.name} is mid-migration from ${flavour}: it trusts this service account and still ${daemon} ${flavour} statement(s), as expected until ${cleanupFix(context, flavour ?? '', daemonFlagsOf(role.tags))}`,
      )
    : check('KUBE2IAM001', 'ok', `${role.name} was migrated from ${flavour} and cleaned up`);
}
