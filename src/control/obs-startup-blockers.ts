import { MACOS_PERMISSIONS_DIALOG, ObsConfig, websocketStoresFor } from './obs-config.js';

/**
 * What, judging by OBS's settings, keeps an OBS that was started from answering on its websocket: each entry is
 * one sentence saying what OBS waits for and what to do. Empty when the settings explain nothing.
 */
export function obsStartupBlockers(configDir: string, platform: NodeJS.Platform, obsVersion?: string): string[] {
  const config = new ObsConfig(configDir, websocketStoresFor(obsVersion));
  const blockers: string[] = [];
  if (platform === 'darwin' && config.macosPermissionsDialogShown() < MACOS_PERMISSIONS_DIALOG.version) {
    blockers.push(
      "OBS waits on its macOS permissions dialog (shown at its first start, before the websocket opens): click Continue in it, or quit OBS and run `blurcam configure-obs`.",
    );
  }
  const websocket = config.readWebsocket();
  if (websocket?.serverEnabled !== true) {
    blockers.push("OBS's websocket server is not turned on in its settings: quit OBS and run `blurcam configure-obs`, or turn it on in OBS > Tools > WebSocket Server Settings.");
  }
  return blockers;
}
