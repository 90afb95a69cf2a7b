import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectTerminal, isCi } from '../../src/ui/terminal.js';

const tty = { stdin: { isTTY: true }, stdout: { isTTY: true }, stderr: { isTTY: true } };
const piped = { stdin: { isTTY: false }, stdout: { isTTY: true }, stderr: { isTTY: true } };
const logged = { stdin: { isTTY: true }, stdout: { isTTY: false }, stderr: { isTTY: false } };

test('a person at a terminal gets prompts, spinners and colour', () => {
  assert.deepEqual(detectTerminal({}, {}, tty), {
    interactive: true,
    spinners: true,
    color: true,
    ci: false,
  });
});

test('CI disables prompts, spinners and colour even on a TTY', () => {
  for (const value of ['true', '1', 'yes', 'woodpecker']) {
    assert.deepEqual(detectTerminal({}, { CI: value }, tty), {
      interactive: false,
      spinners: false,
      color: false,
      ci: true,
    });
  }
});

test('CI=false or CI=0 or empty is not CI', () => {
  for (const value of ['false', '0', '']) assert.equal(isCi({ CI: value }), false);
});

test('stdin not a TTY: no prompts, but spinners on the terminal stderr', () => {
  const t = detectTerminal({}, {}, piped);
  assert.equal(t.interactive, false);
  assert.equal(t.spinners, true);
});

test('stdout or stderr redirected: no prompts, no spinners, no colour', () => {
  assert.deepEqual(detectTerminal({}, {}, logged), {
    interactive: false,
    spinners: false,
    color: false,
    ci: false,
  });
});

test('--no-input forbids prompts', () => {
  assert.equal(detectTerminal({ input: false }, {}, tty).interactive, false);
});

test('NO_COLOR and --no-color turn colour off; FORCE_COLOR turns it on in logs', () => {
  assert.equal(detectTerminal({}, { NO_COLOR: '1' }, tty).color, false);
  assert.equal(detectTerminal({ color: false }, {}, tty).color, false);
  assert.equal(
    detectTerminal({}, { NO_COLOR: '' }, tty).color,
    true,
    'an empty NO_COLOR does not count',
  );
  assert.equal(detectTerminal({}, { FORCE_COLOR: '1' }, logged).color, true);
  assert.equal(
    detectTerminal({}, { FORCE_COLOR: '0' }, tty).color,
    true,
    'FORCE_COLOR=0 does not force',
  );
  assert.equal(detectTerminal({}, { FORCE_COLOR: '0' }, logged).color, false);
  assert.equal(
    detectTerminal({}, { FORCE_COLOR: '1', NO_COLOR: '1' }, tty).color,
    false,
    'NO_COLOR wins',
  );
});
