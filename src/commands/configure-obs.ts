import type { CommandModule } from 'yargs';
import { declareOptions, defaultConfigPath, type OptionValues } from '../config.js';
import { configureObs } from '../control/configure-obs.js';
import { obsConfigDir } from '../control/obs-config.js';
import { detectObsVersion, findObsExecutable, isObsRunning } from '../control/obs-launcher.js';
import { isBlurcamError } from '../errors.js';

type ConfigureObsArgs = Pick<OptionValues, 'config' | 'obs-config-dir'>;

/** `blurcam configure-obs`: OBS's websocket on, with a password blurcam knows. scripts/install-obs.sh runs it. */
export const configureObsCommand: CommandModule<object, ConfigureObsArgs> = {
  command: 'configure-obs',
  describe: "Turn on OBS's websocket server with a password and store that password for blurcam (run it with OBS closed)",
  builder: (yargs) =>
    // The config file this command writes holds the URL and password; accepted (and unused) so a second run reads it back.
    declareOptions(yargs, ['config', 'obs-config-dir', 'obs-url', 'obs-password'], { 'obs-url': { hidden: true }, 'obs-password': { hidden: true } }),
  async handler(argv) {
    const obsVersion = await installedObsVersion();
    const settingsDir = argv['obs-config-dir'] ?? obsConfigDir();
    const result = configureObs({
      obsConfigDir: settingsDir,
      blurcamConfigPath: argv.config ?? defaultConfigPath(),
      obsVersion,
      obsRunning: await isObsRunning(settingsDir),
    });
    const lines = [
      `OBS ${obsVersion ?? '(version unknown)'}: websocket server on, port ${result.port}, authentication on.`,
      `Password: ${result.passwordSource === 'generated' ? 'newly generated' : `kept from the ${result.passwordSource}`} (never printed).`,
      ...(result.permissionsDialog === 'marked as shown' ? ["OBS's first-start permissions dialog marked as shown, so it cannot hold OBS's start-up."] : []),
      ...(result.changed.length ? result.changed.map((path) => `Wrote ${path}`) : ['Nothing to change.']),
      ...result.backups.map((path) => `Backup of the previous version: ${path}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};

async function installedObsVersion(): Promise<string | undefined> {
  try {
    return await detectObsVersion(findObsExecutable());
  } catch (error) {
    // Without OBS installed yet, both settings formats are written.
    if (isBlurcamError(error, 'OBS_LAUNCH_FAILED')) return undefined;
    throw error;
  }
}
