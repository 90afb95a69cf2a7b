// Commander's parse failures in iamsa's words. Chosen by CommanderError.code; the details (which
// flag, which command) come from the command that failed, never from commander's English text.
import type { Command, CommanderError, Option } from 'commander';
import { ValidationError } from '../errors.js';
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
      const given = (command.args.find((a) => a.startsWith('-')) ?? '').split('=')[0] ?? '';
      const longs = optionsOf(command).flatMap((o) => (o.long ? [o.long] : []));
      return new ValidationError(`unknown flag ${given}`, hint(closest(given, longs)));
    }
    case 'commander.unknownCommand': {
      const given = command.args[0] ?? '';
      const names = command.commands.map((c) => c.name());
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

/** The candidate nearest to a typo (edit distance at most 2 and under 40% of it), if any. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance && d <= 2 && d < candidate.length * 0.4) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + cost);
    }
    row = next;
  }
  return row[b.length] ?? 0;
}
