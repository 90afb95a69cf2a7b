// Entry point of the bundled CLI.
import { CommanderError } from 'commander';
import { ExitCode, ValidationError } from '../errors.js';
import { buildProgram } from './program.js';
import { formatDocument } from '../ui/output.js';
import { exit, exitWithError } from './run.js';

// The AWS SDK warns about Node versions on stderr; that is ours to manage, not the user's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

declare const IAMSA_VERSION: string;
const version = typeof IAMSA_VERSION === 'string' ? IAMSA_VERSION : '0.0.0-dev';

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

try {
  await buildProgram(version).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed help, the version or its usage message on the terminal.
    const { output } = fallbackGlobals;
    if (error.exitCode === 0) await exit(ExitCode.ok);
    else if (output === 'text') await exit(ExitCode.usage);
    else {
      // Commander's text: "error: <what>" then maybe "(Did you mean ...?)": one line plus a hint.
      const [first = '', ...rest] = error.message.replace(/^error: /, '').split('\n');
      const noCommand = first === '(outputHelp)';
      const message = noCommand ? 'no command given' : first;
      const hint = noCommand ? 'iamsa --help lists the commands' : rest.join(' ').trim();
      const document = {
        error: { message, ...(hint ? { hint } : {}), exitCode: ExitCode.usage },
      };
      await exit(ExitCode.usage, await formatDocument(document, output));
    }
  }
  await exitWithError(
    error instanceof Error ? error : new ValidationError(String(error)),
    fallbackGlobals,
  );
}
