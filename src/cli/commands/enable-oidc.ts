import type { Command } from 'commander';
import { collect, type GlobalOptions } from '../globals.js';
import { run } from '../run.js';

interface Flags {
  cluster: string;
  approve?: boolean;
  thumbprint?: string[];
  tags?: string[];
}

export function registerEnableOidc(program: Command): void {
  program
    .command('enable-oidc')
    .description(
      "register the cluster's OIDC issuer as an IAM identity provider (once per cluster)",
    )
    .requiredOption('-c, --cluster <name>', 'EKS cluster name')
    .option('--approve', 'apply the plan (without it, only show what would change)')
    .option(
      '--thumbprint <hex>',
      'issuer CA thumbprint to use instead of fetching it (repeatable)',
      collect,
    )
    .option('--tags <k=v,...>', 'extra tags for the provider (repeatable)', collect)
    .action(async (flags: Flags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions & Flags>();
      await run(globals, !!flags.approve, async ({ aws, reporter }) => {
        const [{ planEnableOidc }, { fetchIssuerThumbprint }, clients] = await Promise.all([
          import('../../actions/enable-oidc.js'),
          import('../../aws/thumbprint.js'),
          aws(),
        ]);
        return planEnableOidc(
          { cluster: flags.cluster, thumbprints: flags.thumbprint ?? [], tags: flags.tags ?? [] },
          { ...clients, fetchThumbprint: (url) => fetchIssuerThumbprint(url), reporter },
        );
      });
    });
}
