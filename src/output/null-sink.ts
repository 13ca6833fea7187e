import type { FrameSink, OutputFrame } from './frame-sink.js';

/** Takes every frame and keeps none: the end of the pipeline when only its speed matters (`--output null`). */
export class NullSink implements FrameSink {
  readonly description = 'nowhere (null output)';
  framesWritten = 0;

  write(frame: OutputFrame): boolean {
    void frame;
    this.framesWritten++;
    return true;
  }

  async close(): Promise<void> {}
}
