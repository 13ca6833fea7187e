/**
 * Where blurcam keeps its files, and reading its JSON config file: shared by the option loader (src/config.ts),
 * `configure-obs` (which stores the OBS password in the same file) and the parts that keep state there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BlurcamError, describeError } from './errors.js';

/** The folder where blurcam keeps its config file: the platform's usual place. */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.BLURCAM_CONFIG_DIR) return env.BLURCAM_CONFIG_DIR;
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'blurcam');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'blurcam');
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  return join(configDir(env, platform), 'config.json');
}

/** The file's top-level object as written, or undefined when there is no file. Bad JSON or a non-object is an error. */
export function readConfigObject(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BlurcamError(
      'BAD_CONFIG_FILE',
      `Config file ${path} is not valid JSON: ${describeError(error)}`,
      'Fix the file, or delete it to go back to the defaults.',
      { cause: error },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BlurcamError('BAD_CONFIG_FILE', `Config file ${path} must hold a JSON object.`, 'Write it as {"option": value, ...}.');
  }
  return parsed as Record<string, unknown>;
}
