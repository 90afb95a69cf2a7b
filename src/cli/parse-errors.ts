// Commander's parse failures in iamsa's words. Chosen by CommanderError.code; the details (which
// flag, which command) come from the command that failed, never from commander's English text.
import type { Command, CommanderError, Option } from 'commander';
import { ValidationError } from '../errors.js';
import { shellQuote } from '../policy/shell-quote.js';
import { closest, orList } from '../suggest.js';
import { eksctlEquivalent } from './eksctl-habits.js';
import { helpCommand } from './help.js';

/** The command and its parents: the flags a command line may use there. */
const chain = (command: Command): Command[] =>
  command.parent ? [command, ...chain(command.parent)] : [command];
const optionsOf = (command: Command): Option[] => chain(command).flatMap((c) => c.options);

export function usageError(
  error: CommanderError,
  command: Command,
  argv: readonly string[],
): ValidationError {
  const see = `see '${helpCommand(command)}'`;
  const hint = (suggestion?: string) => ({
    hint: suggestion ? `did you mean ${suggestion}? ${see}` : see,
  });
  switch (error.code) {
    case 'commander.unknownOption': {
      // Commander keeps the unknown arguments, the offending flag first, after the operands.
      const [given = '', value] = (command.args.find((a) => a.startsWith('-')) ?? '').split('=');
      // --approve=false: commander reads a flag that takes no value as unknown with one.
      const flag = optionsOf(command).find((o) => o.long === given);
      if (value !== undefined && flag && !flag.required && !flag.optional) {
        return new ValidationError(`flag ${given} takes no value`, hint());
      }
      const longs = optionsOf(command).flatMap((o) => (o.long ? [o.long] : []));
      // A flag cut short (--well-known) names the flags it begins.
      const begun = given.length > 3 ? longs.filter((l) => l.startsWith(given)).slice(0, 3) : [];
      // -v and -V print the version of many tools; iamsa's is --version alone.
      const version = !command.parent && /^-[vV]$/.test(given) ? '--version' : undefined;
      return new ValidationError(
        `unknown flag ${given}`,
        hint(version ?? closest(given, longs) ?? (begun.length ? orList(begun) : undefined)),
      );
    }
    case 'commander.unknownCommand': {
      const given = command.args[0] ?? '';
      const names = command.commands.map((c) => c.name());
      const habit = eksctlEquivalent(given, command.args[1]);
      if (habit) {
        const words = [given, command.args[1]].filter((w) => w && !w.startsWith('-'));
        // The suggestion keeps what the user typed after the eksctl command (most of eksctl's
        // binding flags are iamsa's too).
        const start = argv.indexOf(given);
        const rest = start < 0 ? [] : argv.slice(start + (words.length > 1 ? 2 : 1));
        const typed = [habit, ...rest.map(shellQuote)].join(' ');
        return new ValidationError(`unknown command ${words.join(' ')}`, {
          hint: `that is eksctl's; in iamsa it is: ${typed}. See '${habit.split(' ').slice(0, 2).join(' ')} --help'`,
        });
      }
      return new ValidationError(`unknown command ${given}`, hint(closest(given, names)));
    }
    case 'commander.optionMissingArgument': {
      // A value is missing only when the flag is the last word.
      const last = argv.at(-1) ?? '';
      const option = optionsOf(command).find((o) => o.long === last || o.short === last);
      return new ValidationError(`flag ${option?.long ?? last} needs a value`, hint());
    }
    case 'commander.missingArgument': {
      const argument = command.registeredArguments[command.args.length];
      const what = argument ? `<${argument.name()}>: ${argument.description}` : 'argument';
      return new ValidationError(`${command.name()} needs ${what}`, hint());
    }
    case 'commander.excessArguments': {
      const extra = command.args.slice(command.registeredArguments.length);
      const only = command.registeredArguments.length ? '' : `: ${command.name()} takes only flags`;
      return new ValidationError(`unexpected argument ${extra.join(' ')}${only}`, hint());
    }
    case 'commander.help':
      // Global flags but no command.
      return new ValidationError('no command given', hint());
    default:
      return new ValidationError(error.message.replace(/^error: /, ''), hint());
  }
}
