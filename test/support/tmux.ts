// A real pseudo-terminal for end-to-end tests of prompts: tmux runs the command, send-keys types
// like a person, capture-pane reads the screen as the person sees it.
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDir, tempDir } from './temp.js';

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export class Terminal {
  private readonly dir: string;
  private readonly socket: string;
  private readonly exitFile: string;

  constructor(command: string[], env: NodeJS.ProcessEnv, size = { columns: 220, rows: 50 }) {
    this.dir = tempDir('tty');
    this.socket = join(this.dir, 'tmux.sock');
    this.exitFile = join(this.dir, 'exit-code');
    const assignments = Object.entries(env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${shellQuote(v as string)}`);
    // env -i: exactly the given environment (no CI from the test runner), like a fresh login shell.
    const script = `env -i ${assignments.join(' ')} ${command.map(shellQuote).join(' ')}; echo $? > ${shellQuote(this.exitFile)}; sleep 600`;
    this.tmux(
      'new-session',
      '-d',
      '-x',
      String(size.columns),
      '-y',
      String(size.rows),
      'sh',
      '-c',
      script,
    );
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Keys as tmux names them: 'Enter', 'Down', 'Escape', 'C-c', or literal text with type(). */
  press(...keys: string[]): void {
    for (const key of keys) this.tmux('send-keys', key);
  }

  type(text: string): void {
    this.tmux('send-keys', '-l', text);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-J');
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern} on screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async exitCode(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(this.exitFile) || !readFileSync(this.exitFile, 'utf8').trim()) {
      if (Date.now() > deadline)
        throw new Error(`the program did not exit; screen:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Number(readFileSync(this.exitFile, 'utf8').trim());
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    removeTempDir(this.dir);
  }
}
