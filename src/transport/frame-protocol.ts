/**
 * blurcam frame protocol, version 1 (docs/frame-protocol.md): one ZeroMQ message = a 48-byte little-endian
 * header followed by the pixels. Mirrors obs/src/blurcam-frame-protocol.h, the parser OBS runs;
 * test/integration/plugin-protocol.test.ts checks that the constants agree.
 */
export const FRAME_PROTOCOL = {
  magic: 'BLCM',
  version: 1,
  headerSize: 48,
  maxHeaderSize: 256,
  maxDimension: 8192,
  maxRowPadding: 256,
  offsets: {
    magic: 0,
    version: 4,
    headerSize: 6,
    width: 8,
    height: 12,
    format: 16,
    stride: 20,
    payloadSize: 24,
    flags: 28,
    seq: 32,
    captureTimeNs: 40,
  },
  formats: { bgra: 1, i420: 2 },
} as const;

export type FramePixelFormat = keyof typeof FRAME_PROTOCOL.formats;

/** The header fields of one frame message. */
export interface FrameHeader {
  width: number;
  height: number;
  format: FramePixelFormat;
  /** Bytes per row of the first plane (I420: the Y plane; chroma rows are stride / 2). */
  stride: number;
  seq: number;
  captureTimeNs: bigint;
}

/** Pixel bytes a frame carries: BGRA is stride * height; I420 adds two quarter-size chroma planes. */
export function framePayloadSize(format: FramePixelFormat, height: number, stride: number): number {
  if (format === 'bgra') return stride * height;
  return stride * height + 2 * Math.floor(stride / 2) * Math.floor(height / 2);
}

/** Writes the header into the first FRAME_PROTOCOL.headerSize bytes of `target`. */
export function writeFrameHeader(target: Buffer, header: FrameHeader): void {
  const { offsets } = FRAME_PROTOCOL;
  target.fill(0, 0, FRAME_PROTOCOL.headerSize);
  target.write(FRAME_PROTOCOL.magic, offsets.magic, 'latin1');
  target.writeUInt16LE(FRAME_PROTOCOL.version, offsets.version);
  target.writeUInt16LE(FRAME_PROTOCOL.headerSize, offsets.headerSize);
  target.writeUInt32LE(header.width, offsets.width);
  target.writeUInt32LE(header.height, offsets.height);
  target.writeUInt32LE(FRAME_PROTOCOL.formats[header.format], offsets.format);
  target.writeUInt32LE(header.stride, offsets.stride);
  target.writeUInt32LE(framePayloadSize(header.format, header.height, header.stride), offsets.payloadSize);
  target.writeBigUInt64LE(BigInt(header.seq), offsets.seq);
  target.writeBigUInt64LE(header.captureTimeNs, offsets.captureTimeNs);
}

/** A BGRA frame as the sender takes it: the pixels and what the header says of them. */
export interface BgraFrame {
  readonly seq: number;
  /** process.hrtime.bigint() at capture: the plugin measures glass-to-OBS latency from it. */
  readonly captureTimeNs: bigint;
  readonly width: number;
  readonly height: number;
  /** Bytes per row (>= width * 4). */
  readonly stride: number;
  readonly data: Buffer;
}

/** One message for a frame: header and pixels in a single buffer (one part; see docs/bridge.md). */
export function encodeFrame(frame: BgraFrame): Buffer {
  const payloadSize = frame.stride * frame.height;
  if (frame.stride < frame.width * 4 || frame.data.length < payloadSize) {
    throw new RangeError(`frame ${frame.seq}: ${frame.data.length} bytes cannot hold ${frame.height} rows of stride ${frame.stride}`);
  }
  const message = Buffer.allocUnsafe(FRAME_PROTOCOL.headerSize + payloadSize);
  writeFrameHeader(message, {
    width: frame.width,
    height: frame.height,
    format: 'bgra',
    stride: frame.stride,
    seq: frame.seq,
    captureTimeNs: frame.captureTimeNs,
  });
  frame.data.copy(message, FRAME_PROTOCOL.headerSize, 0, payloadSize);
  return message;
}

/**
 * Reads the header of a message this module wrote (tests, the latency benchmark). It trusts the message:
 * the validating parser is the plugin's, in C.
 */
export function readFrameHeader(message: Buffer): FrameHeader {
  const { offsets } = FRAME_PROTOCOL;
  const formatCode = message.readUInt32LE(offsets.format);
  const format = (Object.keys(FRAME_PROTOCOL.formats) as FramePixelFormat[]).find((name) => FRAME_PROTOCOL.formats[name] === formatCode);
  if (message.toString('latin1', 0, 4) !== FRAME_PROTOCOL.magic || !format) throw new Error('not a blurcam frame message');
  return {
    width: message.readUInt32LE(offsets.width),
    height: message.readUInt32LE(offsets.height),
    format,
    stride: message.readUInt32LE(offsets.stride),
    seq: Number(message.readBigUInt64LE(offsets.seq)),
    captureTimeNs: message.readBigUInt64LE(offsets.captureTimeNs),
  };
}
