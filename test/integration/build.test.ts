// `npm run build` while a test run or a playground uses dist/: the bundle is swapped in file by
// file, so dist/main.js is there at every moment of the build and the binary keeps starting.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('dist/main.js never disappears during a build, and no staging folder is left', async () => {
  const build = spawn(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => build.on('exit', resolve));
  let done = false;
  void exited.then(() => (done = true));
  let checks = 0;
  let missing = 0;
  while (!done) {
    checks++;
    if (!existsSync(join(ROOT, 'dist/main.js'))) missing++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(await exited, 0);
  assert.ok(checks > 10, `only ${checks} checks during the build`);
  assert.equal(missing, 0, `dist/main.js was missing at ${missing} of ${checks} checks`);
  assert.deepEqual(
    readdirSync(ROOT).filter((entry) => entry.startsWith('.dist-')),
    [],
  );
});
