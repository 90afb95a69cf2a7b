import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectTerminal, isCi } from '../../src/ui/terminal.js';

const tty = {
  stdin: { isTTY: true },
  stdout: { isTTY: true },
  stderr: { isTTY: true, columns: 80 },
};
const piped = { ...tty, stdin: { isTTY: false } };
const logged = { stdin: { isTTY: true }, stdout: { isTTY: false }, stderr: { isTTY: false } };

test('a person at a terminal gets prompts, spinners and colour', () => {
  assert.deepEqual(detectTerminal({}, {}, tty), {
    interactive: true,
    stderrInteractive: true,
    spinners: true,
    color: true,
    stdoutColor: true,
  });
});

test('CI disables prompts, spinners and colour even on a TTY', () => {
  for (const value of ['true', '1', 'yes', 'woodpecker']) {
    assert.deepEqual(detectTerminal({}, { CI: value }, tty), {
      interactive: false,
      stderrInteractive: false,
      spinners: false,
      color: false,
      stdoutColor: false,
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
    stderrInteractive: false,
    spinners: false,
    color: false,
    stdoutColor: false,
  });
});

test('stdout piped while stderr is a terminal: colour on stderr only', () => {
  const t = detectTerminal({}, {}, { ...tty, stdout: { isTTY: false } });
  assert.equal(t.interactive, false, 'no prompt on a redirected stdout');
  assert.equal(t.stderrInteractive, true, 'a document on stdout can still be asked for on stderr');
  assert.equal(t.color, true);
  assert.equal(t.stdoutColor, false, 'no escape codes in what a pipe receives');
  assert.equal(t.spinners, true);
});

test('a terminal that reports zero or unknown columns gets no spinner', () => {
  for (const columns of [0, undefined]) {
    const t = detectTerminal({}, {}, { ...tty, stderr: { isTTY: true, columns } });
    assert.equal(t.spinners, false, `columns=${columns}`);
  }
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
  assert.equal(detectTerminal({}, { FORCE_COLOR: '1' }, logged).stdoutColor, true);
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

test('NO_COLOR and --no-color turn off colour only: prompts and spinners stay', () => {
  for (const [options, env] of [
    [{}, { NO_COLOR: '1' }],
    [{ color: false }, {}],
  ] as const) {
    assert.deepEqual(detectTerminal(options, env, tty), {
      interactive: true,
      stderrInteractive: true,
      spinners: true,
      color: false,
      stdoutColor: false,
    });
  }
});
