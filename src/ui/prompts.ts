// The only place that talks to inquirer. Prompts render on stdout, or on stderr when stdout carries
// a JSON/YAML document; Ctrl-C and Esc become CancelledError (exit 130) wherever they happen.
import { emitKeypressEvents } from 'node:readline';
import type * as InquirerModule from '@inquirer/prompts';
import type { CommandResult } from '../actions/engine/plan.js';
import type { Prompter } from '../actions/engine/prompter.js';
import { CancelledError } from '../errors.js';

type Inquirer = typeof InquirerModule;

/** Runs one prompt with Esc wired to abort it, and maps cancellation to CancelledError. */
interface PromptContext {
  signal: AbortSignal;
  output: NodeJS.WritableStream;
}

async function askOn<T>(
  output: NodeJS.WritableStream,
  prompt: (context: PromptContext) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onKey = (_: string, key: { name?: string } | undefined) => {
    if (key?.name === 'escape') controller.abort();
  };
  emitKeypressEvents(process.stdin);
  process.stdin.on('keypress', onKey);
  try {
    return await prompt({ signal: controller.signal, output });
  } catch (error) {
    const name = (error as Error | undefined)?.name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') {
      throw new CancelledError('nothing was changed');
    }
    throw error;
  } finally {
    process.stdin.off('keypress', onKey);
  }
}

export async function createPrompter(
  render: (result: CommandResult) => string = () => '',
  output: NodeJS.WriteStream = process.stdout,
): Promise<Prompter> {
  const inquirer: Inquirer = await import('@inquirer/prompts');
  const ask = <T>(prompt: (context: PromptContext) => Promise<T>) => askOn(output, prompt);
  return {
    show: (result) => output.write(`${render(result)}\n`),
    say: (message) => output.write(`${message}\n`),
    select: (message, choices, defaultValue) =>
      ask((ctx) =>
        inquirer.select(
          { message, choices, default: defaultValue, pageSize: 12, loop: false },
          ctx,
        ),
      ),
    search: (message, source) =>
      ask((ctx) =>
        inquirer.search({ message, source: (term) => source(term ?? ''), pageSize: 12 }, ctx),
      ),
    input: (message, options = {}) =>
      ask((ctx) =>
        inquirer.input({ message, default: options.default, validate: options.validate }, ctx),
      ),
    confirm: (message, defaultValue = false) =>
      ask((ctx) => inquirer.confirm({ message, default: defaultValue }, ctx)),
  };
}
