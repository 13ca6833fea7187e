import type { CommandModule } from 'yargs';
import { listDevices } from '../capture/devices.js';
import { declareOptions, type OptionValues } from '../config.js';

type DevicesArgs = Pick<OptionValues, 'config' | 'json'>;

/** `blurcam devices`: the cameras `--camera` can choose, as far as the platform can list them. */
export const devicesCommand: CommandModule<object, DevicesArgs> = {
  command: 'devices',
  describe: 'List the cameras (the numbers --camera takes)',
  builder: (yargs) => declareOptions(yargs, ['config', 'json']),
  async handler(argv) {
    const listing = await listDevices();
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(listing)}\n`);
      return;
    }
    const lines = listing.cameras.map((camera) => {
      const notes = [camera.isOwnOutput ? "OBS's Virtual Camera, blurcam's own output: not usable as input" : undefined, camera.caveat].filter(Boolean);
      return `  ${String(camera.index).padStart(2)}  ${camera.name}  (${camera.detail})${notes.length ? `  - ${notes.join('; ')}` : ''}`;
    });
    const found = lines.length ? [`Cameras (${listing.method}):`, ...lines].join('\n') : `No cameras found (${listing.method}).`;
    process.stdout.write(`${listing.unavailable ?? found}\n`);
  },
};
