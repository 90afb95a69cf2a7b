// The streams a run talks through (model: GitHub CLI's iostreams). main builds one over the
// process; tests build one over buffers, with the TTY flags they need.
import { detectTerminal, type Terminal, type TerminalOptions } from '../ui/terminal.js';

/** What a stream must offer: writing, and (for a terminal) its TTY flag and width. */
export type OutStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface IO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  /** Prompts, spinners and colour per stream, from the TTY flags, CI, NO_COLOR and the flags. */
  terminal(options: TerminalOptions): Terminal;
}

/** An IO over the given streams: the process's, or a test's. */
export function createIO(streams: Omit<IO, 'terminal'>): IO {
  return {
    ...streams,
    terminal: (options) => detectTerminal(options, streams.env, streams),
  };
}

export const processIO = (): IO =>
  createIO({
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });

/** Writes text and resolves once it is handed on (a failed write of a result is an error). */
export function write(stream: OutStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error && !readerGone(error) ? reject(error) : resolve()));
  });
}

/**
 * The reader closed the pipe (`iamsa ... | head -1`), or did before this write: what it did not
 * read it did not want, so this is no failure (docs/exit-codes.md). A full disk still is.
 */
export const readerGone = (error: NodeJS.ErrnoException) =>
  error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
