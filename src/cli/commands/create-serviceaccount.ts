import type { Command } from 'commander';
import type { BindingSpec } from '../../actions/binding/spec.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import { collect, type GlobalOptions } from '../globals.js';
import { addWellKnownFlags, type BindingFlags } from '../binding-flags.js';
import { addKubeFlags } from '../kube-flags.js';
import { kubeAccess, type KubeFlags } from '../kube-access.js';
import { nextStep } from '../next-step.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, run } from '../run.js';

interface Flags extends KubeFlags, BindingFlags {
  namespace: string;
  approve?: boolean;
}

export function registerCreateServiceAccount(program: Command, f: Factory): void {
  const command = program
    .command('create-serviceaccount')
    .description(
      'create an IAM role only this service account can assume, and annotate the service account',
    )
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .option('-n, --namespace <ns>', 'Kubernetes namespace', 'default')
    .option('--name <sa>', 'service account name (required)')
    .option('--attach-policy-arn <arn>', 'managed policy to attach (repeatable)', collect)
    .option('--attach-policy <file>', 'JSON IAM policy document to put as an inline policy');
  addWellKnownFlags(command)
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
    .option(
      '--mechanism <irsa|pod-identity>',
      'how the service account gets the role: irsa (annotation, default) or pod-identity (EKS association)',
    )
    .option('--target-role-arn <arn>', 'pod-identity: role (maybe of another account) to chain to')
    .option('--disable-session-tags', 'pod-identity: no session tags on the role session')
    .option('--approve', 'apply the plan (without it, only show what would change)');
  onAction(addKubeFlags(command), async (flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    const missing = missingFlags(
      'create-serviceaccount',
      'pass them, or run at a terminal to be asked for them',
      {
        '--cluster': flags.cluster,
        '--name': flags.name,
        'one of --well-known-policies, --attach-policy-arn, --attach-policy, --attach-role-arn':
          flags.attachPolicyArn?.length ||
          flags.attachPolicy !== undefined ||
          flags.wellKnownPolicies?.length ||
          flags.attachRoleArn !== undefined ||
          undefined,
      },
    );
    if (missing) {
      // At a terminal the wizard asks for the rest (for either mechanism).
      const terminal = f.io.terminal(globals);
      const canAsk = globals.output === 'text' ? terminal.interactive : terminal.stderrInteractive;
      if (!canAsk) {
        return exitWithError(f.io, missing, globals);
      }
      // The namespace has a default (as with flags), so it is not asked for: --namespace picks another.
      const [{ runInteractive }, { specFromFlags }] = await Promise.all([
        import('../interactive.js'),
        import('../flags-to-spec.js'),
      ]);
      return runInteractive(f, globals, () => ({
        ...specFromFlags(flags),
        region: globals.region,
        namespace: flags.namespace,
        kube: kubeAccess(flags, !!flags.roleOnly),
      }));
    }
    return run(
      f,
      globals,
      !!flags.approve,
      async ({ access, reporter }) => {
        const spec = await toSpec(flags);
        const kube = kubeAccess(flags, !!flags.roleOnly);
        const [{ planCreateServiceAccount }, clients] = await Promise.all([
          import('../../actions/lifecycle/create-serviceaccount.js'),
          access(),
        ]);
        return planCreateServiceAccount(spec, kube, { ...clients, reporter });
      },
      {
        nextStep: (result) => nextStep(result, flags.namespace, flags.name ?? '', !!flags.roleOnly),
      },
    );
  });
}

/** All required flags are there (checked by missingFlags), so the spec is complete. */
async function toSpec(flags: Flags): Promise<BindingSpec> {
  const { specFromFlags } = await import('../flags-to-spec.js');
  const spec = specFromFlags(flags);
  return {
    ...spec,
    cluster: spec.cluster ?? '',
    namespace: flags.namespace,
    name: spec.name ?? '',
  };
}
