import type { Command } from 'commander';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import { collect, type GlobalOptions } from '../globals.js';
import { enableOidcNextStep } from '../next-step.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, run } from '../run.js';

interface Flags {
  cluster?: string;
  approve?: boolean;
  thumbprint?: string[];
  tags?: string[];
}

export function registerEnableOidc(program: Command, f: Factory): void {
  const command = program
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
    .option('--tags <k=v,...>', 'extra tags for the provider (repeatable)', collect);
  onAction(command, async (flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    const missing = missingFlags('enable-oidc', 'iamsa enable-oidc --cluster NAME', {
      '--cluster': flags.cluster,
    });
    if (missing) return exitWithError(f.io, missing, globals);
    const cluster = flags.cluster ?? '';
    return run(
      f,
      globals,
      !!flags.approve,
      async ({ access, reporter }) => {
        const [{ planEnableOidcCommand }, clients] = await Promise.all([
          import('../../actions/lifecycle/enable-oidc.js'),
          access(),
        ]);
        return planEnableOidcCommand(
          { cluster, thumbprints: flags.thumbprint ?? [], tags: flags.tags ?? [] },
          { ...clients, reporter },
        );
      },
      { nextStep: (result) => enableOidcNextStep(result, globals.profile) },
    );
  });
}
