import type { Command, Option } from 'commander';
import { ValidationError } from '../../errors.js';
import { closest } from '../../suggest.js';
import { completionScript, type FlagSpec, type Shell, SHELLS } from '../../ui/completion.js';
import { isRepeatable, outputFormatsOf } from '../globals.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import type { WellKnownPolicy } from '../../policy/well-known/types.js';
import { finish } from '../run.js';

// Flags whose value is a path, so shells offer file names.
const FILE_FLAGS = new Set(['--attach-policy', '--kubeconfig', '--kube-ca-file', '--file']);
// Flags whose value is one or more well-known policy keys (comma-separated).
const KEY_FLAGS = new Set(['--well-known-policies', '--remove-well-known-policies']);

/**
 * `--well-known-scope` words: `key.field=` where an ARN follows, every choice and true/false in
 * full.
 */
function scopeWords(policies: readonly WellKnownPolicy[]): string[] {
  return policies.flatMap((p) =>
    (p.fields ?? []).flatMap((field) => {
      const prefix = `${p.key}.${field.name}=`;
      if (field.kind === 'arns') return [prefix];
      return (field.kind === 'choice' ? field.choices : ['true', 'false']).map((v) => prefix + v);
    }),
  );
}

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
    const scopes = scopeWords(WELL_KNOWN_POLICIES);
    const valuesFor = (o: Option, command?: string) => {
      if (o.long === '--output') return [...outputFormatsOf(command)];
      if (o.long === '--well-known-scope') return scopes;
      return KEY_FLAGS.has(o.long ?? '') ? keys : valuesOf(o);
    };
    const flagSpec = (o: Option, command?: string): FlagSpec => ({
      long: o.long ?? '',
      short: o.short,
      description: o.description,
      takesValue: o.required || o.optional,
      values: valuesFor(o, command),
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
    // commander's own `help [command]`.
    commands.push({
      name: 'help',
      description: 'display help for command',
      flags: [],
      args: commands.map((c) => c.name),
    });
    const script = completionScript(shell, {
      program: 'iamsa',
      globalFlags: globals.map((o) => flagSpec(o)),
      commands,
    });
    return finish(f.io, 0, script);
  });
}
