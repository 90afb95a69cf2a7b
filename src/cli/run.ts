// The composition root's runners: turn global flags into a terminal and a reporter, give one action
// its (lazily made) clients from the factory, write its result through the IO and map any error to
// its exit code. They return the code; only main exits the process.
import type { CommandResult, Planned } from '../actions/engine/plan.js';
import type { AwsSettings } from '../aws/clients.js';
import { CancelledError, ExitCode, IamsaError } from '../errors.js';
import { formatDocument } from '../ui/output.js';
import { renderError } from '../ui/render-error.js';
import { renderResult } from '../ui/render-result.js';
import { makeStyle } from '../ui/style.js';
import { applyCommandLine } from './command-line.js';
import type { Access, Factory } from './factory.js';
import type { GlobalOptions } from './globals.js';
import { type IO, write } from './io.js';
import type { Reporter } from '../actions/engine/reporter.js';

/** What the text of a result says beyond its steps (text output only). */
export interface AfterRun {
  /** What the user does after an applied result. */
  nextStep?: (result: CommandResult) => string[];
  /** Why a result of no binding at all has nothing to do (what the selection matched). */
  nothingMatched?: (result: CommandResult) => string;
}

export interface RunContext {
  globals: GlobalOptions;
  reporter: Reporter;
  /** The clients of --region (or the SDK's), made on first use; settings override per call. */
  access(settings?: AwsSettings): Promise<Access>;
}

/**
 * Runs a mutating command: plan, then apply with --approve, or after a yes at a terminal.
 * Without either, the plan is the result and nothing changes.
 */
export async function run(
  f: Factory,
  globals: GlobalOptions,
  approve: boolean,
  action: (ctx: RunContext) => Promise<Planned>,
  after: AfterRun = {},
): Promise<number> {
  const { nextStep, nothingMatched } = after;
  const { io } = f;
  const terminal = io.terminal(globals);
  const style = makeStyle(terminal.color);
  const outStyle = makeStyle(terminal.stdoutColor);
  const machine = globals.output !== 'text';
  try {
    const plan = await action(context(f, globals));
    let result = plan.result;
    if (approve) result = result.changed ? await plan.apply() : { ...result, applied: true };
    else if (result.changed && terminal.interactive) {
      // At a terminal: show the plan and ask (default no). With -o json|yaml the conversation
      // happens on stderr and stdout still gets only the document.
      const talk = machine ? io.stderr : io.stdout;
      talk.write(`${renderResult(result, machine ? style : outStyle, { footer: false })}\n`);
      const yes = await (await f.prompter(() => '', talk)).confirm('Apply these changes?', false);
      if (!yes) throw new CancelledError('nothing was changed');
      result = await plan.apply();
      if (!machine)
        return await finish(
          io,
          result.exitCode ?? ExitCode.ok,
          `${renderResult(result, outStyle, { summaryOnly: true, nextStep: nextStep?.(result) })}\n`,
        );
    }
    const text = machine
      ? await formatDocument(result, globals.output as 'json' | 'yaml')
      : `${renderResult(result, outStyle, {
          applyCommand: applyCommandLine([...f.argv]),
          nextStep: nextStep?.(result),
          nothingMatched: nothingMatched?.(result),
        })}\n`;
    // A batch whose bindings failed exits with the most serious failure's code.
    return await finish(io, result.exitCode ?? ExitCode.ok, text);
  } catch (error) {
    return exitWithError(io, error, globals);
  }
}

/**
 * Runs a read-only command: its document goes to stdout as JSON/YAML, or as text from the given
 * renderer (or SARIF, for the commands that offer it). `code` picks the exit code from the
 * document (findings, say); default 0.
 */
export async function report<T>(
  f: Factory,
  globals: GlobalOptions,
  action: (ctx: RunContext) => Promise<T>,
  render: (document: T, style: ReturnType<typeof makeStyle>) => Promise<string> | string,
  code: (document: T) => number = () => ExitCode.ok,
  sarif?: (document: T) => unknown,
): Promise<number> {
  try {
    const document = await action(context(f, globals));
    const { output } = globals;
    const text =
      output === 'text'
        ? `${await render(document, makeStyle(f.io.terminal(globals).stdoutColor))}\n`
        : output === 'sarif' && sarif
          ? `${JSON.stringify(sarif(document), null, 2)}\n`
          : await formatDocument(document, output === 'yaml' ? 'yaml' : 'json');
    return await finish(f.io, code(document), text);
  } catch (error) {
    return exitWithError(f.io, error, globals);
  }
}

/** The reporter, and the default region's clients, created on first use (a command that fails
 * validation loads no SDK). */
function context(f: Factory, globals: GlobalOptions): RunContext {
  let clients: Promise<Access> | undefined;
  const defaults = { region: globals.region, profile: globals.profile };
  return {
    globals,
    reporter: f.reporter(globals),
    access: (settings) =>
      settings ? f.access({ ...defaults, ...settings }) : (clients ??= f.access(defaults)),
  };
}

/** Renders an error on stderr (and as the document with -o json|yaml); returns its exit code. */
export async function exitWithError(
  io: IO,
  error: unknown,
  globals: Pick<GlobalOptions, 'output' | 'verbose' | 'color'>,
): Promise<number> {
  const style = makeStyle(io.terminal(globals).color);
  const code = error instanceof IamsaError ? error.exitCode : ExitCode.internal;
  io.stderr.write(`${renderError(error, style, !!globals.verbose)}\n`);
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
    return finish(io, code, await formatDocument(document, globals.output));
  }
  return code;
}

/** Writes the result to stdout; a result that could not be written (disk full, closed pipe) is
 * not a success. */
export async function finish(io: IO, code: number, stdout: string): Promise<number> {
  try {
    await write(io.stdout, stdout);
    return code;
  } catch {
    return code === ExitCode.ok ? ExitCode.internal : code;
  }
}
