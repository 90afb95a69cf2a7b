// Entry point of the bundled CLI: builds the IO and the factory over the process, runs one command
// line, and is the only place that exits.
import { ExitCode } from '../errors.js';
import { createFactory } from './factory.js';
import { runCli } from './program.js';
import { VERSION as version } from '../version.js';

// The AWS SDK warns about Node versions on stderr; that is ours to manage, not the user's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A result that could not be written (disk full, closed pipe) is not a success.
process.stdout.on('error', () => process.exit(ExitCode.internal));
const code = await runCli(version, createFactory(process.argv.slice(2)));
// Exit once stdout is flushed (SDK keep-alive sockets would otherwise hold the process open); an
// empty write waits behind earlier ones (help text, a piped stdout).
process.stdout.write('', (error) =>
  process.exit(error && code === ExitCode.ok ? ExitCode.internal : code),
);
