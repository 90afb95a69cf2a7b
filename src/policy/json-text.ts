// Reading policy text: IAM returns trust policies URL-encoded, users hand-write JSON with typos.
// Node's JSON.parse does not always report where it failed, so a small scanner locates the error
// to give "line 3, column 5" instead of a snippet of the whole file.
import { ValidationError } from '../errors.js';

/** Decodes the URL-encoded form IAM returns (`%7B%22Version...`); other text is returned as is. */
export function decodePolicyText(text: string, source: string): string {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!/^%7B/i.test(trimmed)) return trimmed;
  try {
    return decodeURIComponent(trimmed);
  } catch {
    throw new ValidationError(`${source}: looks URL-encoded (starts with %7B) but does not decode`);
  }
}

/** Parses JSON (plain or URL-encoded) and reports syntax errors with line and column. */
export function parseJsonText(text: string, source: string): unknown {
  const decoded = decodePolicyText(text, source);
  try {
    return JSON.parse(decoded);
  } catch (err) {
    const offset = jsonErrorOffset(decoded);
    if (offset < 0) {
      throw new ValidationError(`${source}: not valid JSON (${(err as Error).message})`, {
        cause: err,
      });
    }
    throw new ValidationError(`${source}: not valid JSON: ${describeAt(decoded, offset)}`, {
      cause: err,
    });
  }
}

function describeAt(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const where = `line ${line}, column ${column} (position ${offset})`;
  if (offset >= text.length) return `unexpected end of input at ${where}`;
  const found = text[offset] ?? '';
  const trailingComma = /[}\]]/.test(found) && /,\s*$/.test(before) ? ' (a trailing comma?)' : '';
  return `unexpected ${JSON.stringify(found)} at ${where}${trailingComma}`;
}

/** Offset of the first JSON syntax error in text, or -1 when it is valid JSON. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxAt(i);
  };
  const skipWhitespace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const expect = (ch: string) => {
    skipWhitespace();
    if (text[i] !== ch) fail();
    i++;
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < ' ') fail();
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 5;
        } else if ('"\\/bfnrt'.includes(text[i] ?? 'x')) {
          i++;
        } else {
          fail();
        }
      } else {
        i++;
      }
    }
  };
  const value = (): void => {
    skipWhitespace();
    const ch = text[i];
    if (ch === '{') {
      i++;
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[i] !== '"') fail();
        string();
        expect(':');
        value();
        skipWhitespace();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (ch === '[') {
      i++;
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipWhitespace();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (ch === '"') return string();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (number.exec(text)) {
      i = number.lastIndex;
      return;
    }
    fail();
  };
  try {
    value();
    skipWhitespace();
    if (i < text.length) fail();
    return -1;
  } catch (err) {
    // Anything else (a stack overflow on absurd nesting) falls back to Node's own message.
    return err instanceof JsonSyntaxAt ? err.offset : -1;
  }
}

class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}
