// The composition root: turns global flags into a terminal, a reporter and (lazily) clients, runs
// one action, prints its result and maps any error to its exit code. The only place that exits.
import type { CommandResult, Planned } from '../actions/engine/plan.js';
import type { AwsClients } from '../aws/clients.js';
import { CancelledError, ExitCode, IamsaError } from '../errors.js';
import { formatDocument } from '../ui/output.js';
import { renderError } from '../ui/render-error.js';
import { renderResult } from '../ui/render-result.js';
import { createReporter } from '../ui/reporter.js';
import { makeStyle } from '../ui/style.js';
import { detectTerminal } from '../ui/terminal.js';
import { applyCommandLine } from './command-line.js';
import type { GlobalOptions } from './globals.js';
import type { Reporter } from '../actions/engine/reporter.js';

export interface RunContext {
  globals: GlobalOptions;
  reporter: Reporter;
  aws: () => Promise<AwsClients>;
}

/**
 * Runs a mutating command: plan, then apply with --approve, or after a yes at a terminal.
 * Without either, the plan is the result and nothing changes.
 */
export async function run(
  globals: GlobalOptions,
  approve: boolean,
  action: (ctx: RunContext) => Promise<Planned>,
  /** What the user does after an applied result (text output only). */
  nextStep?: (result: CommandResult) => string[],
): Promise<never> {
  const terminal = detectTerminal(globals);
  const style = makeStyle(terminal.color);
  const outStyle = makeStyle(terminal.stdoutColor);
  const machine = globals.output !== 'text';
  const reporter = createReporter(terminal, style, !!globals.verbose);
  const aws = lazyAws(globals);
  try {
    const plan = await action({ globals, reporter, aws });
    let result = plan.result;
    if (approve) result = result.changed ? await plan.apply() : { ...result, applied: true };
    else if (result.changed && terminal.interactive) {
      // At a terminal: show the plan and ask (default no). With -o json|yaml the conversation
      // happens on stderr and stdout still gets only the document.
      const talk = machine ? process.stderr : process.stdout;
      talk.write(`${renderResult(result, machine ? style : outStyle, { footer: false })}\n`);
      const { createPrompter } = await import('../ui/prompts.js');
      const yes = await (
        await createPrompter(undefined, talk)
      ).confirm('Apply these changes?', false);
      if (!yes) throw new CancelledError('nothing was changed');
      result = await plan.apply();
      if (!machine)
        return await exit(
          result.exitCode ?? ExitCode.ok,
          `${renderResult(result, outStyle, { summaryOnly: true, nextStep: nextStep?.(result) })}\n`,
        );
    }
    const text = machine
      ? await formatDocument(result, globals.output as 'json' | 'yaml')
      : `${renderResult(result, outStyle, {
          applyCommand: applyCommandLine(process.argv.slice(2)),
          nextStep: nextStep?.(result),
        })}\n`;
    // A batch whose bindings failed exits with the most serious failure's code.
    return await exit(result.exitCode ?? ExitCode.ok, text);
  } catch (error) {
    return exitWithError(error, globals);
  }
}

/**
 * Runs a read-only command: its document goes to stdout as JSON/YAML, or as text from the given
 * renderer (or SARIF, for the commands that offer it). `code` picks the exit code from the
 * document (findings, say); default 0.
 */
export async function report<T>(
  globals: GlobalOptions,
  action: (ctx: RunContext) => Promise<T>,
  render: (document: T, style: ReturnType<typeof makeStyle>) => Promise<string> | string,
  code: (document: T) => number = () => ExitCode.ok,
  sarif?: (document: T) => unknown,
): Promise<never> {
  const terminal = detectTerminal(globals);
  const reporter = createReporter(terminal, makeStyle(terminal.color), !!globals.verbose);
  const aws = lazyAws(globals);
  try {
    const document = await action({ globals, reporter, aws });
    const { output } = globals;
    const text =
      output === 'text'
        ? `${await render(document, makeStyle(terminal.stdoutColor))}\n`
        : output === 'sarif' && sarif
          ? `${JSON.stringify(sarif(document), null, 2)}\n`
          : await formatDocument(document, output === 'yaml' ? 'yaml' : 'json');
    return await exit(code(document), text);
  } catch (error) {
    return exitWithError(error, globals);
  }
}

/** The AWS clients, created on first use (commands that fail validation load no SDK). */
function lazyAws(globals: GlobalOptions): () => Promise<AwsClients> {
  let clients: Promise<AwsClients> | undefined;
  return () =>
    (clients ??= import('../aws/clients.js').then((m) =>
      m.createAwsClients({ region: globals.region, profile: globals.profile }),
    ));
}

export async function exitWithError(
  error: unknown,
  globals: Pick<GlobalOptions, 'output' | 'verbose' | 'color'>,
): Promise<never> {
  const style = makeStyle(detectTerminal(globals).color);
  const code = error instanceof IamsaError ? error.exitCode : ExitCode.internal;
  process.stderr.write(`${renderError(error, style, !!globals.verbose)}\n`);
  if (globals.output === 'json' || globals.output === 'yaml') {
    const e = error instanceof IamsaError ? error : undefined;
    const document = {
      error: {
        message: error instanceof Error ? error.message : String(error),
        hint: e?.hint,
        detail: e?.detail,
        exitCode: code,
      },
    };
    return exit(code, await formatDocument(document, globals.output));
  }
  return exit(code);
}

/** Flushes stdout, then exits (SDK keep-alive sockets would otherwise hold the process open). */
export function exit(code: number, stdout?: string): Promise<never> {
  // An empty write still waits behind earlier ones (help text, a piped stdout), then exits.
  return new Promise(() => {
    // A result that could not be written (disk full, closed pipe) is not a success.
    process.stdout.on('error', () => process.exit(ExitCode.internal));
    process.stdout.write(stdout ?? '', (error) =>
      process.exit(error && code === ExitCode.ok ? ExitCode.internal : code),
    );
  });
}
