// Knows what kind of terminal we run in, so nothing prompts, spins or colours where nobody sees it.
export interface Terminal {
  /** Prompts are allowed: stdin and stdout are TTYs, not under CI, and --no-input was not given. */
  interactive: boolean;
  /** Spinners on stderr: stderr is a TTY and not under CI. */
  spinners: boolean;
  color: boolean;
  ci: boolean;
}

export interface TerminalOptions {
  color?: boolean;
  input?: boolean;
}

interface Streams {
  stdin: { isTTY?: boolean };
  stdout: { isTTY?: boolean };
  stderr: { isTTY?: boolean };
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
  const stderrTty = !!streams.stderr.isTTY;
  const forced =
    env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const noColor = options.color === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');
  return {
    interactive: !!streams.stdin.isTTY && !!streams.stdout.isTTY && !ci && options.input !== false,
    spinners: stderrTty && !ci,
    color: !noColor && (forced || (stderrTty && !ci)),
    ci,
  };
}
