// Entry point of the bundled CLI.
import { CommanderError } from 'commander';
import { CancelledError, ExitCode, ValidationError } from '../errors.js';
import { buildProgram } from './program.js';
import { handleInterrupts } from './interrupt.js';
import { exit, exitWithError } from './run.js';
import { VERSION as version } from '../version.js';
import { guardOutput } from '../ui/redact.js';

// Whatever is written from here on, no secret gets out (src/ui/redact.ts).
guardOutput();

// The AWS SDK warns about Node versions on stderr; that is ours to manage, not the user's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const argv = process.argv.slice(2);
const wants = (flag: string) => argv.includes(flag);
/** -o json, --output json, --output=json, -ojson: read before commander, for its own errors. */
function outputFormat(): 'text' | 'json' | 'yaml' {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '-o' || arg === '--output') value = argv[i + 1];
    else if (arg.startsWith('--output=')) value = arg.slice('--output='.length);
    else if (/^-o[^-]/.test(arg)) value = arg.slice(2).replace(/^=/, '');
  });
  return value === 'json' || value === 'yaml' ? value : 'text';
}
const fallbackGlobals = {
  output: outputFormat(),
  verbose: wants('--verbose'),
  color: !wants('--no-color'),
};

// Ctrl-C before anything is written ends the run; during an apply it stops between steps.
handleInterrupts(
  () => void exitWithError(new CancelledError('nothing was changed'), fallbackGlobals),
);

const program = buildProgram(version, argv);
// Bare `iamsa` is a request for help, not a mistake.
if (argv.length === 0) {
  program.outputHelp();
  await exit(ExitCode.ok);
}
try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Help and --version were printed by commander; every other failure is ours to render.
  if (error instanceof CommanderError && error.exitCode === 0) await exit(ExitCode.ok);
  await exitWithError(
    error instanceof Error ? error : new ValidationError(String(error)),
    fallbackGlobals,
  );
}
