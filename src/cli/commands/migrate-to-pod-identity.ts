import type { Command } from 'commander';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import type { GlobalOptions } from '../globals.js';
import { kubeAccess, type KubeFlags } from '../kube-access.js';
import { addKubeFlags } from '../kube-flags.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, run } from '../run.js';
import { migrateNextStep } from '../next-step.js';
import { kubeFlagsOf } from '../../actions/report/shell-commands.js';
import { shellQuote } from '../../policy/shell-quote.js';
import type { CommandResult } from '../../actions/engine/plan.js';

interface Flags extends KubeFlags {
  cluster?: string;
  namespace?: string;
  name?: string;
  removeIrsa?: boolean;
  rollback?: boolean;
  includeForeignRoles?: boolean;
  allowIrsaPods?: boolean;
  approve?: boolean;
}

export function registerMigrateToPodIdentity(program: Command, f: Factory): void {
  const command = program
    .command('migrate-to-pod-identity')
    .description(
      "move the cluster's IRSA bindings to EKS Pod Identity (trust, association), and back with --rollback",
    )
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .option('-n, --namespace <ns>', 'only this namespace (default: all)')
    .option('--name <sa>', 'only service accounts of this name (also migrates an add-on role)')
    .option(
      '--remove-irsa',
      "then remove the cluster's OIDC statement from each role and the annotation from each service account",
    )
    .option(
      '--rollback',
      'undo a migration: the IRSA statement and annotation back, the association deleted',
    )
    .option(
      '--allow-irsa-pods',
      'with --remove-irsa: remove IRSA even while pods started before the association still use it (they lose their credentials; refused otherwise, exit 5)',
    )
    .option('--include-foreign-roles', 'also edit roles iamsa did not make')
    .option('--approve', 'apply the plan (without it, only show what would change)');
  onAction(addKubeFlags(command), async (flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    const missing = missingFlags(
      'migrate-to-pod-identity',
      'iamsa migrate-to-pod-identity --cluster C',
      { '--cluster': flags.cluster },
    );
    if (missing) return exitWithError(f.io, missing, globals);
    return run(
      f,
      globals,
      !!flags.approve,
      async ({ access, reporter }) => {
        const kube = kubeAccess(flags, false);
        const [{ planMigrateToPodIdentity }, clients] = await Promise.all([
          import('../../actions/migrate/migrate-to-pod-identity.js'),
          access(),
        ]);
        return planMigrateToPodIdentity(
          {
            cluster: flags.cluster ?? '',
            namespace: flags.namespace,
            name: flags.name,
            removeIrsa: !!flags.removeIrsa,
            rollback: !!flags.rollback,
            includeForeignRoles: !!flags.includeForeignRoles,
            allowIrsaPods: !!flags.allowIrsaPods,
          },
          kube,
          { ...clients, reporter },
        );
      },
      {
        nextStep: (result) =>
          migrateNextStep(result, removeIrsaCommand(flags, result, globals.profile)),
        nothingMatched: (result) => nothingMatched(flags, result),
      },
    );
  });
}

/** After a first migration (not --remove-irsa, not --rollback): the run that finishes it. */
export function removeIrsaCommand(
  flags: Flags,
  result: CommandResult,
  profile: string | undefined,
): string | undefined {
  if (flags.removeIrsa || flags.rollback) return undefined;
  return [
    'iamsa migrate-to-pod-identity',
    `--cluster ${shellQuote(result.cluster)}`,
    `--region ${result.region}`,
    ...(profile ? [`--profile ${shellQuote(profile)}`] : []),
    ...(flags.namespace !== undefined ? [`-n ${shellQuote(flags.namespace)}`] : []),
    ...(flags.name !== undefined ? [`--name ${shellQuote(flags.name)}`] : []),
    ...(flags.includeForeignRoles ? ['--include-foreign-roles'] : []),
    // The Kubernetes connection the user gave (already checked), as doctor's fixes carry it.
    `--remove-irsa${kubeFlagsOf({ ...result, kube: kubeAccess(flags, true) })} --approve`,
  ].join(' ');
}

/**
 * Why a run selected no binding: nothing is annotated (or, to roll back, migrated) there, or
 * what is was skipped with a warning; never "already in place", which an empty run is not.
 */
function nothingMatched(flags: Flags, result: CommandResult): string {
  const selection = [
    ...(flags.namespace !== undefined ? [`-n ${flags.namespace}`] : []),
    ...(flags.name !== undefined ? [`--name ${flags.name}`] : []),
  ].join(' ');
  const what = flags.rollback ? 'binding migrate-to-pod-identity migrated' : 'IRSA binding';
  if (result.warningDetails?.some((w) => w.code === 'IRSA-W038'))
    return `no ${what}${selection ? ` matching ${selection}` : ''} can be ${flags.rollback ? 'rolled back' : 'migrated'} (see the warnings)`;
  return selection ? `no ${what} matches ${selection}` : `cluster ${result.cluster} has no ${what}`;
}
