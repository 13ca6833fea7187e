import type { CommandModule } from 'yargs';
import { declareOptions, type OptionValues } from '../config.js';
import { connectObs } from '../control/obs-connection.js';
import { setupSceneSet } from '../control/obs-scenes.js';
import { sceneDefinitions } from '../live/scene-config.js';
import { describeEffect } from '../live/scene-director.js';
import { resolveEndpoint } from '../transport/endpoint.js';

const SCENES_OPTIONS = ['config', 'effect', 'blur-strength', 'background', 'endpoint', 'obs-url', 'obs-password', 'scene', 'scenes'] as const;

type ScenesArgs = Pick<OptionValues, (typeof SCENES_OPTIONS)[number]>;

/**
 * `blurcam scenes`: makes blurcam's scenes in OBS (as `start` does) without starting the camera, so Stream Deck
 * buttons can be set up for them first. Idempotent; the live scene stays as it is.
 */
export const scenesCommand: CommandModule<object, ScenesArgs> = {
  command: 'scenes',
  describe: "Create blurcam's scenes in OBS (one per effect, see docs/stream-deck.md) without starting the camera",
  builder: (yargs) => declareOptions(yargs, SCENES_OPTIONS),
  async handler(argv) {
    const scenes = sceneDefinitions(argv.scenes, { sceneName: argv.scene, effect: argv.effect, blurStrength: argv['blur-strength'], background: argv.background });
    const obs = await connectObs({ url: argv['obs-url'], password: argv['obs-password'] });
    try {
      const [main, ...others] = scenes;
      const setup = await setupSceneSet(obs, {
        sceneName: main.name,
        otherScenes: others.map((scene) => scene.name),
        endpoint: resolveEndpoint(argv.endpoint),
        program: 'keep',
      });
      const lines = [
        ...scenes.map((scene) => `  "${scene.name}": ${describeEffect(scene.effect)}`),
        ...(setup.changes.length ? setup.changes.map((change) => `OBS: ${change}`) : ['OBS: nothing to change.']),
      ];
      process.stdout.write(`blurcam's scenes in OBS:\n${lines.join('\n')}\n`);
    } finally {
      await obs.close();
    }
  },
};
