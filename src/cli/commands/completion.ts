import type { Command, Option } from 'commander';
import { ValidationError } from '../../errors.js';
import { completionScript, type FlagSpec, type Shell, SHELLS } from '../../ui/completion.js';
import { isRepeatable } from '../globals.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import { finish } from '../run.js';

// Flags whose value is a path, so shells offer file names.
const FILE_FLAGS = new Set(['--attach-policy', '--kubeconfig', '--kube-ca-file']);

const flagSpec = (o: Option): FlagSpec => ({
  long: o.long ?? '',
  short: o.short,
  description: o.description,
  takesValue: o.required || o.optional,
  values: o.argChoices,
  file: FILE_FLAGS.has(o.long ?? ''),
  repeatable: isRepeatable(o),
});

export function registerCompletion(program: Command, f: Factory): void {
  const command = program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish', (value: string) => {
      if (!SHELLS.includes(value as Shell)) {
        throw new ValidationError(`no completion for shell ${value}: choose ${SHELLS.join(', ')}`, {
          hint: "see 'iamsa completion --help'",
        });
      }
      return value as Shell;
    });
  onAction(command, async (shell: Shell) => {
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
    return finish(f.io, 0, script);
  });
}
