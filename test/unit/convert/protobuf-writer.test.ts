import { describe, expect, it } from 'vitest';
import { ProtobufWriter } from '../../../src/convert/protobuf-writer.js';
import { bytesOf, decodeMessage, float32, int64, text } from './onnx-decoder.js';

describe('ProtobufWriter', () => {
  it('writes the encoding guide examples byte for byte', () => {
    const writer = new ProtobufWriter();
    writer.varintField(1, 150);
    writer.stringField(2, 'testing');
    expect(Array.from(writer.finish())).toEqual([0x08, 0x96, 0x01, 0x12, 0x07, ...new TextEncoder().encode('testing')]);
  });

  it('round-trips varints across the whole safe-integer range, negatives as ten-byte int64', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, -1, -(2 ** 31), Number.MIN_SAFE_INTEGER];
    const writer = new ProtobufWriter();
    values.forEach((value, i) => writer.varintField(i + 1, value));
    const fields = decodeMessage(writer.finish());
    expect(fields.map((f) => f.field)).toEqual(values.map((_, i) => i + 1));
    expect(fields.map(int64)).toEqual(values);

    const minusOne = new ProtobufWriter();
    minusOne.varintField(1, -1);
    expect(Array.from(minusOne.finish())).toEqual([0x08, ...new Array(9).fill(0xff), 0x01]);
  });

  it('refuses values that are not exact integers', () => {
    expect(() => new ProtobufWriter().varintField(1, 1.5)).toThrow(RangeError);
    expect(() => new ProtobufWriter().varintField(1, 2 ** 60)).toThrow(RangeError);
  });

  it('writes floats as little-endian fixed32', () => {
    const writer = new ProtobufWriter();
    writer.floatField(2, 1 / 6);
    writer.floatField(3, -0.5);
    const bytes = writer.finish();
    expect(Array.from(bytes.subarray(0, 5))).toEqual([0x15, 0xab, 0xaa, 0x2a, 0x3e]);
    expect(decodeMessage(bytes).map(float32)).toEqual([Math.fround(1 / 6), -0.5]);
  });

  it('nests messages and keeps large byte fields intact', () => {
    const payload = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    const writer = new ProtobufWriter();
    writer.messageField(7, (inner) => {
      inner.stringField(1, 'ünïcode');
      inner.messageField(2, (deeper) => deeper.varintField(3, 42));
      inner.bytesField(9, payload);
    });
    writer.varintField(8, 14);
    const [outer, after] = decodeMessage(writer.finish());
    expect(outer.field).toBe(7);
    expect(int64(after)).toBe(14);
    const inner = decodeMessage(bytesOf(outer));
    expect(text(inner[0])).toBe('ünïcode');
    expect(int64(decodeMessage(bytesOf(inner[1]))[0])).toBe(42);
    expect(bytesOf(inner[2])).toEqual(payload);
  });
});
