import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/blurcam.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (bin/blurcam.js → dist/, built by `npm test`; run `npm run build` first when running a
 * test file alone) as a user would, with a private config folder so the developer's own config never leaks in, and
 * a private runtime folder of its own (unless `env` names one): `blurcam start`s of tests running side by side each
 * have their own control socket, instead of taking each other for a blurcam already running.
 */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  const runtimeDir = options.env?.XDG_RUNTIME_DIR === undefined ? mkdtempSync(join(tmpdir(), 'blurcam-run-')) : undefined;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, BLURCAM_CONFIG_DIR: '/nonexistent/blurcam-test-config', XDG_RUNTIME_DIR: runtimeDir, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (runtimeDir) rmSync(runtimeDir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}
