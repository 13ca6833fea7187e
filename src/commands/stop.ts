import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandModule } from 'yargs';
import { declareOptions, type OptionValues } from '../config.js';
import { controlSocketPath, request } from '../live/control-socket.js';
import { BlurcamError } from '../errors.js';

/** How long an ordered stop may take: the pipeline drains, OBS's counters are read, the camera is released. */
const STOP_TIMEOUT_MS = 15_000;
const POLL_MS = 100;

/** `blurcam stop`: asks the running blurcam for an ordered stop (as Ctrl-C does) and waits until it has ended. */
export const stopCommand: CommandModule<object, Pick<OptionValues, 'config'>> = {
  command: 'stop',
  describe: 'Stop the running blurcam cleanly',
  builder: (yargs) => declareOptions(yargs, ['config']),
  async handler() {
    const path = controlSocketPath();
    await request(path, 'stop');
    // The running blurcam removes its socket as the last step of its stop.
    for (const deadline = Date.now() + STOP_TIMEOUT_MS; existsSync(path); ) {
      if (Date.now() > deadline) {
        throw new BlurcamError('NOT_RUNNING', `blurcam was asked to stop but is still running after ${STOP_TIMEOUT_MS / 1000} s.`, 'Look at its terminal; Ctrl-C twice there ends it at once.');
      }
      await sleep(POLL_MS);
    }
    process.stdout.write('blurcam stopped.\n');
  },
};
