// Global flags shared by every command (a contract: scripts and docs rely on these names).
import { type Command, Option } from 'commander';
import type { OutputFormat } from '../ui/output.js';

export interface GlobalOptions {
  region?: string;
  profile?: string;
  output: OutputFormat;
  verbose?: boolean;
  color: boolean;
  input: boolean;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option(
      '-r, --region <region>',
      'AWS region (default: the AWS SDK region chain: AWS_REGION, profile)',
    )
    .option('-p, --profile <name>', 'AWS profile from your AWS config')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['text', 'json', 'yaml'])
        .default('text'),
    )
    .option('--verbose', 'show timings and stack traces')
    .option('--no-color', 'disable colours (also NO_COLOR)')
    .option('--no-input', 'never prompt; fail instead');
}

/** Commander collector for repeatable flags. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];
