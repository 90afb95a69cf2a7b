import type { Command } from 'commander';
import type { RegionAccess } from '../../actions/binding/cluster-session.js';
import { ValidationError } from '../../errors.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import type { GlobalOptions } from '../globals.js';
import { addKubeFlags } from '../kube-flags.js';
import { kubeAccess, type KubeFlags } from '../kube-access.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, run } from '../run.js';
import { restartNextStep } from '../next-step.js';

interface Flags extends KubeFlags {
  file?: string;
  cluster?: string;
  prune?: boolean;
  approve?: boolean;
  allowSubjectPattern?: boolean;
  overrideExistingServiceaccounts?: boolean;
  maxTrustPolicySize?: string;
}

/** IAM's trust policy size quota: 2,048 by default, raisable to 4,096. */
const MAX_TRUST_QUOTA = 4096;

export function registerApply(program: Command, f: Factory): void {
  const command = program
    .command('apply')
    .description(
      'apply every binding of a file (iamsa ServiceAccountBindings or eksctl ClusterConfig)',
    )
    .option('-f, --file <path>', 'the bindings file, or - for stdin (required)')
    .option(
      '-c, --cluster <name>',
      'cluster of bindings that name none (refused if the file names another)',
    )
    .option(
      '--prune',
      "delete iamsa's bindings of the file's clusters that the file no longer lists",
    )
    .option('--approve', 'apply the plan (without it, only show what would change)')
    .option('--allow-subject-pattern', "accept eksctl's subjectPattern (a wildcard trust)")
    .option(
      '--override-existing-serviceaccounts',
      're-point service accounts already annotated with another role',
    )
    .option(
      '--max-trust-policy-size <n>',
      "the account's trust policy size quota (default 2048, IAM's default)",
    );
  onAction(addKubeFlags(command), async (flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    const missing = missingFlags(
      'apply',
      'iamsa apply -f bindings.yaml (see docs/apply.md), or -f - to read stdin',
      { '-f/--file': flags.file },
    );
    if (missing) return exitWithError(f.io, missing, globals);
    const file = flags.file ?? '';
    return run(
      f,
      globals,
      !!flags.approve,
      async ({ reporter, access: regionAccess }) => {
        const maxTrustPolicySize = trustQuota(flags.maxTrustPolicySize);
        // The file is read and checked whole before any AWS client is made.
        const { readBindingsFile } = await import('../bindings-file/index.js');
        const options = {
          cluster: flags.cluster,
          region: globals.region,
          overrideExisting: flags.overrideExistingServiceaccounts,
          allowSubjectPattern: flags.allowSubjectPattern,
        };
        const bindings = await readBindingsFile(file, f.io.stdin, options);
        // Connection flags are checked when some binding talks to Kubernetes.
        const kube = kubeAccess(
          flags,
          bindings.bindings.every((b) => b.spec.roleOnly),
        );
        const { planApply } = await import('../../actions/fleet/apply.js');
        const regions = new Map<string, Promise<RegionAccess>>();
        const access = (region: string | undefined) => {
          let p = regions.get(region ?? '');
          if (!p) {
            // A batch makes hundreds of calls: more attempts than a single command, each backing off
            // on its own (see AwsSettings.retryMode), so throttling delays calls but fails none.
            p = regionAccess({
              region: region ?? globals.region,
              maxAttempts: 10,
              retryMode: 'standard',
            });
            regions.set(region ?? '', p);
          }
          return p;
        };
        return planApply({ file, ...bindings, prune: !!flags.prune, maxTrustPolicySize }, kube, {
          access,
          reporter,
        });
      },
      { nextStep: restartNextStep },
    );
  });
}

function trustQuota(value: string | undefined): number {
  if (value === undefined) return 2048;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_TRUST_QUOTA) {
    throw new ValidationError(
      `invalid --max-trust-policy-size "${value}": must be a whole number of characters up to ${MAX_TRUST_QUOTA} (IAM's highest quota)`,
    );
  }
  return n;
}
