import { type Command, InvalidArgumentError, type Option } from 'commander';
import { completionScript, type FlagSpec, type Shell, SHELLS } from '../../ui/completion.js';
import { collect } from '../globals.js';
import { exit } from '../run.js';

// Flags whose value is a path, so shells offer file names.
const FILE_FLAGS = new Set(['--attach-policy', '--kubeconfig', '--kube-ca-file']);

const flagSpec = (o: Option): FlagSpec => ({
  long: o.long ?? '',
  short: o.short,
  description: o.description,
  takesValue: o.required || o.optional,
  values: o.argChoices,
  file: FILE_FLAGS.has(o.long ?? ''),
  // Repeatable flags collect their values; shells may offer them again.
  repeatable: (o as unknown as { parseArg?: unknown }).parseArg === collect,
});

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish', (value: string) => {
      if (!SHELLS.includes(value as Shell))
        throw new InvalidArgumentError(`choose one of ${SHELLS.join(', ')}`);
      return value as Shell;
    })
    .action(async (shell: Shell) => {
      const commands = program.commands.map((c) => ({
        name: c.name(),
        description: c.description(),
        flags: c.options.map(flagSpec),
        ...(c.name() === 'completion' ? { args: SHELLS } : {}),
      }));
      const script = completionScript(shell, {
        program: 'iamsa',
        globalFlags: program.options.filter((o) => o.long !== '--version').map(flagSpec),
        commands,
      });
      await exit(0, script);
    });
}
