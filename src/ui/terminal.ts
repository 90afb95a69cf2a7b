// Knows what kind of terminal we run in, so nothing prompts, spins or colours where nobody sees it.
export interface Terminal {
  /** Prompts are allowed: stdin and stdout are TTYs, not under CI, and --no-input was not given. */
  interactive: boolean;
  /**
   * Prompts on stderr are allowed: stdin and stderr are TTYs (CI and --no-input as above). What
   * prints a document on stdout (-o json|yaml) asks on stderr, so stdout may go to a file.
   */
  stderrInteractive: boolean;
  /** Spinners on stderr: stderr is a TTY with a known width, not under CI (colour does not matter). */
  spinners: boolean;
  /** Colour on stderr (progress, prompts, errors). */
  color: boolean;
  /** Colour on stdout (the result), decided on its own: stdout may be a pipe while stderr is not. */
  stdoutColor: boolean;
}

export interface TerminalOptions {
  color?: boolean;
  input?: boolean;
}

interface Streams {
  stdin: { isTTY?: boolean };
  stdout: { isTTY?: boolean };
  stderr: { isTTY?: boolean; columns?: number };
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

export function detectTerminal(
  options: TerminalOptions,
  env: NodeJS.ProcessEnv = process.env,
  streams: Streams = process,
): Terminal {
  const ci = isCi(env);
  const forced =
    env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const noColor = options.color === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');
  const colorOn = (stream: { isTTY?: boolean }) => !noColor && (forced || (!!stream.isTTY && !ci));
  const canAsk = !!streams.stdin.isTTY && !ci && options.input !== false;
  return {
    interactive: canAsk && !!streams.stdout.isTTY,
    stderrInteractive: canAsk && !!streams.stderr.isTTY,
    // A zero-width terminal (some emulators and pty wrappers) would make the spinner loop forever.
    // NO_COLOR and --no-color turn off colour only: progress stays where someone watches it.
    spinners: !!streams.stderr.isTTY && !ci && (streams.stderr.columns ?? 0) > 0,
    color: colorOn(streams.stderr),
    stdoutColor: colorOn(streams.stdout),
  };
}
