import type { ObsConnection } from './obs-connection.js';

/** What OBS shows live (its program output), as a Stream Deck or any other client switched it. */
export interface ProgramScene {
  sceneName: string;
  /** Whether blurcam's source is visible in it (directly, in a group, or in a nested scene). */
  showsBlurcam: boolean;
  /**
   * The scenes the source is shown through, from the live scene inward to the one that holds it (groups left out);
   * empty when it is not shown. A scene of the user's that nests one of blurcam's takes that scene's effect.
   */
  shownThrough: string[];
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
    const shownThrough = (await scenesShowingSource(this.obs, sceneName, this.inputName)) ?? [];
    const scene = { sceneName, showsBlurcam: shownThrough.length > 0, shownThrough };
    // Answers can overtake each other; only the newest refresh may report.
    if (refresh !== this.refreshes) return this.latest ?? scene;
    const changed = !this.latest || !sameProgramScene(scene, this.latest);
    this.latest = scene;
    if (changed) this.onChange(scene);
    return scene;
  }
}

export function sameProgramScene(a: ProgramScene, b: ProgramScene): boolean {
  return a.sceneName === b.sceneName && a.showsBlurcam === b.showsBlurcam && a.shownThrough.join('\n') === b.shownThrough.join('\n');
}

/** Whether an enabled item of the scene, of an enabled group in it, or of an enabled nested scene shows the source. */
export async function sceneShowsSource(obs: ObsConnection, sceneName: string, sourceName: string): Promise<boolean> {
  return (await scenesShowingSource(obs, sceneName, sourceName)) !== undefined;
}

/**
 * The first way (in the scene's item order) the scene shows the source: the scenes from this one inward to the one
 * holding it, groups left out; undefined when it does not show it.
 */
async function scenesShowingSource(obs: ObsConnection, sceneName: string, sourceName: string, depth = 0, isGroup = false): Promise<string[] | undefined> {
  if (depth > MAX_NESTING) return undefined;
  const { sceneItems } = isGroup
    ? await obs.call('GetGroupSceneItemList', { sceneName })
    : await obs.call('GetSceneItemList', { sceneName });
  const here = isGroup ? [] : [sceneName];
  for (const item of sceneItems) {
    if (item.sceneItemEnabled !== true) continue;
    if (item.sourceName === sourceName) return here;
    if (item.sourceType === 'OBS_SOURCE_TYPE_SCENE') {
      const inner = await scenesShowingSource(obs, String(item.sourceName), sourceName, depth + 1, item.isGroup === true);
      if (inner) return [...here, ...inner];
    }
  }
  return undefined;
}
