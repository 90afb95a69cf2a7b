import type { Command } from 'commander';
import { FLAGS_SOURCE } from '../../actions/binding/spec.js';
import type { DeleteTarget } from '../../actions/lifecycle/delete-serviceaccount.js';
import type { GlobalOptions } from '../globals.js';
import { kubeAccess, type KubeFlags, kubeOpener } from '../kube-access.js';
import { addKubeFlags } from '../kube-flags.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, run } from '../run.js';

interface Flags extends KubeFlags {
  cluster?: string;
  namespace?: string;
  name?: string;
  roleName?: string;
  keepServiceaccount?: boolean;
  roleOnly?: boolean;
  mechanism?: string;
  approve?: boolean;
}

export function registerDeleteServiceAccount(program: Command): void {
  const command = program
    .command('delete-serviceaccount')
    .description(
      "remove a binding: iamsa's annotation first, then the role iamsa made for it (never anything iamsa does not own)",
    )
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    // Required, not defaulted: a delete must never guess the namespace.
    .option('-n, --namespace <ns>', 'Kubernetes namespace (required)')
    .option('--name <sa>', 'service account name (required)')
    .option(
      '--role-name <name>',
      "the binding's role, when the service account no longer names it (default: derived)",
    )
    .option(
      '--keep-serviceaccount',
      'keep a service account iamsa created; remove only its annotation',
    )
    .option('--role-only', 'the binding was made with --role-only: delete the role only')
    .option(
      '--mechanism <irsa|pod-identity>',
      "irsa or pod-identity: delete only that mechanism's part (default: found from the binding)",
    )
    .option('--approve', 'apply the plan (without it, only show what would change)');
  addKubeFlags(command).action(async (flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    const missing = missingFlags(
      'delete-serviceaccount',
      'iamsa delete-serviceaccount --cluster C --namespace NS --name SA',
      {
        '--cluster': flags.cluster,
        '--namespace': flags.namespace,
        '--name': flags.name,
      },
    );
    if (missing) return exitWithError(missing, globals);
    await run(globals, !!flags.approve, async ({ aws, reporter }) => {
      const kube = kubeAccess(flags, !!flags.roleOnly);
      const [{ planDeleteServiceAccount }, clients] = await Promise.all([
        import('../../actions/lifecycle/delete-serviceaccount.js'),
        aws(),
      ]);
      return planDeleteServiceAccount(
        {
          cluster: flags.cluster ?? '',
          namespace: flags.namespace ?? '',
          name: flags.name ?? '',
          roleName: flags.roleName,
          keepServiceAccount: !!flags.keepServiceaccount,
          roleOnly: !!flags.roleOnly,
          // Checked by the use case, which names the flag in its error.
          mechanism: flags.mechanism as DeleteTarget['mechanism'],
          source: FLAGS_SOURCE,
        },
        kube,
        { ...clients, openKube: kubeOpener(clients), reporter },
      );
    });
  });
}
