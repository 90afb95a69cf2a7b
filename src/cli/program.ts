// The commander program: global flags and one registration per command. Only wiring here.
import { Command } from 'commander';
import { registerCompletion } from './commands/completion.js';
import { registerCreateServiceAccount } from './commands/create-serviceaccount.js';
import { registerDeleteServiceAccount } from './commands/delete-serviceaccount.js';
import { registerUpdateServiceAccount } from './commands/update-serviceaccount.js';
import { registerEnableOidc } from './commands/enable-oidc.js';
import { registerGetServiceAccounts } from './commands/get-serviceaccounts.js';
import { registerWizard } from './commands/wizard.js';
import { addGlobalOptions } from './globals.js';

export function buildProgram(version: string): Command {
  const program = new Command('iamsa')
    .description('Set up IAM Roles for Service Accounts (IRSA) on Amazon EKS')
    .version(version, '--version', 'print the version')
    .showSuggestionAfterError()
    .exitOverride();
  addGlobalOptions(program);
  registerEnableOidc(program);
  registerCreateServiceAccount(program);
  registerGetServiceAccounts(program);
  registerUpdateServiceAccount(program);
  registerDeleteServiceAccount(program);
  registerWizard(program);
  registerCompletion(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}
