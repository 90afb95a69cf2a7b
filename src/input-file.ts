// Every file iamsa reads goes through here: a size cap suited to what the file is, regular files
// (and pipes, and stdin) only, and valid UTF-8. A file that breaks one of these is bad input
// (exit 2), named with the flag it came from, before anything is parsed or any call made.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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
  /** `-` names standard input (`apply -f -`); elsewhere it is a file named `-`. */
  stdin?: boolean;
}

/** Reads a file named on the command line (or in a file), checked as above. */
export function readInputFile(file: string, flag: string, options: InputFileOptions): string {
  const stdin = !!options.stdin && file === '-';
  const name = stdin ? '- (stdin)' : file;
  const fail = (reason: string, hint = options.hint) =>
    new ValidationError(`cannot read ${flag} file ${name}: ${reason}`, { hint });
  let bytes: Buffer;
  try {
    bytes = readBounded(stdin ? 0 : file, options.limit, fail);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw fail((code && REASONS[code]) ?? code ?? (error as Error).message);
  }
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    throw fail(`not valid UTF-8 (at byte ${bad})`, 'save the file as UTF-8');
  }
  return bytes.toString('utf8');
}

function readBounded(
  file: string | 0,
  limit: number,
  fail: (reason: string, hint?: string) => ValidationError,
): Buffer {
  const stdin = file === 0;
  const fd = stdin ? 0 : openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw fail('is a directory');
    // Devices (/dev/zero, a terminal) and sockets never end or are not files: refused. Standard
    // input is whatever the shell connected, and is read up to the limit like a pipe.
    if (!stdin && !stat.isFile() && !stat.isFIFO()) throw fail('not a regular file or a pipe');
    const tooLarge = () =>
      fail(`larger than ${formatSize(limit)}, the most iamsa reads from such a file`);
    if (stat.isFile() && stat.size > limit) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        // A non-blocking stdin with nothing yet: wait a little and read again.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (n === 0) break;
      total += n;
      if (total > limit) throw tooLarge();
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (!stdin) closeSync(fd);
  }
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
