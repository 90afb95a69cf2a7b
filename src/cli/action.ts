// A command's action returns its exit code; commander drops an action's return value, so the code
// is kept here for runCli (src/cli/program.ts) to hand back to main, or to a test.
import type { Command } from 'commander';

const codes = new WeakMap<Command, number>();

export function onAction<Args extends unknown[]>(
  command: Command,
  handler: (...args: Args) => Promise<number>,
): Command {
  return command.action(async (...args: Args) => {
    codes.set(command, await handler(...args));
  });
}

/** The exit code of the command that ran, if one did. */
export const exitCodeOf = (program: Command): number | undefined =>
  program.commands.map((c) => codes.get(c)).find((code) => code !== undefined);
