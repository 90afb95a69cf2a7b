import type { Command, Option } from 'commander';
import { ValidationError } from '../../errors.js';
import { closest } from '../../suggest.js';
import { completionScript, type FlagSpec, type Shell, SHELLS } from '../../ui/completion.js';
import { isRepeatable, outputFormatsOf } from '../globals.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import { finish } from '../run.js';

// Flags whose value is a path, so shells offer file names.
const FILE_FLAGS = new Set(['--attach-policy', '--kubeconfig', '--kube-ca-file', '--file']);
// Flags whose value is one or more well-known policy keys (comma-separated).
const KEY_FLAGS = new Set(['--well-known-policies', '--remove-well-known-policies']);

/** The words a flag's value may be, from commander's choices or a `<a|b>` placeholder. */
function valuesOf(o: Option): string[] | undefined {
  if (o.argChoices) return o.argChoices;
  const placeholder = /<([\w-]+(?:\|[\w-]+)+)>/.exec(o.flags);
  return placeholder?.[1]?.split('|');
}

export function registerCompletion(program: Command, f: Factory): void {
  const command = program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish', (value: string) => {
      const shell = SHELLS.find((s) => s === value.toLowerCase());
      if (!shell) {
        const near = closest(value, SHELLS);
        throw new ValidationError(`no completion for shell ${value}: choose ${SHELLS.join(', ')}`, {
          hint: `${near ? `did you mean ${near}? ` : ''}see 'iamsa completion --help'`,
        });
      }
      return shell;
    });
  onAction(command, async (shell: Shell) => {
    // Loaded here only: the catalogue is not part of every command's start-up.
    const { WELL_KNOWN_POLICIES } = await import('../../policy/well-known/catalogue.js');
    const keys = WELL_KNOWN_POLICIES.map((p) => p.key);
    const flagSpec = (o: Option, command?: string): FlagSpec => ({
      long: o.long ?? '',
      short: o.short,
      description: o.description,
      takesValue: o.required || o.optional,
      values:
        o.long === '--output'
          ? [...outputFormatsOf(command)]
          : KEY_FLAGS.has(o.long ?? '')
            ? keys
            : valuesOf(o),
      list: KEY_FLAGS.has(o.long ?? ''),
      file: FILE_FLAGS.has(o.long ?? ''),
      repeatable: isRepeatable(o),
    });
    const globals = program.options.filter((o) => o.long !== '--version');
    const commands = program.commands.map((c) => ({
      name: c.name(),
      description: c.description(),
      flags: [...c.options, ...globals].map((o) => flagSpec(o, c.name())),
      ...(c.name() === 'completion' ? { args: SHELLS } : {}),
      ...(c.name() === 'well-known-policies' ? { args: keys } : {}),
    }));
    const script = completionScript(shell, {
      program: 'iamsa',
      globalFlags: globals.map((o) => flagSpec(o)),
      commands,
    });
    return finish(f.io, 0, script);
  });
}
