// Global flags shared by every command (a contract: scripts and docs rely on these names).
import { type Command, Option } from 'commander';
import { ValidationError } from '../errors.js';
import { closest } from '../suggest.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../ui/output.js';

export interface GlobalOptions {
  region?: string;
  profile?: string;
  output: OutputFormat;
  verbose?: boolean;
  color: boolean;
  input: boolean;
}

/** `commandOf`: the command the command line runs, whose -o values a bad one is told. */
export function addGlobalOptions(
  program: Command,
  commandOf: () => string | undefined = () => undefined,
): Command {
  return program
    .optionsGroup('Global flags:')
    .option(
      '-r, --region <region>',
      'AWS region (default: the AWS SDK region chain: AWS_REGION, profile)',
    )
    .option('-p, --profile <name>', 'AWS profile from your AWS config')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(OUTPUT_FORMATS)
        .default('text')
        // Our own words for a bad value (commander's choices() keeps the list for help and completion).
        .argParser((value: string) => {
          const format = OUTPUT_FORMATS.find((f) => f === value.toLowerCase());
          if (!format) {
            const formats = outputFormatsOf(commandOf());
            const near = closest(value, formats);
            throw new ValidationError(`-o/--output takes ${formats.join(', ')}, not ${value}`, {
              hint: `${near ? `did you mean -o ${near}? ` : ''}see 'iamsa --help'`,
            });
          }
          return format;
        }),
    )
    .option('--verbose', 'show timings and stack traces')
    .option('--no-color', 'disable colours (also NO_COLOR)')
    .option('--no-input', 'never prompt; fail instead');
}

/** The -o values a command takes: sarif is for audit alone (a code-scanning report). */
export const outputFormatsOf = (command: string | undefined): readonly OutputFormat[] =>
  command === 'audit' ? OUTPUT_FORMATS : OUTPUT_FORMATS.filter((f) => f !== 'sarif');

/** Commander collector for repeatable flags. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

type Parse = (value: string, previous: unknown) => unknown;
const inner = new WeakMap<Parse, Parse | undefined>();

/**
 * Every flag that takes a value refuses an empty one: an unset variable in a CI script
 * (`--region "$REGION"`) must not silently fall back to a default and write there.
 */
export function refuseEmptyValues(command: Command): void {
  for (const option of command.options) {
    if (!option.required && !option.optional) continue;
    const parse = option.parseArg as Parse | undefined;
    const checked: Parse = (value, previous) => {
      if (value.trim() === '') {
        // A flag the help calls required cannot be left out.
        const required = /\(required\)/.test(option.description);
        throw new ValidationError(`${option.long} was given an empty value`, {
          hint: required
            ? `give it a value: ${option.long} is required`
            : 'give it a value, or leave the flag out',
        });
      }
      return parse ? parse(value, previous) : value;
    };
    inner.set(checked, parse);
    option.argParser(checked);
  }
}

/** A flag that collects repeated values (shells may offer it again). */
export const isRepeatable = (option: Option): boolean => {
  const parse = option.parseArg as Parse | undefined;
  return (parse && inner.has(parse) ? inner.get(parse) : parse) === collect;
};
