/**
 * `blurcam doctor` run as a user runs it (the built CLI) against real OBS under Xvfb, in a good state and in the
 * broken states users meet: wrong password, websocket off, OBS not running, plugin missing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObsConfig, websocketStoresFor } from '../../src/control/obs-config.js';
import { detectObsVersion, findObsExecutable, OBS_LAUNCH_ARGS } from '../../src/control/obs-launcher.js';
import type { LinkResult } from '../../src/doctor/check.js';
import { runCli } from '../support/run-cli.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import { preparePluginTests, waitFor } from './plugin-helpers.js';

interface DoctorReport {
  ok: boolean;
  links: LinkResult[];
}

const LINKS = ['node', 'opencv', 'native-pixels', 'model', 'camera', 'obs-installed', 'plugin-installed', 'obs-websocket', 'plugin-loaded', 'virtual-camera', 'canvas', 'test-frame'];

async function doctor(obs: HeadlessObs, options: { password?: string; withPluginPath?: boolean; json?: boolean } = {}) {
  const env: NodeJS.ProcessEnv = { HOME: obs.home, BLURCAM_OBS_PASSWORD: options.password ?? obs.password, XDG_RUNTIME_DIR: `${obs.home}/runtime` };
  if (options.withPluginPath ?? true) env.OBS_PLUGINS_PATH = obs.env.OBS_PLUGINS_PATH;
  else env.OBS_PLUGINS_PATH = '';
  const args = ['doctor', '--input', 'demo', '--obs-url', obs.url, '--obs-config-dir', obs.configDir, ...(options.json === false ? [] : ['--json'])];
  const result = await runCli(args, { env, timeoutMs: 120_000 });
  const report = options.json === false ? undefined : (JSON.parse(result.stdout) as DoctorReport);
  const status = Object.fromEntries((report?.links ?? []).map((link) => [link.link, link.status]));
  const byLink = Object.fromEntries((report?.links ?? []).map((link) => [link.link, link]));
  return { ...result, report, status, byLink };
}

describe('blurcam doctor (real OBS with the plugin)', () => {
  let obs: HeadlessObs;
  let manualObs: ChildProcess | undefined;

  beforeAll(async () => {
    preparePluginTests();
    obs = await startHeadlessObs({ plugin: true });
  }, 240_000);

  afterAll(async () => {
    if (manualObs && manualObs.exitCode === null) manualObs.kill('SIGKILL');
    await obs?.dispose();
  }, 60_000);

  it('reports every link ok, except the Virtual Camera (no v4l2loopback here), as one JSON object; exit code 1', async () => {
    const { code, report, status, byLink, stderr } = await doctor(obs);
    expect(stderr).toBe('');
    expect(report?.links.map((link) => link.link)).toEqual(LINKS);
    expect(status).toEqual({
      node: 'ok',
      opencv: 'ok',
      'native-pixels': 'ok',
      model: 'ok',
      camera: 'skipped',
      'obs-installed': 'ok',
      'plugin-installed': 'ok',
      'obs-websocket': 'ok',
      'plugin-loaded': 'ok',
      'virtual-camera': 'problem',
      canvas: 'ok',
      'test-frame': 'ok',
    });
    expect(report?.ok).toBe(false);
    expect(code).toBe(1);
    expect(byLink['native-pixels'].message).toBe('The native pixel loops load: frames are composited in C.');
    expect(byLink.model.message).toMatch(/loads; it runs on cpu/);
    expect(byLink['obs-websocket'].message).toMatch(/^OBS 29\.\d+\.\d+ answers at ws:\/\/127\.0\.0\.1:\d+ .*the password is accepted\.$/);
    expect(byLink['virtual-camera']).toMatchObject({
      message: "OBS's Virtual Camera is not available: the v4l2loopback kernel module is not loaded.",
      fix: expect.stringContaining('sudo modprobe v4l2loopback'),
    });
    expect(byLink['test-frame'].message).toMatch(/^A test frame went from blurcam to the plugin over ipc:\/\/.*doctor-\d+\.sock \(the plugin counted \d+ received\)\.$/);
    // The doctor's throwaway scene and source are gone again.
    const connection = await obs.connect();
    try {
      expect((await connection.call('GetSceneList')).scenes.map((scene) => scene.sceneName)).not.toContain('blurcam doctor');
      expect((await connection.call('GetInputList')).inputs).toEqual([]);
    } finally {
      await connection.close();
    }
    expect(JSON.stringify(report)).not.toContain(obs.password);
  }, 180_000);

  it('prints one line per link, with the fix under a problem', async () => {
    const { stdout, code } = await doctor(obs, { json: false });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ok {6}node {13}Node v\d+/m);
    expect(stdout).toMatch(/^skipped camera {11}--input demo: no camera used\.$/m);
    expect(stdout).toMatch(/^problem virtual-camera {3}OBS's Virtual Camera is not available.*\n {25}fix: Run `sudo apt install v4l2loopback-dkms/m);
    expect(stdout).toMatch(/1 problem found\.\n$/);
  }, 180_000);

  it('says the password is wrong, and skips the links behind the websocket', async () => {
    const { status, byLink, code, report } = await doctor(obs, { password: 'not-the-password' });
    expect(code).toBe(1);
    expect(byLink['obs-websocket']).toMatchObject({ status: 'problem', message: expect.stringMatching(/password/i) });
    expect(byLink['obs-websocket'].fix).toBeTruthy();
    for (const link of ['plugin-loaded', 'virtual-camera', 'canvas', 'test-frame']) expect(status[link]).toBe('skipped');
    expect(JSON.stringify(report)).not.toContain('not-the-password');
  }, 180_000);

  it('says OBS runs with its websocket server off, and how to turn it on', async () => {
    await obs.stop();
    const config = new ObsConfig(obs.configDir, websocketStoresFor(await detectObsVersion(findObsExecutable())));
    config.writeWebsocket({ serverEnabled: false, serverPort: obs.port, authRequired: true, serverPassword: obs.password });
    // Started by hand: the harness would wait for a websocket that never opens.
    manualObs = spawn(findObsExecutable(), [...OBS_LAUNCH_ARGS, '--multi', ...obs.args], { env: obs.env, stdio: 'ignore' });
    try {
      const { byLink, code } = await waitFor('OBS to run', async () => {
        const result = await doctor(obs);
        return result.byLink['obs-websocket']?.message.startsWith('OBS is running') ? result : undefined;
      }, 60_000);
      expect(code).toBe(1);
      expect(byLink['obs-websocket']).toEqual({
        link: 'obs-websocket',
        status: 'problem',
        message: `OBS is running but its websocket does not answer at ${obs.url}.`,
        fix: expect.stringMatching(/^OBS's websocket server is not turned on in its settings: quit OBS and run `blurcam configure-obs`/),
      });
    } finally {
      const exited = new Promise((resolveExit) => manualObs?.once('exit', resolveExit));
      manualObs.kill('SIGINT');
      await exited;
    }
  }, 180_000);

  it('says OBS is not running when nothing answers', async () => {
    const { byLink, status, code } = await doctor(obs);
    expect(code).toBe(1);
    expect(byLink['obs-websocket']).toMatchObject({ status: 'problem', message: `OBS is not running (nothing answers at ${obs.url}).` });
    expect(byLink['obs-websocket'].fix).toMatch(/--launch-obs/);
    expect(status['obs-installed']).toBe('ok');
    expect(status['test-frame']).toBe('skipped');
  }, 180_000);
});

describe('blurcam doctor (real OBS without the plugin, on a 16:10 canvas)', () => {
  let obs: HeadlessObs;

  beforeAll(async () => {
    obs = await startHeadlessObs({ width: 1280, height: 800 });
  }, 240_000);

  afterAll(async () => {
    await obs?.dispose();
  }, 60_000);

  it('says the plugin is neither installed nor loaded, with the fix', async () => {
    const { byLink, status, code } = await doctor(obs, { withPluginPath: false });
    expect(code).toBe(1);
    expect(byLink['plugin-installed']).toMatchObject({
      status: 'problem',
      message: `The blurcam plugin is not installed (no ${obs.configDir}/plugins/blurcam-obs/bin/64bit/blurcam-obs.so).`,
      fix: expect.stringContaining('scripts/install-obs.sh'),
    });
    expect(byLink['plugin-loaded']).toMatchObject({ status: 'problem', message: expect.stringContaining('has no "blurcam_source" source kind') });
    expect(status['obs-websocket']).toBe('ok');
    expect(status['test-frame']).toBe('skipped');
  }, 180_000);

  it("says the canvas does not have the frames' aspect, and how blurcam start fixes it", async () => {
    const { byLink } = await doctor(obs, { withPluginPath: false });
    expect(byLink.canvas).toMatchObject({
      status: 'problem',
      message: "OBS's canvas 1280x800 at 30 fps does not have the frames' aspect (1280x720): the Virtual Camera shows bars.",
      fix: expect.stringContaining('--obs-canvas camera'),
    });
  }, 180_000);
});
