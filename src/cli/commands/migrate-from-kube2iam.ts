import type { Command } from 'commander';
import { oneOf } from '../../suggest.js';
import { ValidationError } from '../../errors.js';
import type { GlobalOptions } from '../globals.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import { kubeAccess, type KubeFlags } from '../kube-access.js';
import { addKubeFlags } from '../kube-flags.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, run } from '../run.js';
import { restartNextStep } from '../next-step.js';

interface Flags extends KubeFlags {
  cluster?: string;
  namespace?: string;
  flavour?: string;
  baseRoleArn?: string;
  namespaceRestrictions?: boolean;
  namespaceRestrictionFormat?: string;
  strictNamespaceRegexp?: boolean;
  defaultRole?: string;
  daemonRoleArn?: string[];
  cleanup?: boolean;
  rollback?: boolean;
  approve?: boolean;
}

// kube2iam's IsValidBaseARN, with the trailing slash it needs to append names.
const BASE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/([\w+=,.@/-]*\/)?$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** The daemon's flags as the command's checked spec: exit 2 on anything it would not start with. */
function daemonSpec(flags: Flags) {
  const see = "see 'iamsa migrate-from-kube2iam --help'";
  const flavour = oneOf(
    flags.flavour ?? 'kube2iam',
    ['kube2iam', 'kiam'] as const,
    '--flavour',
    see,
  );
  const format = oneOf(
    flags.namespaceRestrictionFormat ?? 'glob',
    ['glob', 'regexp'] as const,
    '--namespace-restriction-format',
    see,
  );
  if (flags.baseRoleArn !== undefined && !BASE_ARN.test(flags.baseRoleArn)) {
    throw new ValidationError(
      `--base-role-arn must be a role ARN prefix ending in /, like arn:aws:iam::123456789012:role/ (got ${flags.baseRoleArn})`,
    );
  }
  if (flavour === 'kiam' && (flags.namespaceRestrictions || flags.defaultRole)) {
    throw new ValidationError(
      "--namespace-restrictions and --default-role are kube2iam's flags: kiam's namespace rule is always on and it has no default role",
    );
  }
  for (const arn of flags.daemonRoleArn ?? []) {
    if (!ROLE_ARN.test(arn))
      throw new ValidationError(`--daemon-role-arn ${arn} is not a role ARN`);
  }
  return {
    flavour,
    ...(flags.baseRoleArn !== undefined ? { baseRoleArn: flags.baseRoleArn } : {}),
    namespaceRestrictions: !!flags.namespaceRestrictions,
    restrictionFormat: format,
    strictRegexp: !!flags.strictNamespaceRegexp,
    ...(flags.defaultRole !== undefined ? { defaultRole: flags.defaultRole } : {}),
  } as const;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerMigrateFromKube2iam(program: Command, f: Factory): void {
  const command = program
    .command('migrate-from-kube2iam')
    .description(
      'move the workloads that ask kube2iam or kiam for a role to IRSA, exactly as the daemon grants them; then --cleanup, or --rollback',
    )
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .option('-n, --namespace <ns>', 'only this namespace (default: all)')
    .option('--flavour <daemon>', 'the daemon the cluster runs: kube2iam or kiam', 'kube2iam')
    .option(
      '--base-role-arn <arn>',
      "the daemon's --base-role-arn, to resolve role names (default: the cluster's account)",
    )
    .option('--namespace-restrictions', 'kube2iam runs with --namespace-restrictions')
    .option(
      '--namespace-restriction-format <format>',
      "kube2iam's --namespace-restriction-format: glob or regexp",
    )
    .option('--strict-namespace-regexp', 'kiam runs with --strict-namespace-regexp')
    .option(
      '--default-role <role>',
      "kube2iam's --default-role (its users are listed, not migrated)",
    )
    .option(
      '--daemon-role-arn <arn>',
      "the daemon's role, repeatable: migrate only roles it may assume; --cleanup drops only its trust",
      collect,
    )
    .option(
      '--cleanup',
      "drop the daemon's trust from the migrated roles once no pod asks for them",
    )
    .option(
      '--rollback',
      'undo what the migration changed (later edits stay; after --cleanup, --daemon-role-arn names whose trust comes back)',
    )
    .option('--approve', 'apply the plan (without it, only show what would change)');
  onAction(addKubeFlags(command), async (flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    const missing = missingFlags(
      'migrate-from-kube2iam',
      'iamsa migrate-from-kube2iam --cluster C',
      {
        '--cluster': flags.cluster,
      },
    );
    if (missing) return exitWithError(f.io, missing, globals);
    return run(
      f,
      globals,
      !!flags.approve,
      async ({ access, reporter }) => {
        const daemon = daemonSpec(flags);
        const kube = kubeAccess(flags, false);
        const [{ planMigrateFromKube2iam }, clients] = await Promise.all([
          import('../../actions/migrate/from-kube2iam.js'),
          access(),
        ]);
        return planMigrateFromKube2iam(
          {
            cluster: flags.cluster ?? '',
            ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
            daemon,
            cleanup: !!flags.cleanup,
            rollback: !!flags.rollback,
            daemonRoleArns: flags.daemonRoleArn ?? [],
          },
          kube,
          { ...clients, reporter },
        );
      },
      {
        // --cleanup only takes the daemon's trust away: the pods already run with IRSA.
        ...(flags.cleanup ? {} : { nextStep: restartNextStep }),
        nothingMatched: (result) => {
          const where =
            flags.namespace !== undefined
              ? `namespace ${flags.namespace}`
              : `cluster ${result.cluster}`;
          const flavour = flags.flavour ?? 'kube2iam';
          return flags.cleanup || flags.rollback
            ? `nothing in ${where} was migrated from ${flavour}`
            : `no workload in ${where} asks ${flavour} for a role that can move to IRSA`;
        },
      },
    );
  });
}
