/**
 * The OBS session under faults, on a real OBS with the plugin: OBS killed and started again while blurcam
 * runs (the session reconnects and re-applies the setup by itself, frames flow again without restarting the
 * sender), and OBS started by blurcam (--launch-obs), including the ways that launch fails.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObsConfig, websocketStoresFor } from '../../src/control/obs-config.js';
import { type LaunchObsOptions, detectObsVersion, findObsExecutable, launchObs } from '../../src/control/obs-launcher.js';
import { BLURCAM_INPUT_NAME } from '../../src/control/obs-setup.js';
import { ObsSession, type ObsSessionState } from '../../src/control/obs-session.js';
import type { ProgramScene } from '../../src/control/program-scene.js';
import { BlurcamError } from '../../src/errors.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import { PATTERN_A, type PatternSender, preparePluginTests, screenshot, showsPattern, startPatternSender, waitFor } from './plugin-helpers.js';

const SCENE = 'blurcam';

/** The error a launch ends with; an OBS that unexpectedly came up is stopped, not leaked. */
function launchFailure(options: LaunchObsOptions): Promise<BlurcamError> {
  return launchObs(options).then(
    async (running) => {
      await running.stop();
      throw new Error('OBS launched, but the test expected the launch to fail');
    },
    (error: unknown) => error as BlurcamError,
  );
}

describe('OBS session (real OBS with the plugin)', () => {
  let obs: HeadlessObs;
  let session: ObsSession | undefined;
  let sender: PatternSender | undefined;

  beforeAll(async () => {
    preparePluginTests();
    obs = await startHeadlessObs({ plugin: true, width: 640, height: 360 });
  }, 240_000);

  afterAll(async () => {
    await session?.stop();
    await sender?.kill();
    await obs?.dispose();
  }, 60_000);

  it('reconnects and re-applies the setup by itself when OBS is killed and started again; frames flow again', async () => {
    const endpoint = `ipc://${obs.home}/runtime/session.sock`;
    session = new ObsSession({ url: obs.url, password: obs.password, sceneName: SCENE, endpoint, reconnectDelayMs: { first: 100, max: 1_000 } });
    const states: ObsSessionState[] = [];
    const warnings: BlurcamError[] = [];
    const scenes: ProgramScene[] = [];
    let readyCount = 0;
    session.on('state', (state) => states.push(state));
    session.on('warning', (warning) => warnings.push(warning));
    session.on('ready', () => readyCount++);
    session.onProgramSceneChanged((scene) => scenes.push(scene));

    const setup = await session.start();
    expect(setup.changes).toContain(`created source "${BLURCAM_INPUT_NAME}"`);
    expect(session.state).toBe('ready');
    expect(session.programScene).toEqual({ sceneName: SCENE, showsBlurcam: true, shownThrough: [SCENE] });
    expect(session.showsBlurcam).toBe(true);
    // No v4l2loopback here: the Virtual Camera is a warning, and blurcam keeps feeding OBS.
    expect(warnings.map((warning) => warning.code)).toEqual(['VIRTUALCAM_UNAVAILABLE']);

    sender = startPatternSender(endpoint, PATTERN_A);
    const probe = await obs.connect();
    await waitFor('the pattern before the crash', async () => (showsPattern(await screenshot(probe, BLURCAM_INPUT_NAME, 160), PATTERN_A) ? true : undefined));
    // A Stream Deck switches to a scene without blurcam, and back.
    await probe.call('SetCurrentProgramScene', { sceneName: 'Scene' });
    await waitFor('the switch away', async () => (session?.programScene?.sceneName === 'Scene' ? true : undefined));
    expect(session.showsBlurcam).toBe(false);
    await probe.call('SetCurrentProgramScene', { sceneName: SCENE });
    await waitFor('the switch back', async () => (session?.showsBlurcam ? true : undefined));
    await probe.close();

    await obs.kill();
    await waitFor('the session to notice', async () => (session?.state === 'reconnecting' ? true : undefined));
    expect(session.showsBlurcam).toBe(false);

    await obs.restart();
    await waitFor('the session to be ready again', async () => (session?.state === 'ready' && readyCount === 2 ? true : undefined), 60_000);
    expect(states).toEqual(['connecting', 'ready', 'reconnecting', 'ready']);
    expect(session.programScene?.showsBlurcam).toBe(true);
    // The same live scene before and after the restart: listeners heard no change from the restart itself.
    expect(scenes).toEqual([
      { sceneName: SCENE, showsBlurcam: true, shownThrough: [SCENE] },
      { sceneName: 'Scene', showsBlurcam: false, shownThrough: [] },
      { sceneName: SCENE, showsBlurcam: true, shownThrough: [SCENE] },
    ]);

    const after = await obs.connect();
    try {
      const { inputs } = await after.call('GetInputList');
      expect(inputs.map((input) => input.inputName)).toEqual([BLURCAM_INPUT_NAME]);
      const { inputSettings } = await after.call('GetInputSettings', { inputName: BLURCAM_INPUT_NAME });
      expect(inputSettings.endpoint).toBe(endpoint);
      // The same sender process, never restarted: its frames reach the new OBS.
      expect(sender.child.exitCode).toBeNull();
      await waitFor('the pattern after the restart', async () => (showsPattern(await screenshot(after, BLURCAM_INPUT_NAME, 160), PATTERN_A) ? true : undefined));
    } finally {
      await after.close();
    }
  });

  it('reports a wrong password after a reconnection as a warning, and carries on trying', async () => {
    const active = session;
    if (!active) throw new Error('the first test did not start a session');
    const warnings: BlurcamError[] = [];
    active.on('warning', (warning) => warnings.push(warning));
    await obs.stop();
    const config = new ObsConfig(obs.configDir, websocketStoresFor(await detectObsVersion(findObsExecutable())));
    const changedPassword = 'changed-by-the-user';
    config.writeWebsocket({ serverEnabled: true, serverPort: obs.port, authRequired: true, serverPassword: changedPassword });
    // OBS with the password the user changed (the harness only knows the old one).
    const changed = await launchObs({ url: obs.url, password: changedPassword, env: obs.env, args: obs.args, multipleInstances: true, logPath: join(obs.home, 'changed.log') });
    try {
      const warning = await waitFor('the password warning', async () => warnings.find((candidate) => candidate.code === 'OBS_AUTH_FAILED'), 60_000);
      expect(warning.message).toBe(`OBS rejected the websocket password (at ${obs.url}).`);
      expect(`${warning.message} ${warning.hint}`).not.toContain(obs.password);
      expect(active.state).toBe('reconnecting');
    } finally {
      await changed.stop();
    }

    // Back to the password the session knows: it gets in by itself.
    config.writeWebsocket({ serverEnabled: true, serverPort: obs.port, authRequired: true, serverPassword: obs.password });
    await obs.restart();
    await waitFor('the session to be ready again', async () => (active.state === 'ready' ? true : undefined), 60_000);
    expect(warnings.filter((candidate) => candidate.code === 'OBS_AUTH_FAILED')).toHaveLength(1);
    await active.stop();
    expect(active.state).toBe('stopped');
    session = undefined;
  });

  it('launches OBS when it is not running (--launch-obs) and leaves it running after stop()', async () => {
    await obs.stop();
    const launching = new ObsSession({
      url: obs.url,
      password: obs.password,
      sceneName: SCENE,
      endpoint: `ipc://${obs.home}/runtime/launch.sock`,
      virtualCamera: false,
      launch: { env: obs.env, args: obs.args, multipleInstances: true, logPath: join(obs.home, 'launched-by-session.log') },
    });
    session = launching;
    const setup = await launching.start();
    expect(setup.sceneName).toBe(SCENE);
    const launched = launching.launchedObs;
    expect(launched?.exited).toBe(false);
    await launching.stop();
    session = undefined;
    expect(launched?.exited).toBe(false);
    const connection = await obs.connect();
    await connection.close();
    await launched?.stop();
    expect(launched?.exited).toBe(true);
  });

  it("on macOS marks OBS's first-start permissions dialog as shown before launching, so OBS cannot wait on it", async () => {
    await obs.stop();
    // Where OBS on a Mac with this HOME keeps global.ini; the OBS started here (Linux) reads its own.
    const macConfigDir = join(obs.home, 'Library', 'Application Support', 'obs-studio');
    const launched = await launchObs({
      url: obs.url,
      password: obs.password,
      env: obs.env,
      args: obs.args,
      multipleInstances: true,
      logPath: join(obs.home, 'launched-as-mac.log'),
      platform: 'darwin',
    });
    try {
      expect(readFileSync(join(macConfigDir, 'global.ini'), 'utf8')).toBe('[General]\nMacOSPermissionsDialogLastShown=1\n');
      expect(statSync(join(macConfigDir, 'global.ini')).mode & 0o777).toBe(0o600);
      expect(new ObsConfig(macConfigDir, []).markMacosPermissionsDialogShown()).toEqual({ changed: [], backups: [] });
    } finally {
      await launched.stop();
    }
  });

  it('says OBS_LAUNCH_FAILED with the log when the started OBS never opens its websocket', async () => {
    await obs.stop();
    const config = new ObsConfig(obs.configDir, websocketStoresFor(await detectObsVersion(findObsExecutable())));
    config.writeWebsocket({ serverEnabled: false, serverPort: obs.port, authRequired: true, serverPassword: obs.password });
    try {
      const error = await launchFailure({
        url: obs.url,
        password: obs.password,
        env: obs.env,
        args: obs.args,
        multipleInstances: true,
        logPath: join(obs.home, 'websocket-off.log'),
        timeoutMs: 8_000,
      });
      expect(error).toBeInstanceOf(BlurcamError);
      expect(error.code).toBe('OBS_LAUNCH_FAILED');
      expect(error.message).toBe(`OBS started but its websocket did not answer at ${obs.url} within 8000 ms.`);
      // What OBS waits for, told from its settings.
      expect(error.hint).toMatch(/^OBS's websocket server is not turned on in its settings: quit OBS and run `blurcam configure-obs`.* OBS's log: .*\/logs\//);
      expect(String(error.cause)).toContain('last lines of');
    } finally {
      config.writeWebsocket({ serverEnabled: true, serverPort: obs.port, authRequired: true, serverPassword: obs.password });
    }
  });

  it('says OBS_LAUNCH_FAILED when OBS exits during start-up', async () => {
    // Nothing else may answer at the address while the launched OBS is starting.
    await obs.stop();
    const error = await launchFailure({
      url: obs.url,
      password: obs.password,
      env: obs.env,
      // OBS prints its usage and exits at once.
      args: ['--help'],
      multipleInstances: true,
      logPath: join(obs.home, 'exits.log'),
    });
    expect(error).toBeInstanceOf(BlurcamError);
    expect(error.code).toBe('OBS_LAUNCH_FAILED');
    expect(error.message).toMatch(/^OBS \(.*obs\) exited with code 0 during start-up\.$/);
    expect(String(error.cause)).toContain('Use specific scene collection');
  });
});
