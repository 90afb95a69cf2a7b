// Help that teaches: every command's help shows the global flags and ends with examples.
import { type Command, Help, type Option } from 'commander';
import { EXAMPLES } from './examples.js';
import { outputFormatsOf } from './globals.js';

// Commander's section titles, in the words the README uses.
const TITLES: Record<string, string> = {
  'Options:': 'Flags:',
  'Global Options:': 'Global flags:',
};

/** The help command that explains `command`, as hints quote it. */
export const helpCommand = (command: Command) =>
  command.parent ? `iamsa ${command.name()} --help` : 'iamsa --help';

/** Configures the program's help; call before registering commands, which inherit it. */
export function configureHelp(program: Command): void {
  program.configureHelp({
    showGlobalOptions: true,
    // --version belongs to iamsa itself, not to each command.
    visibleGlobalOptions(command) {
      return Help.prototype.visibleGlobalOptions
        .call(this, command)
        .filter((o) => o.long !== '--version')
        .map((o) => withChoicesOf(command, o));
    },
    visibleOptions(command) {
      return Help.prototype.visibleOptions
        .call(this, command)
        .map((o) => withChoicesOf(command, o));
    },
    styleTitle: (title) => TITLES[title] ?? title,
  });
}

/**
 * -o as `command` takes it: sarif is audit's alone, so other commands' help leaves it out (the
 * overview says which command takes it).
 */
export function withChoicesOf(command: Command, option: Option): Option {
  if (option.long !== '--output') return option;
  const top = !command.parent;
  return Object.assign(Object.create(Object.getPrototypeOf(option) as object) as Option, option, {
    argChoices: [...outputFormatsOf(top ? undefined : command.name())],
    description: top ? `${option.description} (audit also takes sarif)` : option.description,
  });
}

/** Appends each command's examples to its help. */
export function addExamples(program: Command): void {
  for (const command of [program, ...program.commands]) {
    const examples = EXAMPLES[command.parent ? command.name() : 'iamsa'];
    if (!examples) continue;
    const body = examples.map((line) => (line ? `  ${line}` : '')).join('\n');
    command.addHelpText('after', `\nExamples:\n${body}\n`);
  }
}
