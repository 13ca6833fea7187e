import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { readConfigObject } from '../config-file.js';
import { BlurcamError } from '../errors.js';
import { DEFAULT_OBS_PORT } from './obs-connection.js';
import { MACOS_PERMISSIONS_DIALOG, MACOS_PERMISSIONS_DIALOG_SHOWN, ObsConfig, protectPasswordFiles, websocketStoresFor, type WebsocketStore } from './obs-config.js';
import { type ConfigChange, replaceFile } from './replace-file.js';

export interface ConfigureObsOptions {
  /** OBS's settings folder (obsConfigDir()). */
  obsConfigDir: string;
  /** blurcam's config file (defaultConfigPath() or --config). */
  blurcamConfigPath: string;
  /** The installed OBS's version, to pick where its websocket settings live; undefined writes both places. */
  obsVersion?: string;
  /** Whether OBS runs now: it rewrites its settings when it quits, so nothing may change while it runs. */
  obsRunning?: boolean;
  /** On macOS OBS's first-start permissions dialog is marked as shown. Default: this machine's. */
  platform?: NodeJS.Platform;
  /** The password used when neither OBS nor blurcam has one yet. */
  generatePassword?: () => string;
  now?: Date;
}

export interface ConfigureObsResult {
  port: number;
  /** Where the password came from; the password itself is never part of the result. */
  passwordSource: 'OBS settings' | 'blurcam config' | 'generated';
  stores: WebsocketStore[];
  /** macOS: whether OBS's permissions dialog, which would hold its start-up, was already marked as shown. */
  permissionsDialog: 'marked as shown' | 'already shown' | 'not macOS';
  changed: string[];
  backups: string[];
}

/** The keys blurcam's config file may use for the password (flag spelling or camelCase). */
const PASSWORD_KEYS = ['obs-password', 'obsPassword'];
const URL_KEYS = ['obs-url', 'obsUrl'];

/**
 * Turns OBS's websocket server on with authentication and stores the same password in blurcam's config
 * file (mode 0600). A password the user already set in OBS is kept; otherwise blurcam's stored one, otherwise
 * a new random one. Every file is backed up before its first change, and a second run changes nothing.
 */
export function configureObs(options: ConfigureObsOptions): ConfigureObsResult {
  if (options.obsRunning) {
    throw new BlurcamError(
      'OBS_RUNNING',
      'OBS is running, and it would overwrite its websocket settings when it quits.',
      'Quit OBS (File > Exit), then run this again.',
    );
  }
  const stores = websocketStoresFor(options.obsVersion);
  const obsConfig = new ObsConfig(options.obsConfigDir, stores, () => options.now ?? new Date());
  const current = obsConfig.readWebsocket();
  const blurcamConfig = readConfigObject(options.blurcamConfigPath);
  const storedPassword = firstString(blurcamConfig, PASSWORD_KEYS);

  const [serverPassword, passwordSource]: [string, ConfigureObsResult['passwordSource']] = current?.serverPassword
    ? [current.serverPassword, 'OBS settings']
    : storedPassword
      ? [storedPassword, 'blurcam config']
      : [(options.generatePassword ?? generatePassword)(), 'generated'];
  const port = current?.serverPort ?? DEFAULT_OBS_PORT;

  const permissionsDialog = permissionsDialogState(obsConfig, options.platform ?? process.platform);
  const globalIni = permissionsDialog === 'marked as shown' ? MACOS_PERMISSIONS_DIALOG_SHOWN : {};
  const obsChange = obsConfig.writeWebsocket({ serverEnabled: true, serverPort: port, authRequired: true, serverPassword }, globalIni);
  const blurcamChange = writeBlurcamConfig(options.blurcamConfigPath, blurcamConfig, serverPassword, port, options.now);
  // Files left unchanged may still be as OBS last saved them: readable by everyone.
  const protectedFiles = protectPasswordFiles(options.obsConfigDir).filter((path) => !obsChange.changed.includes(path));
  return {
    port,
    passwordSource,
    stores,
    permissionsDialog,
    changed: [...obsChange.changed, ...protectedFiles, ...blurcamChange.changed],
    backups: [...obsChange.backups, ...blurcamChange.backups],
  };
}

/**
 * OBS's macOS permissions dialog is modal and comes before OBS loads its modules, so an OBS that blurcam starts
 * would wait on it with the websocket closed. OBS asks for a permission again when a source of its own needs
 * it; blurcam's source needs none (blurcam reads the camera).
 */
function permissionsDialogState(obsConfig: ObsConfig, platform: NodeJS.Platform): ConfigureObsResult['permissionsDialog'] {
  if (platform !== 'darwin') return 'not macOS';
  return obsConfig.macosPermissionsDialogShown() >= MACOS_PERMISSIONS_DIALOG.version ? 'already shown' : 'marked as shown';
}

/** 24 random characters from [A-Za-z0-9_-]: typeable, and safe in an .ini line and JSON. */
function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

function firstString(config: Record<string, unknown> | undefined, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = config?.[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** Sets the password (and the address, when OBS listens on another port) under the key spelling already in use. */
function writeBlurcamConfig(path: string, config: Record<string, unknown> | undefined, password: string, port: number, now?: Date): ConfigChange {
  const updated: Record<string, unknown> = { ...config };
  updated[PASSWORD_KEYS.find((key) => key in updated) ?? PASSWORD_KEYS[0]] = password;
  const urlKey = URL_KEYS.find((key) => key in updated);
  if (port !== DEFAULT_OBS_PORT) updated[urlKey ?? URL_KEYS[0]] = `ws://127.0.0.1:${port}`;
  const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const unchanged = config !== undefined && JSON.stringify(updated) === JSON.stringify(config);
  const change = replaceFile(path, before, unchanged && before !== undefined ? before : `${JSON.stringify(updated, null, 2)}\n`, { secret: true, now });
  // An unchanged file may still be readable by others, which blurcam refuses once it holds the password.
  if (change.changed.length === 0 && (statSync(path).mode & 0o077) !== 0) {
    chmodSync(path, 0o600);
    change.changed.push(path);
  }
  return change;
}
