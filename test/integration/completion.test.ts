// `iamsa completion` scripts, loaded into a real bash and asked for completions.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { awsEnv, runBinary } from '../support/ground.js';

const env = awsEnv('http://127.0.0.1:9');

async function script(shell: string): Promise<string> {
  const r = await runBinary(['completion', shell], env);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** What bash completes for the words typed so far (the last one being completed). */
function complete(file: string, words: string[]): string[] {
  const line = ['iamsa', ...words].map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    [
      '-c',
      `source '${file}'; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _iamsa_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

test('bash: commands, flags per command and --output values', async () => {
  const file = join(tmpdir(), `iamsa-completion-${process.pid}.bash`);
  writeFileSync(file, await script('bash'));
  execFileSync('bash', ['-n', file]);
  assert.deepEqual(
    complete(file, [''])
      .filter((w) => !w.startsWith('-'))
      .sort(),
    ['completion', 'create-serviceaccount', 'enable-oidc', 'wizard'],
  );
  assert.deepEqual(complete(file, ['create-serviceaccount', '--attach-p']).sort(), [
    '--attach-policy',
    '--attach-policy-arn',
  ]);
  assert.ok(complete(file, ['enable-oidc', '--']).includes('--thumbprint'));
  assert.ok(!complete(file, ['enable-oidc', '--']).includes('--attach-policy-arn'));
  assert.deepEqual(complete(file, ['create-serviceaccount', '-o', '']), ['text', 'json', 'yaml']);
  assert.deepEqual(complete(file, ['--output', 'y']), ['yaml']);
  assert.deepEqual(
    complete(file, ['completion', '']).filter((w) => !w.startsWith('-')),
    ['bash', 'zsh', 'fish'],
  );
});

test('zsh and fish scripts name every command, the flags and the output values', async () => {
  for (const shell of ['zsh', 'fish']) {
    const text = await script(shell);
    for (const word of [
      'enable-oidc',
      'create-serviceaccount',
      'wizard',
      'attach-policy-arn',
      'kube-ca-file',
      'text json yaml',
    ]) {
      assert.ok(text.includes(word), `${shell}: ${word}`);
    }
  }
  assert.match(await script('zsh'), /^#compdef iamsa/);
  assert.match(
    await script('fish'),
    /complete -c iamsa -n '__fish_seen_subcommand_from enable-oidc' -l thumbprint -r -f/,
  );
});

test('an unknown shell is a usage error', async () => {
  const r = await runBinary(['completion', 'tcsh'], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bash, zsh, fish/);
});
