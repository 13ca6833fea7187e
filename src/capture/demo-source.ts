import { DemoScene } from './demo-scene.js';
import { FramePacer } from './frame-pacer.js';
import type { FrameSource, VideoFrame } from './frame-source.js';
import { FrameImage } from '../frame-image.js';

export interface DemoSourceOptions {
  width: number;
  height: number;
  fps: number;
  /** Release frames at `fps` like a camera (`start`), or as fast as they are read (`bench`). */
  paced: boolean;
}

/** `--input demo`: the built-in scene (src/capture/demo-scene.ts) as a camera, no camera needed. */
export class DemoSource implements FrameSource {
  readonly description: string;
  private readonly pacer: FramePacer | undefined;
  private seq = 0;

  private constructor(
    private readonly scene: DemoScene,
    readonly fps: number,
    paced: boolean,
  ) {
    this.pacer = paced ? new FramePacer(fps) : undefined;
    this.description = `demo scene (${scene.width}x${scene.height} @ ${fps} fps${paced ? '' : ', unpaced'})`;
  }

  static create(options: DemoSourceOptions): DemoSource {
    return new DemoSource(DemoScene.create(options.width, options.height), options.fps, options.paced);
  }

  get width(): number {
    return this.scene.width;
  }

  get height(): number {
    return this.scene.height;
  }

  async read(): Promise<VideoFrame> {
    const seq = this.seq++;
    const paced = await this.pacer?.next();
    const captureTimeNs = paced?.dueNs ?? process.hrtime.bigint();
    const { image } = this.scene.render((paced?.index ?? seq) / this.fps);
    return { seq, captureTimeNs, image: new FrameImage(image) };
  }

  async close(): Promise<void> {}
}
