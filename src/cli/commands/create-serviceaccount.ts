import type { Command } from 'commander';
import type { CreateServiceAccountInput } from '../../actions/service-account-input.js';
import { ValidationError } from '../../errors.js';
import { detectTerminal } from '../../ui/terminal.js';
import { collect, type GlobalOptions } from '../globals.js';
import { runInteractive } from '../interactive.js';
import { addKubeFlags } from '../kube-flags.js';
import { kubeAccess, type KubeFlags, kubeOpener } from '../kube-access.js';
import { exitWithError, run } from '../run.js';

interface Flags extends KubeFlags {
  cluster?: string;
  namespace: string;
  name?: string;
  attachPolicyArn?: string[];
  attachPolicy?: string;
  attachRoleArn?: string;
  roleName?: string;
  rolePath?: string;
  permissionsBoundary?: string;
  tags?: string[];
  roleOnly?: boolean;
  overrideExistingServiceaccounts?: boolean;
  createNamespace?: boolean;
  approve?: boolean;
}

export function registerCreateServiceAccount(program: Command): void {
  const command = program
    .command('create-serviceaccount')
    .description(
      'create an IAM role only this service account can assume, and annotate the service account',
    )
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .option('--namespace <ns>', 'Kubernetes namespace', 'default')
    .option('--name <sa>', 'service account name (required)')
    .option('--attach-policy-arn <arn>', 'managed policy to attach (repeatable)', collect)
    .option('--attach-policy <file>', 'JSON IAM policy document to put as an inline policy')
    .option('--attach-role-arn <arn>', 'use this existing role instead of creating one')
    .option('--role-name <name>', 'role name (default: derived from cluster, namespace and name)')
    .option('--role-path <path>', 'role path, like /irsa/ (default /)')
    .option('--permissions-boundary <arn>', 'permissions boundary policy for the role')
    .option('--tags <k=v,...>', 'extra tags for the role (repeatable)', collect)
    .option('--role-only', 'create the IAM role only; make no Kubernetes calls')
    .option(
      '--override-existing-serviceaccounts',
      're-point a service account already annotated with another role',
    )
    .option('--create-namespace', 'create the namespace if it does not exist')
    .option('--approve', 'apply the plan (without it, only show what would change)');
  addKubeFlags(command).action(async (flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    const missing = missingFlags(flags);
    if (missing.length) {
      if (!detectTerminal(globals).interactive) {
        return exitWithError(
          new ValidationError(`missing required flags: ${missing.join(', ')}`, {
            hint: 'pass them (see iamsa create-serviceaccount --help), or run at a terminal to be asked for them',
          }),
          globals,
        );
      }
      const explicitNamespace = command.getOptionValueSource('namespace') !== 'default';
      const prefill = toInput(flags);
      return runInteractive(globals, {
        ...prefill,
        region: globals.region,
        cluster: flags.cluster,
        name: flags.name,
        namespace: explicitNamespace ? flags.namespace : undefined,
      });
    }
    await run(globals, !!flags.approve, async ({ aws, reporter }) => {
      const [{ planCreateServiceAccount }, clients] = await Promise.all([
        import('../../actions/create-serviceaccount.js'),
        aws(),
      ]);
      return planCreateServiceAccount(toInput(flags), {
        ...clients,
        openKube: kubeOpener(clients),
        reporter,
      });
    });
  });
}

function missingFlags(flags: Flags): string[] {
  return [
    !flags.cluster && '--cluster',
    !flags.name && '--name',
    !flags.attachPolicyArn?.length &&
      flags.attachPolicy === undefined &&
      flags.attachRoleArn === undefined &&
      'one of --attach-policy-arn, --attach-policy, --attach-role-arn',
  ].filter((m): m is string => !!m);
}

/** Flags to the use case's input: names only, every check is the action's. */
function toInput(flags: Flags): CreateServiceAccountInput {
  return {
    cluster: flags.cluster ?? '',
    namespace: flags.namespace,
    name: flags.name ?? '',
    policyArns: flags.attachPolicyArn ?? [],
    policyFile: flags.attachPolicy,
    attachRoleArn: flags.attachRoleArn,
    roleName: flags.roleName,
    rolePath: flags.rolePath,
    permissionsBoundary: flags.permissionsBoundary,
    tags: flags.tags ?? [],
    kube: kubeAccess(flags),
    roleOnly: !!flags.roleOnly,
    overrideExisting: !!flags.overrideExistingServiceaccounts,
    createNamespace: !!flags.createNamespace,
  };
}
