import { EventEmitter } from 'node:events';
import { BlurcamError, describeError, isBlurcamError } from '../errors.js';
import { type ObsConnection, type ObsConnectionOptions, connectObs } from './obs-connection.js';
import type { MatchCanvasOptions } from './obs-canvas.js';
import { type LaunchObsOptions, type RunningObs, launchObs } from './obs-launcher.js';
import { setupSceneSet } from './obs-scenes.js';
import { type BlurcamSceneOptions, type BlurcamSceneSetup, BLURCAM_INPUT_NAME } from './obs-setup.js';
import { type ProgramScene, ProgramSceneWatcher, sameProgramScene } from './program-scene.js';
import { startVirtualCamera } from './virtual-camera.js';

export interface ObsSessionOptions extends ObsConnectionOptions {
  /** The scene that holds blurcam's source (--scene). */
  sceneName: string;
  /** blurcam's other scenes (effect per scene), made with the main one and never made live by blurcam. */
  otherScenes?: readonly string[];
  /** ZeroMQ endpoint the plugin's source binds. */
  endpoint: string;
  inputName?: string;
  /** Start OBS when it does not answer at start() (--launch-obs); an object tunes the launch. */
  launch?: boolean | Omit<LaunchObsOptions, 'url' | 'password'>;
  /** Make OBS's canvas the camera's size and rate at each connection (when no output runs). */
  canvas?: MatchCanvasOptions;
  /** Start OBS's Virtual Camera after each connection. Default true. */
  virtualCamera?: boolean;
  /** Waits between reconnection attempts: doubles from the first to the last. */
  reconnectDelayMs?: { first: number; max: number };
  platform?: NodeJS.Platform;
}

export type ObsSessionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'stopped';

export interface ObsSessionEvents {
  /** The session's state changed; `reason` says why it left 'ready'. */
  state: [state: ObsSessionState, reason?: BlurcamError];
  /** Connected and set up (at start and after every reconnection). */
  ready: [setup: BlurcamSceneSetup];
  /** Something the user should know that does not stop blurcam: Virtual Camera missing, a failed reconnection. */
  warning: [warning: BlurcamError];
  /** The live scene changed, or whether it shows blurcam's source did. */
  programScene: [scene: ProgramScene];
  /**
   * OBS announced a new live scene, before blurcam has asked what it shows (`programScene` follows): for what must
   * not wait for that round trip, such as the "be right back" slate.
   */
  programSceneAnnounced: [sceneName: string];
  /** A client sent obs-websocket's BroadcastCustomEvent: its `eventData`, unchecked (src/live/control-event.ts reads it). */
  customEvent: [eventData: unknown];
}

const DEFAULT_RECONNECT_DELAY_MS = { first: 250, max: 5_000 };

/**
 * blurcam's link to OBS for as long as blurcam runs. start() connects (launching OBS if asked), sets the
 * scene up and starts the Virtual Camera, and throws if that first attempt fails: the pipeline should not
 * start without OBS. From then on the session never throws: when OBS quits or restarts it reconnects with
 * backoff, applies the setup again, and reports everything as events.
 *
 *   const session = new ObsSession({ url, password, sceneName: 'blurcam', endpoint });
 *   session.on('warning', (warning) => log(warning.message, warning.hint));
 *   session.onProgramSceneChanged(({ sceneName, showsBlurcam }) => ...);
 *   await session.start();
 *   ...
 *   await session.stop();
 */
export class ObsSession extends EventEmitter<ObsSessionEvents> {
  private currentState: ObsSessionState = 'idle';
  private obs: ObsConnection | undefined;
  private watcher: ProgramSceneWatcher | undefined;
  private launched: RunningObs | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private lastWarning = '';
  private lastScene: ProgramScene | undefined;

  constructor(private readonly options: ObsSessionOptions) {
    super();
  }

  get state(): ObsSessionState {
    return this.currentState;
  }

  /** The live scene, once known (the last one seen while OBS is unreachable). */
  get programScene(): ProgramScene | undefined {
    return this.lastScene;
  }

  /** Whether OBS is live on a scene that shows blurcam's source (false while OBS is unreachable). */
  get showsBlurcam(): boolean {
    return this.currentState === 'ready' && this.lastScene?.showsBlurcam === true;
  }

  /** The OBS this session started (with `launch`), if any; it keeps running after stop(). */
  get launchedObs(): RunningObs | undefined {
    return this.launched;
  }

  /** Calls the listener at each change of the live scene; returns the function that stops it. */
  onProgramSceneChanged(listener: (scene: ProgramScene) => void): () => void {
    this.on('programScene', listener);
    return () => this.off('programScene', listener);
  }

  async start(): Promise<BlurcamSceneSetup> {
    if (this.currentState !== 'idle') throw new Error(`ObsSession.start() called in state ${this.currentState}`);
    this.setState('connecting');
    try {
      return await this.establish(await this.firstConnection(), 'switch');
    } catch (error) {
      this.setState('stopped');
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.setState('stopped');
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    await this.dropConnection();
  }

  private async firstConnection(): Promise<ObsConnection> {
    try {
      return await connectObs(this.options);
    } catch (error) {
      if (!this.options.launch || !isBlurcamError(error, 'OBS_UNREACHABLE')) throw error;
    }
    const launchOptions = typeof this.options.launch === 'object' ? this.options.launch : {};
    this.launched = await launchObs({ platform: this.options.platform, ...launchOptions, url: this.options.url, password: this.options.password });
    return connectObs(this.options);
  }

  /** Setup, Virtual Camera and scene watching on a fresh connection; then watches for its end. */
  private async establish(obs: ObsConnection, program: BlurcamSceneOptions['program']): Promise<BlurcamSceneSetup> {
    this.obs = obs;
    try {
      const { sceneName, endpoint, canvas } = this.options;
      const inputName = this.options.inputName ?? BLURCAM_INPUT_NAME;
      const otherScenes = this.options.otherScenes ?? [];
      const setup = await setupSceneSet(obs, { sceneName, endpoint, inputName, program, canvas, otherScenes });
      // obs-websocket-js types the event as { eventData }, but hands over the broadcast data itself (seen on OBS 29).
      obs.on('CustomEvent', (eventData: unknown) => this.emit('customEvent', eventData));
      obs.on('CurrentProgramSceneChanged', ({ sceneName }) => this.emit('programSceneAnnounced', sceneName));
      if (this.options.virtualCamera ?? true) {
        await startVirtualCamera(obs, { platform: this.options.platform }).catch((error: unknown) => {
          if (!isBlurcamError(error, 'VIRTUALCAM_UNAVAILABLE')) throw error;
          this.warn(error);
        });
      }
      this.watcher = new ProgramSceneWatcher(
        obs,
        inputName,
        (scene) => this.sceneSeen(scene),
        (error) => {
          if (obs.connected) this.warn(asBlurcamError(error));
        },
      );
      await this.watcher.start();
      if (this.currentState === 'stopped') throw new BlurcamError('OBS_UNREACHABLE', 'The OBS session was stopped.', 'Start it again.');
      this.lastWarning = '';
      this.setState('ready');
      this.emit('ready', setup);
      obs.onClose((code, reason) => this.connectionClosed(obs, code, reason));
      return setup;
    } catch (error) {
      await this.dropConnection();
      throw error;
    }
  }

  private connectionClosed(obs: ObsConnection, code: number, reason: string): void {
    if (obs !== this.obs || this.currentState === 'stopped') return;
    this.watcher?.stop();
    this.obs = undefined;
    this.setState(
      'reconnecting',
      new BlurcamError('OBS_UNREACHABLE', `The connection to OBS closed (${reason || `code ${code}`}).`, 'blurcam reconnects by itself when OBS is back.'),
    );
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    const { first, max } = this.options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS;
    const wasLive = this.lastScene?.sceneName === this.options.sceneName;
    for (let delayMs = first; this.currentState === 'reconnecting'; delayMs = Math.min(delayMs * 2, max)) {
      await new Promise<void>((resolve) => {
        this.wakeRetry = resolve;
        this.retryTimer = setTimeout(resolve, delayMs);
      });
      if (this.currentState !== 'reconnecting') return;
      try {
        // blurcam's scene goes live again if it was live before (OBS may come back on the scene it saved
        // last) or if OBS lost it in a crash; a scene the user switched to stays.
        await this.establish(await connectObs(this.options), wasLive ? 'switch' : 'if-created');
        return;
      } catch (error) {
        // OBS still starting up is expected; only other failures (password changed, plugin gone) are news.
        if (!isBlurcamError(error, 'OBS_UNREACHABLE')) this.warn(asBlurcamError(error));
      }
    }
  }

  /** Each watcher (one per connection) reports its first scene; listeners hear only real changes. */
  private sceneSeen(scene: ProgramScene): void {
    if (this.lastScene && sameProgramScene(scene, this.lastScene)) return;
    this.lastScene = scene;
    this.emit('programScene', scene);
  }

  private async dropConnection(): Promise<void> {
    this.watcher?.stop();
    const obs = this.obs;
    this.obs = undefined;
    await obs?.close();
  }

  private setState(state: ObsSessionState, reason?: BlurcamError): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state, reason);
  }

  /** The same warning again and again (each failed reconnection) is reported once. */
  private warn(warning: BlurcamError): void {
    const key = `${warning.code}: ${warning.message}`;
    if (key === this.lastWarning) return;
    this.lastWarning = key;
    this.emit('warning', warning);
  }
}

function asBlurcamError(error: unknown): BlurcamError {
  if (error instanceof BlurcamError) return error;
  return new BlurcamError('OBS_REQUEST_FAILED', `Talking to OBS failed: ${describeError(error)}`, "Check OBS's log (Help > Log Files).", {
    cause: error,
  });
}
