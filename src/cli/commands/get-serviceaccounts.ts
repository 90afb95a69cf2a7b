import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { renderBindings } from '../../ui/render-bindings.js';
import type { GlobalOptions } from '../globals.js';
import { kubeAccess, type KubeFlags, kubeOpener } from '../kube-access.js';
import { addKubeFlags } from '../kube-flags.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, report } from '../run.js';

interface Flags extends KubeFlags {
  cluster?: string;
  namespace?: string;
  allNamespaces?: boolean;
  name?: string;
  orphans?: boolean;
}

export function registerGetServiceAccounts(program: Command): void {
  const command = program
    .command('get-serviceaccounts')
    .description(
      "list the cluster's bindings (any service account with a role annotation) with a computed status",
    )
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .option('-n, --namespace <ns>', 'only this namespace (default: all namespaces)')
    .option('-A, --all-namespaces', 'every namespace (the default)')
    .option('--name <sa>', 'only service accounts of this name')
    .option(
      '--orphans',
      "also scan the account's roles for iamsa/eksctl roles of this cluster whose service account is gone (ListRoles)",
    );
  addKubeFlags(command).action(async (flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    const missing = missingFlags(
      'get-serviceaccounts',
      'iamsa get-serviceaccounts --cluster NAME',
      {
        '--cluster': flags.cluster,
      },
    );
    if (missing) return exitWithError(missing, globals);
    if (flags.namespace !== undefined && flags.allNamespaces) {
      return exitWithError(
        new ValidationError('--namespace and --all-namespaces contradict each other; pick one'),
        globals,
      );
    }
    const cluster = flags.cluster ?? '';
    await report(
      globals,
      async ({ aws, reporter }) => {
        const kube = kubeAccess(flags);
        const [{ getServiceAccounts }, clients] = await Promise.all([
          import('../../actions/lifecycle/get-serviceaccounts.js'),
          aws(),
        ]);
        return getServiceAccounts(
          { cluster, namespace: flags.namespace, name: flags.name, orphans: !!flags.orphans },
          kube,
          { ...clients, openKube: kubeOpener(clients), reporter },
        );
      },
      renderBindings,
    );
  });
}
