/**
 * blurcam's scene in a real OBS with the plugin loaded: created once, fitted to the canvas, made the program
 * scene, repaired when a user changed it, and the live scene followed when another client (a Stream Deck)
 * switches scenes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObsConnection } from '../../src/control/obs-connection.js';
import { BLURCAM_INPUT_NAME, BLURCAM_SOURCE_KIND, setupBlurcamScene } from '../../src/control/obs-setup.js';
import { type ProgramScene, ProgramSceneWatcher, sameProgramScene } from '../../src/control/program-scene.js';
import { BlurcamError } from '../../src/errors.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import { preparePluginTests, waitFor } from './plugin-helpers.js';

const SCENE = 'blurcam';
const CANVAS = { width: 640, height: 360 };

async function inventory(connection: ObsConnection) {
  const { scenes, currentProgramSceneName } = await connection.call('GetSceneList');
  const { inputs } = await connection.call('GetInputList');
  const { sceneItems } = await connection.call('GetSceneItemList', { sceneName: SCENE });
  return { scenes: scenes.map((scene) => scene.sceneName).sort(), inputs: inputs.map((input) => input.inputName).sort(), sceneItems, currentProgramSceneName };
}

describe('blurcam scene setup (real OBS with the plugin)', () => {
  let obs: HeadlessObs;
  let connection: ObsConnection;
  let endpoint: string;

  beforeAll(async () => {
    preparePluginTests();
    obs = await startHeadlessObs({ plugin: true, ...CANVAS });
    connection = await obs.connect();
    endpoint = `ipc://${obs.home}/runtime/control-setup.sock`;
  }, 240_000);

  afterAll(async () => {
    await connection?.close();
    await obs?.dispose();
  }, 60_000);

  it('creates the scene and the source, fits it to the canvas and makes the scene live', async () => {
    expect((await connection.call('GetSceneList')).scenes.map((scene) => scene.sceneName)).toEqual(['Scene']);

    const setup = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint });

    expect(setup.changes).toEqual([
      `created scene "${SCENE}"`,
      `created source "${BLURCAM_INPUT_NAME}"`,
      `fitted "${BLURCAM_INPUT_NAME}" to the canvas`,
      `made "${SCENE}" the program scene`,
    ]);
    const after = await inventory(connection);
    expect(after.scenes).toEqual(['Scene', SCENE]);
    expect(after.inputs).toEqual([BLURCAM_INPUT_NAME]);
    expect(after.sceneItems.map((item) => [item.sourceName, item.sceneItemEnabled])).toEqual([[BLURCAM_INPUT_NAME, true]]);
    expect(after.currentProgramSceneName).toBe(SCENE);
    const { inputKind } = (await connection.call('GetInputList')).inputs[0];
    expect(String(inputKind)).toContain(BLURCAM_SOURCE_KIND);
    const { inputSettings } = await connection.call('GetInputSettings', { inputName: BLURCAM_INPUT_NAME });
    expect(inputSettings.endpoint).toBe(endpoint);
    const { sceneItemTransform } = await connection.call('GetSceneItemTransform', { sceneName: SCENE, sceneItemId: setup.sceneItemId });
    expect(sceneItemTransform).toMatchObject({
      positionX: 0,
      positionY: 0,
      boundsType: 'OBS_BOUNDS_SCALE_INNER',
      boundsWidth: CANVAS.width,
      boundsHeight: CANVAS.height,
    });
  });

  it('is idempotent: a second run creates and changes nothing', async () => {
    const before = await inventory(connection);
    const setup = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint });
    expect(setup.changes).toEqual([]);
    expect(await inventory(connection)).toEqual(before);
  });

  it("repairs what a user changed: hidden or moved source, other endpoint, another live scene", async () => {
    const { sceneItems } = await connection.call('GetSceneItemList', { sceneName: SCENE });
    const sceneItemId = Number(sceneItems[0].sceneItemId);
    await connection.call('SetSceneItemEnabled', { sceneName: SCENE, sceneItemId, sceneItemEnabled: false });
    await connection.call('SetSceneItemTransform', { sceneName: SCENE, sceneItemId, sceneItemTransform: { positionX: 100, boundsType: 'OBS_BOUNDS_NONE' } });
    await connection.call('SetInputSettings', { inputName: BLURCAM_INPUT_NAME, inputSettings: { endpoint: 'tcp://127.0.0.1:1' }, overlay: true });
    await connection.call('SetCurrentProgramScene', { sceneName: 'Scene' });

    // After a reconnection the live scene is the user's choice; only a recreated scene is made live.
    const kept = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint, program: 'if-created' });
    expect(kept.changes).toEqual([
      `set the endpoint of "${BLURCAM_INPUT_NAME}"`,
      `showed "${BLURCAM_INPUT_NAME}" in "${SCENE}"`,
      `fitted "${BLURCAM_INPUT_NAME}" to the canvas`,
    ]);
    expect((await connection.call('GetCurrentProgramScene')).currentProgramSceneName).toBe('Scene');

    const switched = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint });
    expect(switched.changes).toEqual([`made "${SCENE}" the program scene`]);
  });

  it('adds the existing source back to a scene it was removed from', async () => {
    const { sceneItems } = await connection.call('GetSceneItemList', { sceneName: SCENE });
    // Another scene keeps the input alive while it leaves blurcam's scene.
    await connection.call('CreateSceneItem', { sceneName: 'Scene', sourceName: BLURCAM_INPUT_NAME });
    await connection.call('RemoveSceneItem', { sceneName: SCENE, sceneItemId: Number(sceneItems[0].sceneItemId) });
    await waitFor('the item to leave the scene', async () =>
      (await connection.call('GetSceneItemList', { sceneName: SCENE })).sceneItems.length === 0 ? true : undefined,
    );
    const setup = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint });
    expect(setup.changes).toEqual([`added "${BLURCAM_INPUT_NAME}" to "${SCENE}"`, `fitted "${BLURCAM_INPUT_NAME}" to the canvas`]);
    expect((await inventory(connection)).inputs).toEqual([BLURCAM_INPUT_NAME]);
  });

  it('refuses to take over a source of another kind that has the name', async () => {
    await connection.call('CreateInput', { sceneName: 'Scene', inputName: 'taken', inputKind: 'color_source_v3', inputSettings: {} });
    const error = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint, inputName: 'taken' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BlurcamError);
    expect((error as BlurcamError).code).toBe('OBS_REQUEST_FAILED');
    expect((error as BlurcamError).message).toBe('OBS already has a source named "taken" of another kind (color_source).');
    const sceneError = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint, inputName: 'Scene' }).catch((caught: unknown) => caught);
    expect((sceneError as BlurcamError).message).toBe('OBS already has a source named "Scene" of another kind (scene).');
  });

  it('follows the live scene when another client switches it, as a Stream Deck does', async () => {
    const seen: ProgramScene[] = [];
    const watcher = new ProgramSceneWatcher(connection, BLURCAM_INPUT_NAME, (scene) => seen.push(scene), (error) => {
      throw error;
    });
    expect(await watcher.start()).toEqual({ sceneName: SCENE, showsBlurcam: true, shownThrough: [SCENE] });
    const streamDeck = await obs.connect();
    try {
      const waitForScene = (expected: ProgramScene) =>
        waitFor(`program scene ${JSON.stringify(expected)}`, async () => (seen.some((scene) => sameProgramScene(scene, expected)) ? true : undefined));

      await streamDeck.call('CreateScene', { sceneName: 'Slides' });
      await streamDeck.call('SetCurrentProgramScene', { sceneName: 'Slides' });
      await waitForScene({ sceneName: 'Slides', showsBlurcam: false, shownThrough: [] });

      // A scene that nests blurcam's scene (picture in picture) shows the source too.
      await streamDeck.call('CreateScene', { sceneName: 'Talk' });
      await streamDeck.call('CreateSceneItem', { sceneName: 'Talk', sourceName: SCENE });
      await streamDeck.call('SetCurrentProgramScene', { sceneName: 'Talk' });
      // The scenes it shows the source through, from the live one inward: blurcam's scene inside "Talk".
      await waitForScene({ sceneName: 'Talk', showsBlurcam: true, shownThrough: ['Talk', SCENE] });

      // Hiding the nested scene inside the live one counts as not shown.
      const { sceneItemId } = await streamDeck.call('GetSceneItemId', { sceneName: 'Talk', sourceName: SCENE });
      await streamDeck.call('SetSceneItemEnabled', { sceneName: 'Talk', sceneItemId, sceneItemEnabled: false });
      await waitForScene({ sceneName: 'Talk', showsBlurcam: false, shownThrough: [] });

      await streamDeck.call('SetCurrentProgramScene', { sceneName: SCENE });
      await waitFor('back on the blurcam scene', async () => (watcher.current?.sceneName === SCENE && watcher.current.showsBlurcam ? true : undefined));
      expect(seen.map((scene) => `${scene.sceneName}:${scene.showsBlurcam}`)).toEqual([
        `${SCENE}:true`,
        'Slides:false',
        'Talk:true',
        'Talk:false',
        `${SCENE}:true`,
      ]);
    } finally {
      watcher.stop();
      await streamDeck.close();
    }
  });
});
