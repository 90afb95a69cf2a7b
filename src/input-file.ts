// Every file iamsa reads goes through here: a size cap suited to what the file is, regular files
// only (a pipe and stdin for `apply -f`, read asynchronously), and valid UTF-8. A file that breaks
// one of these is bad input (exit 2), named with the flag it came from, before anything is parsed
// or any call made.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { Socket } from 'node:net';
import { ValidationError } from './errors.js';

const MiB = 1024 * 1024;

/** The largest file of each kind iamsa reads (documented in the README's "Limits"). */
export const INPUT_LIMITS = {
  /** A bindings file (`apply -f`), a few thousand bindings with room to spare. */
  bindings: 20 * MiB,
  /** A kubeconfig: many clusters with their certificates inline. */
  kubeconfig: 8 * MiB,
  /** A CA bundle (the system's whole bundle is about 200 KiB). */
  ca: 4 * MiB,
  /** An IAM policy: IAM's largest is 10,240 characters without whitespace; room for indentation. */
  policy: 128 * 1024,
} as const;

/** Node's error codes in words (the ones a file named on a command line runs into). */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENXIO: 'no such device',
};

export interface InputFileOptions {
  /** The largest size accepted, in bytes. */
  limit: number;
  hint?: string;
}

type Fail = (reason: string, hint?: string) => ValidationError;

function failure(flag: string, name: string, options: InputFileOptions): Fail {
  return (reason, hint = options.hint) =>
    new ValidationError(`cannot read ${flag} file ${name}: ${reason}`, { hint });
}

/** An error of the file system as bad input in words; ours pass through. */
function asInputError(error: unknown, fail: Fail): ValidationError {
  if (error instanceof ValidationError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return fail((code && REASONS[code]) ?? code ?? (error as Error).message);
}

const tooLargeError = (fail: Fail, limit: number) =>
  fail(`larger than ${formatSize(limit)}, the most iamsa reads from such a file`);

/** What fstat says of a file, refused unless it is a regular file (or a pipe, where allowed). */
function checkKind(stat: Stats, fail: Fail, limit: number, pipe: boolean): void {
  if (stat.isDirectory()) throw fail('is a directory');
  // Devices (/dev/zero, a terminal) and sockets never end or are not files: refused. A FIFO
  // blocks until a writer comes: only `apply -f` reads one, asynchronously, so Ctrl-C works.
  if (!stat.isFile() && !(pipe && stat.isFIFO())) {
    throw fail(pipe ? 'not a regular file or a pipe' : 'not a regular file');
  }
  if (stat.isFile() && stat.size > limit) throw tooLargeError(fail, limit);
}

/** The bytes as text, refused unless valid UTF-8. */
function decode(bytes: Buffer, fail: Fail): string {
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) throw fail(`not valid UTF-8 (at byte ${bad})`, 'save the file as UTF-8');
  return bytes.toString('utf8');
}

/**
 * Reads a regular file named on the command line (or in a file), checked as above. Anything else
 * (a FIFO, a device) is refused without waiting on it: the file is opened non-blocking.
 */
export function readInputFile(file: string, flag: string, options: InputFileOptions): string {
  const fail = failure(flag, file, options);
  let bytes: Buffer;
  try {
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      checkKind(fstatSync(fd), fail, options.limit, false);
      bytes = readRegular(fd, options.limit, fail);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw asInputError(error, fail);
  }
  return decode(bytes, fail);
}

function readRegular(fd: number, limit: number, fail: Fail): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    // The file may grow after fstat.
    if (total > limit) throw tooLargeError(fail, limit);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks, total);
}

/**
 * Reads `apply -f`'s file: a regular file, a FIFO, or (`-`) the given standard input, all
 * asynchronously so that a slow or endless writer neither fails the read nor blocks Ctrl-C.
 */
export async function readInputSource(
  file: string,
  flag: string,
  options: InputFileOptions & { stdin: AsyncIterable<unknown> },
): Promise<string> {
  const stdin = file === '-';
  const fail = failure(flag, stdin ? '- (stdin)' : file, options);
  let bytes: Buffer;
  try {
    if (stdin) {
      bytes = await readCapped(options.stdin, options.limit, fail);
    } else {
      // Opened non-blocking: a FIFO without a writer yet does not hold the open (nor, blocked
      // in a thread, the exit after Ctrl-C); its reads wait on the event loop, as a socket's.
      const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
      let stat: Stats;
      try {
        stat = fstatSync(fd);
        checkKind(stat, fail, options.limit, true);
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      if (stat.isFIFO()) {
        const pipe = new Socket({ fd, readable: true, writable: false });
        try {
          bytes = await readCapped(pipe, options.limit, fail);
        } finally {
          pipe.destroy();
        }
      } else {
        try {
          bytes = readRegular(fd, options.limit, fail);
        } finally {
          closeSync(fd);
        }
      }
    }
  } catch (error) {
    throw asInputError(error, fail);
  }
  return decode(bytes, fail);
}

/** A stream's bytes, refused as soon as there are more than `limit`. */
async function readCapped(
  stream: AsyncIterable<unknown>,
  limit: number,
  fail: Fail,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    total += bytes.length;
    if (total > limit) throw tooLargeError(fail, limit);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

export function formatSize(bytes: number): string {
  return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`;
}

/** The byte offset of the first byte that is not valid UTF-8, or -1. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return -1;
}
