import type { CommandModule } from 'yargs';
import { declareOptions, type OptionValues } from '../config.js';
import { type RunningStatus, controlSocketPath, request } from '../live/control-socket.js';

type StatusArgs = Pick<OptionValues, 'config' | 'json'>;

/** `blurcam status`: what the running blurcam is doing, asked over its control socket. */
export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'Show what the running blurcam is doing (input, effect, fps, drops, OBS, live scene)',
  builder: (yargs) => declareOptions(yargs, ['config', 'json']),
  async handler(argv) {
    const status = (await request(controlSocketPath(), 'status')) as RunningStatus;
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(status)}\n`);
      return;
    }
    const scene = status.liveScene ? `"${status.liveScene.name}" (${status.liveScene.showsBlurcam ? 'shows blurcam' : 'does not show blurcam'})` : 'unknown';
    const lines = [
      `blurcam is running (pid ${status.pid}, since ${status.startedAt})`,
      `  input:      ${status.input}`,
      `  effect:     ${status.effect}`,
      `  mode:       ${status.mode}`,
      `  fps:        in ${status.fpsIn.toFixed(1)}, out ${status.fpsOut.toFixed(1)} (last second)`,
      `  frames:     ${status.framesIn} in, ${status.framesOut} out, ${status.segmented} segmented, ${status.dropped} dropped (since start)`,
      `  provider:   ${status.provider}`,
      `  output:     ${status.output}`,
      `  live scene: ${scene}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
