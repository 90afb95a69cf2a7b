// The commander program: global flags and one registration per command. Only wiring here.
import { Command } from 'commander';
import { ValidationError } from '../errors.js';
import { registerAudit } from './commands/audit.js';
import { registerDoctor } from './commands/doctor.js';
import { registerApply } from './commands/apply.js';
import { registerCompletion } from './commands/completion.js';
import { registerCreateServiceAccount } from './commands/create-serviceaccount.js';
import { registerDeleteServiceAccount } from './commands/delete-serviceaccount.js';
import { registerUpdateServiceAccount } from './commands/update-serviceaccount.js';
import { registerMigrateToPodIdentity } from './commands/migrate-to-pod-identity.js';
import { registerMigrateFromKube2iam } from './commands/migrate-from-kube2iam.js';
import { registerEnableOidc } from './commands/enable-oidc.js';
import { registerGetServiceAccounts } from './commands/get-serviceaccounts.js';
import { registerWellKnownPolicies } from './commands/well-known-policies.js';
import { registerWizard } from './commands/wizard.js';
import { addGlobalOptions, refuseEmptyValues } from './globals.js';
import { addExamples, configureHelp } from './help.js';
import { usageError } from './parse-errors.js';

export function buildProgram(version: string, argv: readonly string[]): Command {
  const program = new Command('iamsa')
    .description('Set up IAM Roles for Service Accounts (IRSA) on Amazon EKS')
    .version(version, '--version', 'print the version')
    // Parse failures are reworded and printed by src/cli/run.ts, not by commander.
    .configureOutput({ outputError: () => undefined });
  configureHelp(program);
  addGlobalOptions(program);
  registerEnableOidc(program);
  registerCreateServiceAccount(program);
  registerGetServiceAccounts(program);
  registerUpdateServiceAccount(program);
  registerDeleteServiceAccount(program);
  registerMigrateToPodIdentity(program);
  registerMigrateFromKube2iam(program);
  registerWizard(program);
  registerWellKnownPolicies(program);
  registerDoctor(program);
  registerAudit(program, version);
  registerApply(program);
  registerCompletion(program);
  addExamples(program);
  for (const command of [program, ...program.commands]) {
    refuseEmptyValues(command);
    // Help and --version end with exit 0; every other parse failure becomes a usage error.
    command.exitOverride((error) => {
      throw error.exitCode === 0 ? error : usageError(error, command, argv);
    });
  }
  program.hook('preAction', (_program, action) => {
    if (action.optsWithGlobals().output === 'sarif' && action.name() !== 'audit') {
      throw new ValidationError(`-o sarif is only for iamsa audit`, {
        hint: 'use -o json or -o yaml here',
      });
    }
  });
  return program;
}
