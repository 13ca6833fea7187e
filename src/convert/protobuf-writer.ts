/**
 * A minimal Protocol Buffers encoder (https://protobuf.dev/programming-guides/encoding/): enough wire types
 * to write ONNX models without pulling in a protobuf runtime and generated code for onnx.proto.
 */
const WireType = { VARINT: 0, LENGTH_DELIMITED: 2, FIXED32: 5 } as const;

export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch: number[] = [];

  /** int32, int64 and enum fields. Negative values take ten bytes, as protobuf encodes them. */
  varintField(field: number, value: number): void {
    this.tag(field, WireType.VARINT);
    this.varint(value);
  }

  floatField(field: number, value: number): void {
    this.tag(field, WireType.FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
  }

  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, WireType.LENGTH_DELIMITED);
    this.varint(bytes.byteLength);
    this.push(bytes);
  }

  stringField(field: number, value: string): void {
    this.bytesField(field, new TextEncoder().encode(value));
  }

  /** An embedded message, written by `write` into a writer of its own. */
  messageField(field: number, write: (message: ProtobufWriter) => void): void {
    const message = new ProtobufWriter();
    write(message);
    this.bytesField(field, message.finish());
  }

  finish(): Uint8Array {
    this.flushScratch();
    const total = this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an integer protobuf can hold exactly`);
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      this.scratch.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.scratch.push(Number(rest));
  }

  /** Small fields collect in `scratch` so that large byte arrays are appended without copying. */
  private push(bytes: Uint8Array): void {
    this.flushScratch();
    this.chunks.push(bytes);
  }

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.scratch = [];
  }
}
