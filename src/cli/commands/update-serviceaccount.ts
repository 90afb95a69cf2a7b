import type { Command } from 'commander';
import type { BindingSpec } from '../../actions/binding/spec.js';
import { addWellKnownFlags, type BindingFlags } from '../binding-flags.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import { collect, type GlobalOptions } from '../globals.js';
import { kubeAccess, type KubeFlags } from '../kube-access.js';
import { addKubeFlags } from '../kube-flags.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, run } from '../run.js';

interface Flags extends KubeFlags, BindingFlags {
  detachPolicyArn?: string[];
  removeInlinePolicy?: boolean;
  removePermissionsBoundary?: boolean;
  removeTags?: string[];
  removeWellKnownPolicies?: string[];
  approve?: boolean;
}

export function registerUpdateServiceAccount(program: Command, f: Factory): void {
  const command = program
    .command('update-serviceaccount')
    .description(
      'change the permissions of a binding iamsa made: add and remove exactly what is asked, nothing else',
    )
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .option('-n, --namespace <ns>', 'Kubernetes namespace', 'default')
    .option('--name <sa>', 'service account name (required)')
    .option('--attach-policy-arn <arn>', 'managed policy to attach (repeatable)', collect)
    .option('--detach-policy-arn <arn>', 'managed policy to detach (repeatable)', collect)
    .option('--attach-policy <file>', 'JSON IAM policy document: replaces the inline policy')
    .option('--remove-inline-policy', "remove iamsa's inline policy from the role");
  addWellKnownFlags(command)
    .option(
      '--remove-well-known-policies <keys>',
      'well-known keys to take away (comma-separated); their policies are detached and deleted',
      collect,
    )
    .option('--permissions-boundary <arn>', 'set the permissions boundary')
    .option('--remove-permissions-boundary', 'remove the permissions boundary')
    .option('--tags <k=v,...>', 'add or change tags on the role (repeatable)', collect)
    .option('--remove-tags <key>', 'remove a tag from the role (repeatable)', collect)
    .option(
      '--role-name <name>',
      "the binding's role, when the service account does not name it (default: derived)",
    )
    .option('--role-only', 'the binding was made with --role-only: make no Kubernetes calls')
    .option(
      '--override-existing-serviceaccounts',
      'point the service account (or association) back at this role when it names another one',
    )
    .option(
      '--mechanism <irsa|pod-identity>',
      'irsa or pod-identity (default: found from the binding)',
    )
    .option('--target-role-arn <arn>', 'pod-identity: set the role the association chains to')
    .option('--disable-session-tags', 'pod-identity: no session tags on the role session')
    .option('--approve', 'apply the plan (without it, only show what would change)');
  onAction(addKubeFlags(command), async (flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    const missing = missingFlags(
      'update-serviceaccount',
      'iamsa update-serviceaccount --cluster C [--namespace NS] --name SA --attach-policy-arn ARN',
      {
        '--cluster': flags.cluster,
        '--name': flags.name,
      },
    );
    if (missing) return exitWithError(f.io, missing, globals);
    return run(f, globals, !!flags.approve, async ({ access, reporter }) => {
      const { specFromFlags } = await import('../flags-to-spec.js');
      const given = specFromFlags(flags);
      const spec: BindingSpec = {
        ...given,
        cluster: given.cluster ?? '',
        namespace: given.namespace ?? '',
        name: given.name ?? '',
        update: {
          detachPolicyArns: flags.detachPolicyArn ?? [],
          removeInlinePolicy: !!flags.removeInlinePolicy,
          removePermissionsBoundary: !!flags.removePermissionsBoundary,
          removeTags: flags.removeTags ?? [],
          removeWellKnownPolicies: (flags.removeWellKnownPolicies ?? [])
            .flatMap((k) => k.split(','))
            .map((k) => k.trim()),
        },
      };
      const kube = kubeAccess(flags, !!flags.roleOnly);
      const [{ planUpdateServiceAccount }, clients] = await Promise.all([
        import('../../actions/lifecycle/create-serviceaccount.js'),
        access(),
      ]);
      return planUpdateServiceAccount(spec, kube, { ...clients, reporter });
    });
  });
}
