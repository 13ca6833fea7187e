/** The real CLI as a long-running child process, for the OBS tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../obs/plugin-helpers.js';

const CLI = fileURLToPath(new URL('../../bin/blurcam.js', import.meta.url));

/** A blurcam command (`start`, mostly) as a child process; its output is kept for the assertions. */
export class Blurcam {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, BLURCAM_CONFIG_DIR: '/nonexistent/blurcam-test-config', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until stderr, from `from` on, matches; fails early if blurcam exits meanwhile, and shows what it printed. */
  async waitForStderr(pattern: RegExp, from = 0, timeoutMs = 90_000): Promise<string> {
    const waiting = waitFor(
      `blurcam to print ${pattern}`,
      async () => {
        const match = pattern.exec(this.stderr.slice(from));
        if (match) return match[0];
        if (!this.running) throw new Error(`blurcam exited (${this.child.exitCode}):\n${this.stderr}`);
        return undefined;
      },
      timeoutMs,
    );
    return waiting.catch((error: unknown) => {
      throw new Error(`${String(error)}\nblurcam's last lines:\n${this.stderr.slice(-1500)}`);
    });
  }

  async end(signal: NodeJS.Signals): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}
