/**
 * Real OBS for tests: each call to startObs() runs its own Xvfb display and its own OBS in a throwaway HOME,
 * with the websocket on a free port behind a random password, optionally with blurcam's plugin loaded.
 * src/control/headless-obs.ts does the work, through ObsConfig and launchObs, so the tests exercise the code
 * users run.
 *
 *   const obs = await startObs({ plugin: true });
 *   const connection = await obs.connect();
 *   ...
 *   await obs.dispose();   // in afterAll: OBS, Xvfb and the HOME folder go away
 */
import {
  type HeadlessObs,
  type HeadlessObsOptions,
  type ObsPluginBuild,
  type ObsPluginPaths,
  findObsPluginBuild,
  startHeadlessObs,
} from '../../src/control/headless-obs.js';

export type PluginPaths = ObsPluginPaths;

export interface StartObsOptions extends Pick<HeadlessObsOptions, 'width' | 'height' | 'fps' | 'env' | 'timeoutMs'> {
  /** Load blurcam's plugin: true = the build in obs/build (see pluginBuild()), or explicit folders. */
  plugin?: boolean | PluginPaths;
}

export type ObsInstance = HeadlessObs;

/** The plugin as built by scripts/build-plugin.sh: blurcam-obs.so somewhere under obs/build, data in obs/data. */
export function pluginBuild(root?: string): ObsPluginBuild | undefined {
  return findObsPluginBuild(root);
}

export async function startObs(options: StartObsOptions = {}): Promise<ObsInstance> {
  const { plugin, ...rest } = options;
  return startHeadlessObs({ ...rest, plugin: plugin === true ? builtPlugin() : plugin || undefined, name: 'blurcam-test', detached: true });
}

function builtPlugin(): ObsPluginBuild {
  const build = pluginBuild();
  if (!build) throw new Error('the OBS plugin is not built (no blurcam-obs.so under obs/build): run scripts/build-plugin.sh');
  return build;
}
