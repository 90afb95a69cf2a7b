// Runs before `npm test`, `npm run demo` and `npm run playground` (pretest, predemo,
// preplayground): installs node_modules when a fresh clone has none (or package-lock.json changed
// since), and checks the tools outside npm that the tests, the demo and the playground start. Each missing tool is one line with its install command, not a stack
// trace from deep inside a test. Plain JavaScript without dependencies: it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const forTests = process.argv.includes('--for=test');
const mac = process.platform === 'darwin';
const pkg = (name) => (mac ? `brew install ${name}` : `apt-get install ${name}`);
// Debian's kubernetes-client (kubectl 1.20) sends protobuf, which the emulator does not speak.
const kubectlInstall = mac
  ? 'brew install kubectl'
  : "a current kubectl, see https://kubernetes.io/docs/tasks/tools/ (Debian's kubernetes-client 1.20 is too old)";

/** [command, arguments that must succeed, install hint, needed by the demo too] */
const tools = [
  ['moto_server', ['--help'], 'pip install "moto[server]>=5,<6"', true],
  ['openssl', ['version'], pkg('openssl'), true],
  ['kubectl', ['version', '--client', '-o', 'json'], kubectlInstall, true],
  ['tmux', ['-V'], pkg('tmux'), false],
];

const run = (command, args) =>
  spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 30_000,
  });

const problems = [];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 17)) {
  problems.push(`Node.js ${process.versions.node} is too old (need >= 20.17)`);
}
for (const [command, args, install, demo] of tools) {
  if (!forTests && !demo) continue;
  const result = run(command, args);
  if (result.status !== 0) {
    problems.push(`missing prerequisite: ${command} (install: ${install})`);
  } else if (command === 'kubectl') {
    const { clientVersion: v } = JSON.parse(result.stdout);
    if (Number(v.major) === 1 && parseInt(v.minor, 10) < 21) {
      problems.push(`kubectl ${v.gitVersion} is too old (install: ${install})`);
    }
  }
}
if (problems.length > 0) {
  for (const line of problems) console.error(line);
  process.exit(1);
}
if (forTests && run('zsh', ['-fc', 'true']).status !== 0) {
  console.error(`note: zsh not found; its completion test is skipped (install: ${pkg('zsh')})`);
}

// npm ci writes node_modules/.package-lock.json: missing or older than the lockfile means install.
const installed = `${root}node_modules/.package-lock.json`;
const lock = `${root}package-lock.json`;
// A node_modules that links to another checkout's (a git worktree) is that checkout's to install:
// npm ci would empty the linked directory before replacing the link.
const linked = lstatSync(`${root}node_modules`, { throwIfNoEntry: false })?.isSymbolicLink();
if (linked) {
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs)
    console.error('note: node_modules is a link to another checkout; install there if needed');
} else if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.error('installing dependencies: npm ci');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}
