import type { ObsConnection } from './obs-connection.js';
import { type BlurcamSceneOptions, type BlurcamSceneSetup, setupBlurcamScene } from './obs-setup.js';

export interface SceneSetOptions extends BlurcamSceneOptions {
  /** blurcam's other scenes (src/live/scene-config.ts), each showing the same source; they are never made live here. */
  otherScenes: readonly string[];
}

/**
 * The main scene as setupBlurcamScene makes it, and each other scene with blurcam's one source in it, fitted
 * to the canvas. Idempotent like setupBlurcamScene: a second call changes nothing. The returned setup is the
 * main scene's, with every change listed.
 */
export async function setupSceneSet(obs: ObsConnection, options: SceneSetOptions): Promise<BlurcamSceneSetup> {
  const { otherScenes, ...main } = options;
  const setup = await setupBlurcamScene(obs, main);
  for (const sceneName of otherScenes) {
    // The canvas was matched with the main scene; the others only need the source fitted to it.
    const other = await setupBlurcamScene(obs, { ...main, sceneName, program: 'keep', canvas: undefined });
    setup.changes.push(...other.changes);
  }
  return setup;
}
