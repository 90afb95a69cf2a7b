import { type Command, Option } from 'commander';
import type { Severity } from '../../actions/report/report.js';
import { validateClusterName } from '../../policy/index.js';
import { ValidationError } from '../../errors.js';
import { FINDING_KINDS } from '../../actions/report/finding-kinds.js';
import { renderAudit } from '../../ui/render-report.js';
import { renderSarif } from '../../ui/render-sarif.js';
import type { GlobalOptions } from '../globals.js';
import { addKubeFlags } from '../kube-flags.js';
import { kubeAccess, type KubeFlags, kubeOpener } from '../kube-access.js';
import { exitWithError, report } from '../run.js';

interface Flags extends KubeFlags {
  cluster?: string;
  failOn?: Exclude<Severity, 'info'>;
}

export function registerAudit(program: Command, version: string): void {
  const command = program
    .command('audit')
    .description(
      "find every role this cluster's service accounts can assume with an over-broad, stale or broken trust (read-only; -o sarif for code scanning)",
    )
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .addOption(
      new Option('--fail-on <severity>', 'exit 6 when a finding is at least this severe').choices([
        'high',
        'medium',
        'low',
      ]),
    );
  addKubeFlags(command).action(async (flags: Flags, cmd: Command) => {
    const globals = cmd.optsWithGlobals<GlobalOptions & Flags>();
    try {
      if (!flags.cluster) {
        throw new ValidationError('missing required flag: --cluster', {
          hint: 'iamsa audit --cluster NAME',
        });
      }
      const cluster = validateClusterName(flags.cluster, '--cluster');
      const kube = kubeAccess(flags);
      await report(
        globals,
        async ({ aws, reporter }) => {
          const [{ runAudit }, clients] = await Promise.all([
            import('../../actions/report/audit.js'),
            aws(),
          ]);
          return runAudit(
            { cluster, kube, ...(flags.failOn ? { failOn: flags.failOn } : {}) },
            { ...clients, openKube: kubeOpener(clients), eksIn: clients.eksIn, reporter },
          );
        },
        renderAudit,
        (r) => r.exitCode,
        (r) => renderSarif(r, FINDING_KINDS, version),
      );
    } catch (error) {
      await exitWithError(error, globals);
    }
  });
}
