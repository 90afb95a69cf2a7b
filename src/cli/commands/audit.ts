import { type Command, Option } from 'commander';
import type { Severity } from '../../actions/report/report.js';
import { validateClusterName } from '../../policy/validate.js';
import { oneOf } from '../../suggest.js';
import { FINDING_KINDS } from '../../actions/report/finding-kinds.js';
import { renderAudit } from '../../ui/render-report.js';
import { renderSarif } from '../../ui/render-sarif.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import type { GlobalOptions } from '../globals.js';
import { addKubeFlags } from '../kube-flags.js';
import { kubeAccess, type KubeFlags } from '../kube-access.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, report } from '../run.js';

const FAIL_ON = ['high', 'medium', 'low'] as const;

interface Flags extends KubeFlags {
  cluster?: string;
  failOn?: Exclude<Severity, 'info'>;
}

export function registerAudit(program: Command, f: Factory, version: string): void {
  const command = program
    .command('audit')
    .description(
      "find every role this cluster's service accounts can assume with an over-broad, stale or broken trust (read-only; -o sarif for code scanning)",
    )
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .addOption(
      new Option('--fail-on <severity>', 'exit 6 when a finding is at least this severe')
        .choices(FAIL_ON)
        // Any case (HIGH as the findings print it); a near miss is named in the hint.
        .argParser((value: string) =>
          oneOf(value, FAIL_ON, '--fail-on', "see 'iamsa audit --help'"),
        ),
    );
  onAction(addKubeFlags(command), async (flags: Flags, cmd: Command) => {
    const globals = cmd.optsWithGlobals<GlobalOptions & Flags>();
    try {
      const missing = missingFlags('audit', 'iamsa audit --cluster NAME', {
        '--cluster': flags.cluster,
      });
      if (missing) throw missing;
      const cluster = validateClusterName(flags.cluster ?? '', '--cluster');
      const kube = kubeAccess(flags);
      return await report(
        f,
        globals,
        async ({ access, reporter }) => {
          const [{ runAudit }, clients] = await Promise.all([
            import('../../actions/report/audit.js'),
            access(),
          ]);
          return runAudit(
            { cluster, kube, ...(flags.failOn ? { failOn: flags.failOn } : {}) },
            { ...clients, reporter },
          );
        },
        renderAudit,
        (r) => r.exitCode,
        (r) => renderSarif(r, FINDING_KINDS, version),
      );
    } catch (error) {
      return exitWithError(f.io, error, globals);
    }
  });
}
