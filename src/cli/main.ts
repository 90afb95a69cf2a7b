// Entry point of the bundled CLI: builds the IO and the factory over the process, runs one command
// line, and is the only place that exits (besides a second Ctrl-C, see interrupt.ts).
import { CancelledError, ExitCode } from '../errors.js';
import { createFactory } from './factory.js';
import { readerGone } from './io.js';
import { handleInterrupts } from './interrupt.js';
import { exitWithError } from './run.js';
import { fallbackGlobals, runCli } from './program.js';
import { VERSION as version } from '../version.js';
import { guardOutput } from '../ui/redact.js';

// Whatever is written from here on, no secret gets out (src/ui/redact.ts).
guardOutput();

// The AWS SDK warns about Node versions on stderr; that is ours to manage, not the user's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const factory = createFactory(process.argv.slice(2));

// Ctrl-C before anything is written ends the run; during an apply it stops between steps.
handleInterrupts(async () => {
  const code = await exitWithError(
    factory.io,
    new CancelledError('nothing was changed'),
    fallbackGlobals(factory.argv),
  );
  process.exit(code);
});

// A reader that stopped reading (`iamsa ... | head -1`) closed the pipe: what it did not read it
// did not want, so the run goes on quietly and exits with its own code (docs/exit-codes.md). Any
// other failure to write the result (a full disk) is not a success.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (!readerGone(error)) process.exit(ExitCode.internal);
});
// stderr too (`2>&1 | head`): a warning nobody reads is no failure.
process.stderr.on('error', () => undefined);
const code = await runCli(version, factory);
// Exit once stdout is flushed (SDK keep-alive sockets would otherwise hold the process open); an
// empty write waits behind earlier ones (help text, a piped stdout).
process.stdout.write('', (error?: NodeJS.ErrnoException | null) => {
  const failed = error && !readerGone(error);
  process.exit(failed && code === ExitCode.ok ? ExitCode.internal : code);
});
