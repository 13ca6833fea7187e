import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BlurcamError, describeError } from '../errors.js';
import { IniFile } from './ini-file.js';
import { type ConfigChange, replaceFile } from './replace-file.js';

/** obs-websocket's server settings, as blurcam needs them. */
export interface WebsocketSettings {
  serverEnabled: boolean;
  serverPort: number;
  authRequired: boolean;
  serverPassword: string;
}

/**
 * Where obs-websocket keeps its settings: OBS 29 up to 30.1 (obs-websocket 5.0-5.4) read the [OBSWebSocket]
 * section of global.ini; OBS 30.2+ (obs-websocket 5.5+) read plugin_config/obs-websocket/config.json.
 */
export type WebsocketStore = 'global-ini' | 'config-json';

export const GLOBAL_INI = 'global.ini';
export const WEBSOCKET_JSON = join('plugin_config', 'obs-websocket', 'config.json');
const INI_SECTION = 'OBSWebSocket';

/** Values to set in an .ini file: section, then key, then value. */
export type IniValues = Record<string, Record<string, string>>;

/**
 * OBS on macOS opens a modal permissions dialog at start-up, before it loads any module (so before the
 * websocket server), while this key in global.ini is below the dialog's version (1 from OBS 28 to 32 at least).
 * The key stayed in global.ini when OBS 31 moved user settings to user.ini: OBS reads it from its app config.
 */
export const MACOS_PERMISSIONS_DIALOG = { section: 'General', key: 'MacOSPermissionsDialogLastShown', version: 1 } as const;

/** The global.ini value that tells OBS its macOS permissions dialog was shown. */
export const MACOS_PERMISSIONS_DIALOG_SHOWN: IniValues = {
  [MACOS_PERMISSIONS_DIALOG.section]: { [MACOS_PERMISSIONS_DIALOG.key]: String(MACOS_PERMISSIONS_DIALOG.version) },
};

/** OBS's settings folder for this user (the native OBS, not the Flatpak, which keeps it under ~/.var/app). */
export function obsConfigDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'obs-studio');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'obs-studio');
}

/**
 * Makes OBS's files that hold the websocket password (global.ini up to OBS 30.1, plugin_config/obs-websocket/
 * config.json from 30.2) readable by their owner only (0600). OBS saves them with the default mode, readable by
 * every user of the machine, each time it saves its settings (when it quits, at the latest), so blurcam does this
 * after configure-obs and again at each start. Returns the files it changed; throws OUTPUT_UNWRITABLE when one
 * cannot be changed (it belongs to another user).
 */
export function protectPasswordFiles(dir: string): string[] {
  const changed: string[] = [];
  for (const path of [join(dir, GLOBAL_INI), join(dir, WEBSOCKET_JSON)]) {
    if (!existsSync(path) || (statSync(path).mode & 0o077) === 0) continue;
    try {
      chmodSync(path, 0o600);
    } catch (error) {
      throw new BlurcamError(
        'OUTPUT_UNWRITABLE',
        `Cannot make ${path}, which holds the OBS websocket password, private: ${describeError(error)}`,
        `Make it readable by its owner only: chmod 600 "${path}"`,
        { cause: error },
      );
    }
    changed.push(path);
  }
  return changed;
}

/** The stores an OBS version reads; both when the version is unknown (the unused one is harmless). */
export function websocketStoresFor(obsVersion: string | undefined): WebsocketStore[] {
  const match = obsVersion === undefined ? null : /^(\d+)\.(\d+)/.exec(obsVersion);
  if (!match) return ['config-json', 'global-ini'];
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 30 || (major === 30 && minor >= 2) ? ['config-json'] : ['global-ini'];
}

/** OBS's own settings files, read and changed with a backup of every file before its first change. */
export class ObsConfig {
  constructor(
    readonly dir: string,
    readonly stores: WebsocketStore[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The settings from the first store that has any, or undefined when OBS never saved them. */
  readWebsocket(): Partial<WebsocketSettings> | undefined {
    for (const store of this.stores) {
      const settings = store === 'config-json' ? this.readWebsocketJson() : this.readWebsocketIni();
      if (settings) return settings;
    }
    return undefined;
  }

  /**
   * Writes the settings into every store; files whose values already match are left untouched. `globalIni`
   * holds further global.ini values, written in the same step so the file gets one backup of its original.
   */
  writeWebsocket(settings: WebsocketSettings, globalIni: IniValues = {}): ConfigChange {
    const change: ConfigChange = { changed: [], backups: [] };
    const add = (one: ConfigChange) => {
      change.changed.push(...one.changed);
      change.backups.push(...one.backups);
    };
    for (const store of this.stores) add(store === 'config-json' ? this.writeWebsocketJson(settings) : this.writeWebsocketIni(settings, globalIni));
    // global.ini may hold the password of an older OBS: private either way.
    if (!this.stores.includes('global-ini') && Object.keys(globalIni).length > 0) add(this.updateIni(GLOBAL_INI, globalIni, { secret: true }));
    return change;
  }

  /** The version of OBS's macOS permissions dialog last shown (0 when never: OBS will show it). */
  macosPermissionsDialogShown(): number {
    const value = this.globalIniValue(MACOS_PERMISSIONS_DIALOG.section, MACOS_PERMISSIONS_DIALOG.key);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : 0;
  }

  /** Marks the macOS permissions dialog as shown (global.ini kept private, with a backup); nothing when it already is. */
  markMacosPermissionsDialogShown(): ConfigChange {
    if (this.macosPermissionsDialogShown() >= MACOS_PERMISSIONS_DIALOG.version) return { changed: [], backups: [] };
    // global.ini holds the websocket password of OBS up to 30.1.
    return this.updateIni(GLOBAL_INI, MACOS_PERMISSIONS_DIALOG_SHOWN, { secret: true });
  }

  /** A global.ini value, or undefined when the file or the key is missing. */
  globalIniValue(section: string, key: string): string | undefined {
    const text = this.readText(join(this.dir, GLOBAL_INI));
    return text === undefined ? undefined : IniFile.parse(text).get(section, key);
  }

  /** Sets values in an .ini file under the settings folder (created when missing). */
  updateIni(relativePath: string, values: IniValues, { secret = false } = {}): ConfigChange {
    const path = join(this.dir, relativePath);
    const before = this.readText(path);
    const ini = IniFile.parse(before ?? '');
    for (const [section, keys] of Object.entries(values)) {
      for (const [key, value] of Object.entries(keys)) ini.set(section, key, value);
    }
    return replaceFile(path, before, ini.toString(), { secret, now: this.now() });
  }

  private readWebsocketIni(): Partial<WebsocketSettings> | undefined {
    const text = this.readText(join(this.dir, GLOBAL_INI));
    if (text === undefined) return undefined;
    const ini = IniFile.parse(text);
    if (!ini.has(INI_SECTION)) return undefined;
    const get = (key: string) => ini.get(INI_SECTION, key);
    return definedOnly({
      serverEnabled: parseBool(get('ServerEnabled')),
      serverPort: parsePort(get('ServerPort')),
      authRequired: parseBool(get('AuthRequired')),
      serverPassword: get('ServerPassword'),
    });
  }

  private writeWebsocketIni(settings: WebsocketSettings, globalIni: IniValues): ConfigChange {
    return this.updateIni(
      GLOBAL_INI,
      {
        ...globalIni,
        [INI_SECTION]: {
          // Stops obs-websocket from replacing the password with one of its own at its first start.
          FirstLoad: 'false',
          ServerEnabled: String(settings.serverEnabled),
          ServerPort: String(settings.serverPort),
          AuthRequired: String(settings.authRequired),
          ServerPassword: settings.serverPassword,
        },
      },
      { secret: true },
    );
  }

  private readWebsocketJsonObject(): Record<string, unknown> | undefined {
    const path = join(this.dir, WEBSOCKET_JSON);
    const text = this.readText(path);
    if (text === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch (error) {
      throw badFile(path, describeError(error), error);
    }
    throw badFile(path, 'it does not hold a JSON object');
  }

  private readWebsocketJson(): Partial<WebsocketSettings> | undefined {
    const json = this.readWebsocketJsonObject();
    if (json === undefined) return undefined;
    return definedOnly({
      serverEnabled: typeof json.server_enabled === 'boolean' ? json.server_enabled : undefined,
      serverPort: parsePort(json.server_port),
      authRequired: typeof json.auth_required === 'boolean' ? json.auth_required : undefined,
      serverPassword: typeof json.server_password === 'string' ? json.server_password : undefined,
    });
  }

  private writeWebsocketJson(settings: WebsocketSettings): ConfigChange {
    const path = join(this.dir, WEBSOCKET_JSON);
    const json = this.readWebsocketJsonObject();
    // Compared by value: OBS formats the file its own way, and a file already right is left alone.
    if (json?.first_load === false && sameSettings(this.readWebsocketJson(), settings)) return { changed: [], backups: [] };
    const updated = {
      ...json,
      first_load: false,
      server_enabled: settings.serverEnabled,
      server_port: settings.serverPort,
      auth_required: settings.authRequired,
      server_password: settings.serverPassword,
    };
    return replaceFile(path, this.readText(path), `${JSON.stringify(updated, null, 4)}\n`, { secret: true, now: this.now() });
  }

  private readText(path: string): string | undefined {
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  }
}

function badFile(path: string, reason: string, cause?: unknown): BlurcamError {
  return new BlurcamError(
    'BAD_CONFIG_FILE',
    `OBS's websocket settings file ${path} cannot be read: ${reason}.`,
    'Fix or delete that file (OBS recreates it), then run the command again.',
    { cause },
  );
}

function parseBool(value: string | undefined): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function parsePort(value: unknown): number | undefined {
  const port = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

function definedOnly<T extends object>(value: T): Partial<T> | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as Partial<T>);
}

function sameSettings(current: Partial<WebsocketSettings> | undefined, wanted: WebsocketSettings): boolean {
  return (
    current !== undefined &&
    current.serverEnabled === wanted.serverEnabled &&
    current.serverPort === wanted.serverPort &&
    current.authRequired === wanted.authRequired &&
    current.serverPassword === wanted.serverPassword
  );
}
