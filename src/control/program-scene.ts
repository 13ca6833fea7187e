import type { ObsConnection } from './obs-connection.js';

/** What OBS shows live (its program output), as a Stream Deck or any other client switched it. */
export interface ProgramScene {
  sceneName: string;
  /** Whether blurcam's source is visible in it (directly, in a group, or in a nested scene). */
  showsBlurcam: boolean;
}

/** Nested scenes can contain each other only indirectly, but a bound keeps a strange collection harmless. */
const MAX_NESTING = 8;

/**
 * Follows OBS's program scene: reads it at start, then on every event that can change what is live
 * (scene switches, items shown/hidden/added/removed, renames) and reports each change once.
 */
export class ProgramSceneWatcher {
  private latest: ProgramScene | undefined;
  private refreshes = 0;
  private readonly unsubscribes: Array<() => void> = [];

  constructor(
    private readonly obs: ObsConnection,
    private readonly inputName: string,
    private readonly onChange: (scene: ProgramScene) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  get current(): ProgramScene | undefined {
    return this.latest;
  }

  async start(): Promise<ProgramScene> {
    const refresh = () => void this.refresh().catch(this.onError);
    this.unsubscribes.push(
      this.obs.on('CurrentProgramSceneChanged', ({ sceneName }) => void this.refresh(sceneName).catch(this.onError)),
      this.obs.on('SceneItemEnableStateChanged', refresh),
      this.obs.on('SceneItemCreated', refresh),
      this.obs.on('SceneItemRemoved', refresh),
      this.obs.on('SceneNameChanged', refresh),
      this.obs.on('InputNameChanged', refresh),
    );
    return this.refresh();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  private async refresh(knownSceneName?: string): Promise<ProgramScene> {
    const refresh = ++this.refreshes;
    const sceneName = knownSceneName ?? (await this.obs.call('GetCurrentProgramScene')).currentProgramSceneName;
    const scene = { sceneName, showsBlurcam: await sceneShowsSource(this.obs, sceneName, this.inputName) };
    // Answers can overtake each other; only the newest refresh may report.
    if (refresh !== this.refreshes) return this.latest ?? scene;
    const changed = scene.sceneName !== this.latest?.sceneName || scene.showsBlurcam !== this.latest.showsBlurcam;
    this.latest = scene;
    if (changed) this.onChange(scene);
    return scene;
  }
}

/** Whether an enabled item of the scene, of an enabled group in it, or of an enabled nested scene shows the source. */
export async function sceneShowsSource(obs: ObsConnection, sceneName: string, sourceName: string, depth = 0, isGroup = false): Promise<boolean> {
  if (depth > MAX_NESTING) return false;
  const { sceneItems } = isGroup
    ? await obs.call('GetGroupSceneItemList', { sceneName })
    : await obs.call('GetSceneItemList', { sceneName });
  for (const item of sceneItems) {
    if (item.sceneItemEnabled !== true) continue;
    if (item.sourceName === sourceName) return true;
    if (item.sourceType === 'OBS_SOURCE_TYPE_SCENE') {
      const nested = String(item.sourceName);
      if (await sceneShowsSource(obs, nested, sourceName, depth + 1, item.isGroup === true)) return true;
    }
  }
  return false;
}
