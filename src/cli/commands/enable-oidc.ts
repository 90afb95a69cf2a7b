import type { Command } from 'commander';
import { collect, type GlobalOptions } from '../globals.js';
import { ValidationError } from '../../errors.js';
import { enableOidcNextStep } from '../next-step.js';
import { exitWithError, run } from '../run.js';

interface Flags {
  cluster?: string;
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
    // Checked in the action, not by commander, so a mistyped flag is reported as such first.
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .option('--approve', 'apply the plan (without it, only show what would change)')
    .option(
      '--thumbprint <hex>',
      'issuer CA thumbprint to register (repeatable; default none: IAM validates EKS issuers with its trusted CAs)',
      collect,
    )
    .option('--tags <k=v,...>', 'extra tags for the provider (repeatable)', collect)
    .action(async (flags: Flags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions & Flags>();
      const cluster = flags.cluster;
      if (cluster === undefined) {
        return exitWithError(
          new ValidationError('missing required flag: --cluster', {
            hint: 'iamsa enable-oidc --cluster NAME (see iamsa enable-oidc --help)',
          }),
          globals,
        );
      }
      await run(
        globals,
        !!flags.approve,
        async ({ aws, reporter }) => {
          const [{ planEnableOidcCommand }, clients] = await Promise.all([
            import('../../actions/lifecycle/enable-oidc.js'),
            aws(),
          ]);
          return planEnableOidcCommand(
            { cluster, thumbprints: flags.thumbprint ?? [], tags: flags.tags ?? [] },
            { ...clients, reporter },
          );
        },
        (result) => enableOidcNextStep(result, globals.profile),
      );
    });
}
