import { BlurcamError } from '../errors.js';
import { type CanvasOutcome, type MatchCanvasOptions, matchCanvasToCamera } from './obs-canvas.js';
import type { ObsConnection } from './obs-connection.js';

/** The source kind our OBS plugin (obs/) registers. */
export const BLURCAM_SOURCE_KIND = 'blurcam_source';
/** The name of blurcam's input in OBS; not "blurcam", which is the default scene's name (OBS names are unique). */
export const BLURCAM_INPUT_NAME = 'blurcam camera';

/** OBS_ALIGN_TOP | OBS_ALIGN_LEFT: position (0, 0) is the canvas's top-left corner. */
const ALIGN_TOP_LEFT = 5;
/** OBS_ALIGN_CENTER: the picture sits in the middle of its bounds box. */
const ALIGN_CENTER = 0;

export interface BlurcamSceneOptions {
  /** The scene that holds the source (--scene). */
  sceneName: string;
  /** ZeroMQ endpoint the plugin binds (the source's `endpoint` setting). */
  endpoint: string;
  inputName?: string;
  /**
   * Whether to make the scene OBS's program (live) scene: 'switch' (default), 'if-created' (only when this call
   * had to create the scene, so a scene the user switched away from stays switched away), or 'keep'.
   */
  program?: 'switch' | 'if-created' | 'keep';
  /** Make OBS's canvas the camera's size and rate first (when no output runs), so the source fills it. */
  canvas?: MatchCanvasOptions;
}

export interface BlurcamSceneSetup {
  sceneName: string;
  inputName: string;
  sceneItemId: number;
  /** What this call had to create or change; empty when OBS was already set up. */
  changes: string[];
  /** What was done about OBS's canvas, when `canvas` was asked for. */
  canvas?: CanvasOutcome;
}

/** Throws OBS_PLUGIN_MISSING when OBS has no `blurcam_source` kind (our plugin is not loaded). */
export async function checkPluginLoaded(obs: ObsConnection): Promise<void> {
  const { inputKinds } = await obs.call('GetInputKindList', { unversioned: true });
  if (!inputKinds.includes(BLURCAM_SOURCE_KIND)) {
    throw new BlurcamError(
      'OBS_PLUGIN_MISSING',
      `OBS ${obs.version.obsVersion} has no blurcam source: the blurcam OBS plugin is not installed or did not load.`,
      "Close OBS, run scripts/install-obs.sh (it builds and installs the plugin), and start OBS again; if it still fails, search OBS's log for [blurcam].",
    );
  }
}

/**
 * Makes sure OBS has the scene with blurcam's input filling the canvas, and (by default) shows it live.
 * Idempotent: what exists is reused and left as is, so a second call changes nothing.
 */
export async function setupBlurcamScene(obs: ObsConnection, options: BlurcamSceneOptions): Promise<BlurcamSceneSetup> {
  const { sceneName, endpoint } = options;
  const inputName = options.inputName ?? BLURCAM_INPUT_NAME;
  const changes: string[] = [];
  await checkPluginLoaded(obs);
  const canvas = options.canvas && (await matchCanvasToCamera(obs, options.canvas));
  if (canvas?.changed) changes.push('matched the canvas to the camera');

  const { scenes, currentProgramSceneName } = await obs.call('GetSceneList');
  const sceneMissing = !scenes.some((scene) => scene.sceneName === sceneName);
  if (sceneMissing) {
    await obs.call('CreateScene', { sceneName });
    changes.push(`created scene "${sceneName}"`);
  }

  const existingKind = scenes.some((scene) => scene.sceneName === inputName) ? 'scene' : await inputKind(obs, inputName);
  let sceneItemId: number;
  if (existingKind === undefined) {
    ({ sceneItemId } = await obs.call('CreateInput', {
      sceneName,
      inputName,
      inputKind: BLURCAM_SOURCE_KIND,
      inputSettings: { endpoint },
      sceneItemEnabled: true,
    }));
    changes.push(`created source "${inputName}"`);
  } else {
    if (existingKind !== BLURCAM_SOURCE_KIND) {
      throw new BlurcamError(
        'OBS_REQUEST_FAILED',
        `OBS already has a source named "${inputName}" of another kind (${existingKind}).`,
        `Rename or remove that source in OBS so blurcam can create its own "${inputName}".`,
      );
    }
    const { inputSettings } = await obs.call('GetInputSettings', { inputName });
    if (inputSettings.endpoint !== endpoint) {
      await obs.call('SetInputSettings', { inputName, inputSettings: { endpoint }, overlay: true });
      changes.push(`set the endpoint of "${inputName}"`);
    }
    sceneItemId = await ensureSceneItem(obs, sceneName, inputName, changes);
  }

  if (await fitToCanvas(obs, sceneName, sceneItemId)) changes.push(`fitted "${inputName}" to the canvas`);

  const program = options.program ?? 'switch';
  if ((program === 'switch' || (program === 'if-created' && sceneMissing)) && currentProgramSceneName !== sceneName) {
    await obs.call('SetCurrentProgramScene', { sceneName });
    changes.push(`made "${sceneName}" the program scene`);
  }
  return { sceneName, inputName, sceneItemId, changes, ...(canvas ? { canvas } : {}) };
}

/** The input's kind, or undefined when OBS has no input of that name. */
async function inputKind(obs: ObsConnection, inputName: string): Promise<string | undefined> {
  const { inputs } = await obs.call('GetInputList');
  const input = inputs.find((candidate) => candidate.inputName === inputName);
  return input && String(input.unversionedInputKind ?? input.inputKind);
}

/** The item showing the input in the scene, added (and shown) when missing or hidden. */
async function ensureSceneItem(obs: ObsConnection, sceneName: string, inputName: string, changes: string[]): Promise<number> {
  const { sceneItems } = await obs.call('GetSceneItemList', { sceneName });
  const item = sceneItems.find((candidate) => candidate.sourceName === inputName);
  if (!item) {
    const { sceneItemId } = await obs.call('CreateSceneItem', { sceneName, sourceName: inputName, sceneItemEnabled: true });
    changes.push(`added "${inputName}" to "${sceneName}"`);
    return sceneItemId;
  }
  const sceneItemId = Number(item.sceneItemId);
  if (item.sceneItemEnabled !== true) {
    await obs.call('SetSceneItemEnabled', { sceneName, sceneItemId, sceneItemEnabled: true });
    changes.push(`showed "${inputName}" in "${sceneName}"`);
  }
  return sceneItemId;
}

/**
 * A bounds box the size of the canvas with "scale to inner bounds", as OBS's own "Fit to screen": the whole
 * picture shows at any camera size, without distortion. Returns false when it was already so.
 */
async function fitToCanvas(obs: ObsConnection, sceneName: string, sceneItemId: number): Promise<boolean> {
  const { baseWidth, baseHeight } = await obs.call('GetVideoSettings');
  const wanted = {
    positionX: 0,
    positionY: 0,
    rotation: 0,
    alignment: ALIGN_TOP_LEFT,
    boundsType: 'OBS_BOUNDS_SCALE_INNER',
    boundsAlignment: ALIGN_CENTER,
    boundsWidth: baseWidth,
    boundsHeight: baseHeight,
  };
  const { sceneItemTransform } = await obs.call('GetSceneItemTransform', { sceneName, sceneItemId });
  if (Object.entries(wanted).every(([key, value]) => sceneItemTransform[key] === value)) return false;
  await obs.call('SetSceneItemTransform', { sceneName, sceneItemId, sceneItemTransform: wanted });
  return true;
}
