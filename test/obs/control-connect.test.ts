/** Connecting to a real OBS (no blurcam plugin loaded) and the errors a user meets first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectObs } from '../../src/control/obs-connection.js';
import { checkPluginLoaded, setupBlurcamScene } from '../../src/control/obs-setup.js';
import { ObsSession } from '../../src/control/obs-session.js';
import { startVirtualCamera } from '../../src/control/virtual-camera.js';
import { BlurcamError } from '../../src/errors.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import { freePort } from '../support/headless-obs.js';

async function rejection(promise: Promise<unknown>): Promise<BlurcamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BlurcamError);
  return error as BlurcamError;
}

describe('OBS connection (real OBS, without the plugin)', () => {
  let obs: HeadlessObs;

  beforeAll(async () => {
    obs = await startHeadlessObs();
  });

  afterAll(async () => {
    await obs?.dispose();
  });

  it('connects with the right password and reports the versions', async () => {
    const connection = await obs.connect();
    expect(connection.connected).toBe(true);
    expect(connection.version.obsWebSocketVersion).toMatch(/^5\./);
    expect(connection.version.rpcVersion).toBeGreaterThanOrEqual(1);
    const { currentProgramSceneName } = await connection.call('GetCurrentProgramScene');
    expect(currentProgramSceneName).toBeTypeOf('string');
    await connection.close();
    expect(connection.connected).toBe(false);
  });

  it('says OBS_AUTH_FAILED for a wrong password, without echoing it', async () => {
    const password = 'not-the-password-4711';
    const error = await rejection(connectObs({ url: obs.url, password }));
    expect(error.code).toBe('OBS_AUTH_FAILED');
    expect(error.message).toBe(`OBS rejected the websocket password (at ${obs.url}).`);
    expect(`${error.message} ${error.hint}`).not.toContain(password);
    expect(`${error.message} ${error.hint}`).not.toContain(obs.password);
  });

  it('says OBS_AUTH_FAILED when OBS asks for a password and none is set', async () => {
    const error = await rejection(connectObs({ url: obs.url }));
    expect(error.code).toBe('OBS_AUTH_FAILED');
    expect(error.message).toBe(`OBS asks for a websocket password (at ${obs.url}) and none was given.`);
  });

  it('says OBS_UNREACHABLE when nothing listens at the address', async () => {
    const url = `ws://127.0.0.1:${await freePort()}`;
    const error = await rejection(connectObs({ url, password: obs.password }));
    expect(error.code).toBe('OBS_UNREACHABLE');
    expect(error.message).toMatch(new RegExp(`^OBS does not answer at ${url} \\(.*ECONNREFUSED.*\\)\\.$`));
    expect(error.hint).toContain('--launch-obs');
  });

  it('says OBS_PLUGIN_MISSING when OBS has no blurcam source kind', async () => {
    const connection = await obs.connect();
    try {
      const error = await rejection(checkPluginLoaded(connection));
      expect(error.code).toBe('OBS_PLUGIN_MISSING');
      expect(error.message).toMatch(/^OBS [\d.]+ has no blurcam source: the blurcam OBS plugin is not installed or did not load\.$/);
      expect(error.hint).toContain('scripts/install-obs.sh');
      // The setup checks first and creates nothing in OBS.
      const before = await connection.call('GetSceneList');
      const setupError = await rejection(setupBlurcamScene(connection, { sceneName: 'blurcam', endpoint: 'ipc:///tmp/unused' }));
      expect(setupError.code).toBe('OBS_PLUGIN_MISSING');
      expect(await connection.call('GetSceneList')).toEqual(before);
    } finally {
      await connection.close();
    }
  });

  it('a session fails to start with OBS_PLUGIN_MISSING and stays stopped', async () => {
    const session = new ObsSession({ url: obs.url, password: obs.password, sceneName: 'blurcam', endpoint: 'ipc:///tmp/unused' });
    const error = await rejection(session.start());
    expect(error.code).toBe('OBS_PLUGIN_MISSING');
    expect(session.state).toBe('stopped');
  });

  it('says VIRTUALCAM_UNAVAILABLE (604) with the v4l2loopback fix on Linux', async () => {
    const connection = await obs.connect();
    try {
      const error = await rejection(startVirtualCamera(connection, { platform: 'linux' }));
      expect(error.code).toBe('VIRTUALCAM_UNAVAILABLE');
      expect(error.message).toBe("OBS's Virtual Camera is not available: the v4l2loopback kernel module is not loaded.");
      expect(error.hint).toContain('sudo modprobe v4l2loopback exclusive_caps=1 card_label="OBS Virtual Camera"');
      const macError = await rejection(startVirtualCamera(connection, { platform: 'darwin' }));
      expect(macError.code).toBe('VIRTUALCAM_UNAVAILABLE');
      expect(macError.hint).toContain('Camera Extensions');
    } finally {
      await connection.close();
    }
  });

  it('says OBS_UNREACHABLE for a request on a connection that has ended', async () => {
    const connection = await obs.connect();
    await connection.close();
    const error = await rejection(connection.call('GetSceneList'));
    expect(error.code).toBe('OBS_UNREACHABLE');
    expect(error.message).toBe(`The connection to OBS at ${obs.url} ended before it answered GetSceneList.`);
  });

  it('says OBS_REQUEST_FAILED with the status code when OBS refuses a request', async () => {
    const connection = await obs.connect();
    try {
      const error = await rejection(connection.call('GetSceneItemList', { sceneName: 'no such scene' }));
      expect(error.code).toBe('OBS_REQUEST_FAILED');
      expect(error.message).toMatch(/^OBS refused the request GetSceneItemList: .* \(status 600\)\.$/);
    } finally {
      await connection.close();
    }
  });
});
