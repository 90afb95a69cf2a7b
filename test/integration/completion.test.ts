// `iamsa completion` scripts, loaded into a real bash and asked for completions.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { test } from 'node:test';
import { awsEnv, runBinary } from '../support/ground.js';
import { tempDir } from '../support/temp.js';
import { Terminal } from '../support/tmux.js';

const env = awsEnv('http://127.0.0.1:9');

async function script(shell: string): Promise<string> {
  const r = await runBinary(['completion', shell], env);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/**
 * What bash completes for the words typed so far (the last one being completed), given as bash
 * gives them: the line up to the cursor. Replies are what readline puts in place of the text after
 * the word's last COMP_WORDBREAKS character (after `--output=`, the value alone).
 */
function complete(file: string, words: string[]): string[] {
  const line = ['iamsa', ...words].join(' ');
  const out = execFileSync(
    'bash',
    [
      '-c',
      `source '${file}'; COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}; _iamsa_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'complete',
      line,
    ],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

test('bash: commands, flags per command and --output values', async () => {
  const file = join(tempDir('completion'), 'iamsa.bash');
  writeFileSync(file, await script('bash'));
  execFileSync('bash', ['-n', file]);
  assert.deepEqual(
    complete(file, [''])
      .filter((w) => !w.startsWith('-'))
      .sort(),
    [
      'apply',
      'audit',
      'completion',
      'create-serviceaccount',
      'delete-serviceaccount',
      'doctor',
      'enable-oidc',
      'get-serviceaccounts',
      'help',
      'migrate-from-kube2iam',
      'migrate-to-pod-identity',
      'update-serviceaccount',
      'well-known-policies',
      'wizard',
    ],
  );
  assert.deepEqual(complete(file, ['doctor', '--sim']), ['--simulate']);
  assert.ok(complete(file, ['doctor', '-']).includes('-n'));
  assert.deepEqual(complete(file, ['audit', '--fail-on', '']), ['high', 'medium', 'low']);
  assert.deepEqual(complete(file, ['create-serviceaccount', '--attach-p']).sort(), [
    '--attach-policy',
    '--attach-policy-arn',
  ]);
  assert.ok(complete(file, ['enable-oidc', '--']).includes('--thumbprint'));
  assert.ok(!complete(file, ['enable-oidc', '--']).includes('--attach-policy-arn'));
  assert.ok(complete(file, ['update-serviceaccount', '--']).includes('--detach-policy-arn'));
  assert.ok(complete(file, ['delete-serviceaccount', '--']).includes('--keep-serviceaccount'));
  assert.ok(complete(file, ['get-serviceaccounts', '--']).includes('--orphans'));
  assert.ok(complete(file, ['migrate-to-pod-identity', '--']).includes('--rollback'));
  // -o values per command: sarif is audit's alone.
  assert.deepEqual(complete(file, ['create-serviceaccount', '-o', '']), ['text', 'json', 'yaml']);
  assert.deepEqual(complete(file, ['audit', '-o', '']), ['text', 'json', 'yaml', 'sarif']);
  assert.deepEqual(complete(file, ['delete-serviceaccount', '--mechanism', '']), [
    'irsa',
    'pod-identity',
  ]);
  // Well-known keys, also as the next item of a comma-separated list, and as well-known-policies' argument.
  assert.deepEqual(complete(file, ['create-serviceaccount', '--well-known-policies', 'extern']), [
    'externalDNS',
    'externalSecrets',
  ]);
  assert.deepEqual(
    complete(file, ['update-serviceaccount', '--remove-well-known-policies', 'velero,cert']),
    ['velero,certManager'],
  );
  assert.ok(complete(file, ['well-known-policies', 'kar']).includes('karpenter'));
  assert.deepEqual(complete(file, ['--output', 'y']), ['yaml']);
  // --flag=value: the value after `=` (readline replaces only the text after it).
  assert.deepEqual(complete(file, ['audit', '--output=']), ['text', 'json', 'yaml', 'sarif']);
  assert.deepEqual(complete(file, ['-o', 'json', 'audit', '--output=sa']), ['sarif']);
  assert.deepEqual(complete(file, ['doctor', '--output=']), ['text', 'json', 'yaml']);
  assert.deepEqual(complete(file, ['--output=y']), ['yaml']);
  assert.deepEqual(complete(file, ['delete-serviceaccount', '--mechanism=p']), ['pod-identity']);
  assert.deepEqual(complete(file, ['create-serviceaccount', '--well-known-policies=velero,k']), [
    'velero,karpenter',
  ]);
  assert.deepEqual(complete(file, ['create-serviceaccount', '--approve=']), []);
  // --well-known-scope: key.field= where an ARN follows, choices and true/false in full.
  assert.deepEqual(complete(file, ['create-serviceaccount', '--well-known-scope', 'cert']), [
    'certManager.hostedZoneARNs=',
  ]);
  assert.deepEqual(complete(file, ['update-serviceaccount', '--well-known-scope', 'vpcCNI.ip']), [
    'vpcCNI.ipFamily=ipv4',
    'vpcCNI.ipFamily=ipv6',
  ]);
  assert.deepEqual(
    complete(file, ['create-serviceaccount', '--well-known-scope=vpcCNI.ipFamily=ipv']),
    ['ipv4', 'ipv6'],
  );
  assert.ok(complete(file, ['well-known-policies', '--well-known-scope', '']).length > 10);
  // commander's help command and its topics.
  assert.deepEqual(complete(file, ['hel']), ['help']);
  assert.deepEqual(complete(file, ['help', 'aud']), ['audit']);
  assert.deepEqual(
    complete(file, ['completion', '']).filter((w) => !w.startsWith('-')),
    ['bash', 'zsh', 'fish'],
  );
});

test('bash: file flags complete file names', async () => {
  const dir = tempDir('completion-files');
  const file = join(dir, 'iamsa.bash');
  writeFileSync(file, await script('bash'));
  writeFileSync(join(dir, 'bindings.yaml'), '');
  writeFileSync(join(dir, 'policy.json'), '');
  const inDir = (words: string[]) => complete(file, words).map((f) => f.slice(dir.length + 1));
  assert.deepEqual(inDir(['apply', '-f', `${dir}/b`]), ['bindings.yaml']);
  assert.deepEqual(inDir(['apply', '--file', `${dir}/b`]), ['bindings.yaml']);
  assert.deepEqual(inDir(['create-serviceaccount', '--attach-policy', `${dir}/p`]), [
    'policy.json',
  ]);
  assert.deepEqual(inDir(['doctor', '--kubeconfig', `${dir}/b`]), ['bindings.yaml']);
  assert.deepEqual(complete(file, ['create-serviceaccount', `--attach-policy=${dir}/p`]), [
    `${dir}/policy.json`,
  ]);
  // A flag whose value is not a file completes nothing, not the command's flags.
  assert.deepEqual(complete(file, ['create-serviceaccount', '--name', '']), []);
});

test('bash: Tab in a real interactive bash completes after = and leaves key.field= open', async (t) => {
  const dir = tempDir('completion-readline');
  const file = join(dir, 'iamsa.bash');
  writeFileSync(file, await script('bash'));
  const term = new Terminal(['bash', '--norc', '--noprofile', '-i'], {
    PATH: process.env.PATH,
    PS1: '$ ',
    TERM: 'xterm',
  });
  t.after(() => term.close());
  term.type(`source ${file}; echo loaded-$((6*7))`);
  term.press('Enter');
  await term.waitFor(/loaded-42/);
  // readline splits words at = and :, and replaces only the text after them.
  term.type('iamsa audit --output=sa');
  term.press('Tab');
  term.type('|');
  await term.waitFor(/iamsa audit --output=sarif \|/);
  term.press('C-u');
  term.type('iamsa create-serviceaccount --well-known-scope cert');
  term.press('Tab');
  term.type('X');
  await term.waitFor(/--well-known-scope certManager\.hostedZoneARNs=X/);
  term.press('C-u');
  term.type('iamsa create-serviceaccount --well-known-scope=vpcCNI.networkPolicyLogs=t');
  term.press('Tab');
  term.type('|');
  await term.waitFor(/--well-known-scope=vpcCNI\.networkPolicyLogs=true \|/);
});

test('zsh and fish scripts name every command, the flags and the output values', async () => {
  for (const shell of ['zsh', 'fish']) {
    const text = await script(shell);
    for (const word of [
      'enable-oidc',
      'create-serviceaccount',
      'wizard',
      'doctor',
      'audit',
      'fail-on',
      'attach-policy-arn',
      'kube-ca-file',
      'text json yaml',
    ]) {
      assert.ok(text.includes(word), `${shell}: ${word}`);
    }
  }
  const zsh = await script('zsh');
  assert.match(zsh, /^#compdef iamsa/);
  // Global flags before the command, then the command's own flags from a shifted word list: after
  // the command, the global specs are out (audit's -o, with sarif, is audit's own).
  assert.match(zsh, /'\(-\)1:command:->command' \\\n {4}'\(-\)\*:: :->args'/);
  assert.match(zsh, /'\*--attach-policy-arn=\[/, 'repeatable flags may be offered again');
  assert.doesNotMatch(zsh, /'\*--approve\[/);
  assert.match(zsh, /'--mechanism=\[[^']*\]:value:\(irsa pod-identity\)'/);
  assert.match(zsh, /'help:[^']*'/);
  assert.match(zsh, /'--output=\[[^']*\]:value:\(text json yaml sarif\)'/);
  assert.match(
    zsh,
    /'\*?--well-known-scope=\[[^']*\]:value:\{compadd -S "" -- [^;']*certManager\.hostedZoneARNs=/,
  );
  assert.match(
    zsh,
    /'\*?--well-known-policies=\[[^']*\]:value:_values -s , value [^']*externalDNS/,
  );
  assert.match(zsh, /'--file=\[[^']*\]:file:_files'/);
  const fish = await script('fish');
  assert.match(
    fish,
    /complete -c iamsa -n '__fish_seen_subcommand_from enable-oidc' -l thumbprint -r -f/,
  );
  assert.match(fish, /__fish_seen_subcommand_from apply' -l file -s f -r -F/);
  assert.match(
    fish,
    /__fish_seen_subcommand_from delete-serviceaccount' -l mechanism -r -f -a 'irsa pod-identity'/,
  );
  assert.match(
    fish,
    /__fish_seen_subcommand_from audit' -l output -s o -r -f -a 'text json yaml sarif'/,
  );
  assert.match(
    fish,
    /__fish_seen_subcommand_from doctor' -l output -s o -r -f -a 'text json yaml'/,
  );
  assert.match(fish, /-l well-known-policies -r -f -a '\(__fish_complete_list , [^']*externalDNS/);
});

test("fish: completion --help's lines install the script in a new account, and fish loads it", async (t) => {
  const help = (await runBinary(['completion', '--help'], env)).stdout;
  const [, block = ''] = /^ {2}# fish:.*\n((?: {2}\S.*\n)+)/m.exec(help) ?? [];
  const lines = block
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  assert.ok(lines.length, help);
  const home = tempDir('fish-home');
  const bin = tempDir('fish-bin');
  symlinkSync(fileURLToPath(new URL('../../bin/iamsa.js', import.meta.url)), join(bin, 'iamsa'));
  const shellEnv = { ...env, HOME: home, PATH: `${bin}:${process.env.PATH}` };
  for (const line of lines) execFileSync('sh', ['-ec', line], { env: shellEnv });
  if (!installed('fish'))
    return t.skip('fish is not installed: the script was written, not loaded');
  const offered = execFileSync('fish', ['-c', "complete -C 'iamsa hel'"], {
    env: { ...shellEnv, XDG_CONFIG_HOME: join(home, '.config') },
    encoding: 'utf8',
  });
  assert.match(offered, /^help\t/m);
});

test('an unknown shell is a usage error', async () => {
  const r = await runBinary(['completion', 'tcsh'], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bash, zsh, fish/);
});

const installed = (shell: string) => {
  try {
    execFileSync(shell, ['-c', 'true']);
    return true;
  } catch {
    return false;
  }
};
const hasZsh = installed('zsh');

test(
  "fish completes help, audit's sarif after =, and scope keys",
  { skip: installed('fish') ? false : 'fish is not installed' },
  async () => {
    const file = join(tempDir('fish'), 'iamsa.fish');
    writeFileSync(file, await script('fish'));
    // complete -C: what fish offers for a command line, one `word<TAB>description` a line.
    const completes = (line: string) =>
      execFileSync('fish', ['-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    assert.deepEqual(completes('iamsa hel'), ['help']);
    assert.deepEqual(completes('iamsa help aud'), ['audit']);
    assert.ok(completes('iamsa audit --output=').includes('--output=sarif'));
    assert.ok(!completes('iamsa doctor --output=').includes('--output=sarif'));
    assert.deepEqual(completes('iamsa create-serviceaccount --well-known-scope cert'), [
      'certManager.hostedZoneARNs=',
    ]);
  },
);

test(
  'zsh completes command flags, also after global flags',
  { skip: hasZsh ? false : 'zsh is not installed' },
  async () => {
    const dir = tempDir('zsh');
    const file = join(dir, '_iamsa');
    writeFileSync(file, await script('zsh'));
    execFileSync('zsh', ['-n', file]);
    symlinkSync(fileURLToPath(new URL('../../bin/iamsa.js', import.meta.url)), join(dir, 'iamsa'));
    // A real interactive zsh in a pseudo-terminal (zsh/zpty), typing a Tab as a person would.
    const completes = (words: string, expected: string) => {
      const driver = [
        'zmodload zsh/zpty',
        `zpty z "PS1='> ' zsh -f -i"`,
        // Waits for the loaded script's marker, computed so the echoed command line cannot match.
        `zpty -w z 'export PATH=${dir}:$PATH; autoload -U compinit; compinit -u; source ${file}; print loaded-$((6*7))'`,
        `zpty -r -m z out '*loaded-42*'`,
        `zpty -w -n z $'${words}\\t'`,
        // Reads until the completed word shows (or the timeout below fails the test).
        `zpty -r -m z out '*${expected}*' && print found`,
        'zpty -d z',
      ].join('\n');
      return execFileSync('zsh', ['-fc', driver], { encoding: 'utf8', timeout: 20_000 });
    };
    assert.match(completes('iamsa create-serviceaccount --role-o', '--role-only'), /found/);
    assert.match(
      completes('iamsa -o json create-serviceaccount --attach-role', '--attach-role-arn'),
      /found/,
    );
    // audit's own -o values (sarif), not the global flag's; also after `=`.
    assert.match(completes('iamsa audit -o ', 'sarif'), /found/);
    assert.match(completes('iamsa audit --output=sa', 'output=sarif'), /found/);
    assert.match(completes('iamsa hel', 'help'), /found/);
    assert.match(
      completes('iamsa create-serviceaccount --well-known-scope=cert', 'hostedZoneARNs='),
      /found/,
    );
  },
);
