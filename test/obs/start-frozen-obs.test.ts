/**
 * `blurcam start --output obs` with a real OBS under Xvfb that stops answering: OBS frozen (SIGSTOP, as a hung
 * OBS looks from outside), then Ctrl-C to blurcam, which must end within a few seconds instead of waiting for
 * the websocket's closing handshake. And the files holding the websocket password, which OBS saves readable by
 * everyone, are private again after blurcam starts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import { preparePluginTests, waitFor } from './plugin-helpers.js';

const CLI = fileURLToPath(new URL('../../bin/blurcam.js', import.meta.url));
/** What "within a few seconds" means here: the plugin counters' 2 s limit plus a 1 s bounded close, plus margin. */
const SHUTDOWN_LIMIT_MS = 6_000;

describe('blurcam start with an OBS that freezes (real CLI, real OBS)', { timeout: 240_000 }, () => {
  let obs: HeadlessObs;
  let blurcam: ChildProcess | undefined;
  let stderr = '';

  beforeAll(async () => {
    preparePluginTests();
    obs = await startHeadlessObs({ plugin: true, width: 320, height: 180, fps: 15 });
  }, 240_000);

  afterAll(async () => {
    blurcam?.kill('SIGKILL');
    if (obs?.process) process.kill(obs.process.pid, 'SIGCONT');
    await obs?.dispose();
  }, 60_000);

  it("makes OBS's global.ini, which holds the password, private again at start after OBS saved it readable by all", async () => {
    const globalIni = join(obs.configDir, 'global.ini');
    // A clean quit makes OBS save its settings, with the default mode.
    await obs.stop();
    expect(statSync(globalIni).mode & 0o077).not.toBe(0);
    await obs.restart();

    const env: NodeJS.ProcessEnv = { ...process.env, HOME: obs.home, BLURCAM_CONFIG_DIR: '/nonexistent/blurcam-test-config', BLURCAM_OBS_PASSWORD: obs.password };
    delete env.XDG_CONFIG_HOME;
    const endpoint = `ipc://${join(obs.home, 'runtime')}/frozen.sock`;
    blurcam = spawn(process.execPath, [CLI, 'start', '--input', 'demo', '--size', '320x180', '--fps', '15', '--effect', 'none', '--obs-url', obs.url, '--endpoint', endpoint], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    blurcam.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('blurcam feeding OBS', async () => (/\| OBS live, sent [1-9]\d*/.test(stderr) ? true : undefined), 90_000);
    expect(statSync(globalIni).mode & 0o777).toBe(0o600);
  });

  it('ends within a few seconds of Ctrl-C while OBS is frozen', async () => {
    const child = blurcam;
    const pid = obs.process?.pid;
    if (!child || pid === undefined) throw new Error('blurcam or OBS is not running');
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    process.kill(pid, 'SIGSTOP');
    try {
      const from = stderr.length;
      // Frozen long enough that blurcam's connection is open but unanswered, as with a hung OBS.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const stoppedAt = Date.now();
      child.kill('SIGINT');
      const code = await exited;
      const shutdownMs = Date.now() - stoppedAt;
      expect(code).toBe(0);
      expect(shutdownMs).toBeLessThan(SHUTDOWN_LIMIT_MS);
      expect(stderr.slice(from)).not.toMatch(/unexpected error/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});
