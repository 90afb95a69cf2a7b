// Runs each test of the given files on its own (--test-name-pattern), to show that no test
// depends on another one's leftovers:  node scripts/tests-alone.mjs test/integration/foo.test.ts
// Needs a built dist/ (npm run build). Prints one line per test; exits 1 if any failed alone.
import { spawnSync } from 'node:child_process';

const node = (args) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Leaf test names from TAP: "ok N - name" lines whose YAML block does not say type: 'suite'. */
function leafTests(tap) {
  const lines = tap.split('\n');
  const names = [];
  lines.forEach((line, i) => {
    const m = /^\s*(?:not )?ok \d+ - (.*?)(?: # SKIP.*)?$/.exec(line);
    if (!m) return;
    const block = [];
    for (let j = i + 1; j < lines.length && !/^\s*\.\.\.$/.test(lines[j]); j++)
      block.push(lines[j]);
    if (!block.some((l) => /type: 'suite'/.test(l))) names.push(m[1].replaceAll('\\#', '#'));
  });
  return [...new Set(names)];
}

let failed = 0;
for (const file of process.argv.slice(2)) {
  const names = leafTests(node([file]).stdout);
  for (const name of names) {
    const r = node([`--test-name-pattern=^${escape(name)}$`, file]);
    const ok = r.status === 0 && /^# pass [1-9]/m.test(r.stdout);
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${file}: ${name}`);
  }
}
process.exit(failed ? 1 : 0);
