// printable: control characters inside outside-sourced values are shown, never obeyed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import { printable, printableLines } from '../../src/ui/printable.js';

describe('printable', () => {
  it('shows ESC, OSC and BEL as escapes', () => {
    assert.equal(printable('a\u001b[2J\u001b]0;pwn\u0007b'), 'a\\u001b[2J\\u001b]0;pwn\\u0007b');
  });
  it('keeps a newline, CR or tab inside a value on the line: no forged line', () => {
    const out = printable('role/x\nFAKE ok line\r\tend');
    assert.equal(out, 'role/x\\nFAKE ok line\\r\\tend');
    assert.ok(!out.includes('\n') && !out.includes('\r') && !out.includes('\t'));
  });
  it('covers all of C0, DEL and C1 and nothing else', () => {
    for (let code = 0; code < 0x250; code++) {
      const c = String.fromCharCode(code);
      const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
      const out = printable(c);
      if (control) assert.match(out, /^\\(n|r|t|u00[0-9a-f]{2})$/, `U+${code.toString(16)}`);
      else assert.equal(out, c);
    }
    assert.equal(printable('\u009b31m'), '\\u009b31m', '8-bit CSI');
  });
  it('leaves ordinary text, unicode and backslashes as they are', () => {
    const text = 'arn:aws:iam::123456789012:role/app — ünïcode \\ 日本';
    assert.equal(printable(text), text);
  });
  it('escapes the value, not the styling put around it afterwards', () => {
    const style = new Chalk({ level: 1 });
    assert.equal(style.red(printable('x\u001b[0m')), '\u001b[31mx\\u001b[0m\u001b[39m');
  });
  it('printableLines keeps the lines iamsa put there and escapes what is inside them', () => {
    assert.deepEqual(printableLines('one\u0007\ntwo'), ['one\\u0007', 'two']);
  });
});
