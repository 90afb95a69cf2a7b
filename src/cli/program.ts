// The commander program: global flags and one registration per command, each given the factory.
// runCli parses one command line and returns its exit code; main and the test harness call it.
import { Command, CommanderError } from 'commander';
import { ExitCode, ValidationError } from '../errors.js';
import { exitCodeOf } from './action.js';
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
import type { Factory } from './factory.js';
import {
  addGlobalOptions,
  type GlobalOptions,
  outputFormatsOf,
  refuseEmptyValues,
} from './globals.js';
import { addExamples, configureHelp } from './help.js';
import { usageError } from './parse-errors.js';
import { closest } from '../suggest.js';
import { exitWithError } from './run.js';

export function buildProgram(version: string, f: Factory): Command {
  const program = new Command('iamsa')
    .description('Set up IAM Roles for Service Accounts (IRSA) on Amazon EKS')
    .version(version, '--version', 'print the version')
    // Help goes to the IO; parse failures are reworded and printed by runCli, not by commander.
    .configureOutput({
      writeOut: (text) => f.io.stdout.write(text),
      writeErr: (text) => f.io.stderr.write(text),
      outputError: () => undefined,
    });
  configureHelp(program);
  addGlobalOptions(program, () =>
    f.argv.find((word) => program.commands.some((c) => c.name() === word)),
  );
  registerEnableOidc(program, f);
  registerCreateServiceAccount(program, f);
  registerGetServiceAccounts(program, f);
  registerUpdateServiceAccount(program, f);
  registerDeleteServiceAccount(program, f);
  registerMigrateToPodIdentity(program, f);
  registerMigrateFromKube2iam(program, f);
  registerWizard(program, f);
  registerWellKnownPolicies(program, f);
  registerDoctor(program, f);
  registerAudit(program, f, version);
  registerApply(program, f);
  registerCompletion(program, f);
  addExamples(program);
  for (const command of [program, ...program.commands]) {
    refuseEmptyValues(command);
    // Help and --version end with exit 0; every other parse failure becomes a usage error.
    command.exitOverride((error) => {
      throw error.exitCode === 0 ? error : usageError(error, command, f.argv);
    });
  }
  program.hook('preAction', (_program, action) => {
    if (!outputFormatsOf(action.name()).includes(action.optsWithGlobals().output)) {
      throw new ValidationError(`-o sarif is only for iamsa audit`, {
        hint: 'use -o json or -o yaml here',
      });
    }
  });
  return program;
}

/** Runs one command line (the arguments after `iamsa`) and returns its exit code. */
export async function runCli(version: string, f: Factory): Promise<number> {
  const { argv } = f;
  const program = buildProgram(version, f);
  // Bare `iamsa` is a request for help, not a mistake.
  if (argv.length === 0) {
    program.outputHelp();
    return ExitCode.ok;
  }
  try {
    refuseUnknownHelpTopic(program, argv);
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodeOf(program) ?? ExitCode.ok;
  } catch (error) {
    // Help and --version were printed by commander; every other failure is ours to render.
    if (error instanceof CommanderError && error.exitCode === 0) return ExitCode.ok;
    return exitWithError(
      f.io,
      error instanceof Error ? error : new ValidationError(String(error)),
      fallbackGlobals(argv),
    );
  }
}

/**
 * `iamsa help doctr`: commander would print the whole help and fail with "no command given"; the
 * mistyped name is the error, with the nearest command.
 */
function refuseUnknownHelpTopic(program: Command, argv: readonly string[]): void {
  const [first, topic] = argv;
  if (first !== 'help' || topic === undefined || topic.startsWith('-')) return;
  const names = program.commands.map((c) => c.name());
  if (names.includes(topic)) return;
  const near = closest(topic, names);
  throw new ValidationError(`unknown command ${topic}`, {
    hint: `${near ? `did you mean iamsa help ${near}? ` : ''}see 'iamsa --help'`,
  });
}

/** -o json, --output json, --output=json, -ojson: read from argv, for commander's own errors. */
export function fallbackGlobals(
  argv: readonly string[],
): Pick<GlobalOptions, 'output' | 'verbose' | 'color'> {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '-o' || arg === '--output') value = argv[i + 1];
    else if (arg.startsWith('--output=')) value = arg.slice('--output='.length);
    else if (/^-o[^-]/.test(arg)) value = arg.slice(2).replace(/^=/, '');
  });
  // Any case, as the flag takes it (-o JSON, --output=Yaml).
  const format = value?.toLowerCase();
  return {
    output: format === 'json' || format === 'yaml' ? format : 'text',
    verbose: argv.includes('--verbose'),
    color: !argv.includes('--no-color'),
  };
}
