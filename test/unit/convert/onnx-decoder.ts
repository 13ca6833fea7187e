/**
 * A protobuf decoder written independently of src/convert/protobuf-writer.ts, to read back what the
 * converter writes: the generic wire format, then the ONNX messages (field numbers from onnx/onnx.proto).
 */
export type WireValue = { wireType: 0; value: bigint } | { wireType: 2; value: Uint8Array } | { wireType: 5; value: Uint8Array };
export interface WireField {
  field: number;
  wire: WireValue;
}

export function decodeMessage(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let at = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length) throw new Error('varint runs past the end');
      const byte = bytes[at++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (at < bytes.length) {
    const key = readVarint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) fields.push({ field, wire: { wireType, value: readVarint() } });
    else if (wireType === 2) {
      const length = Number(readVarint());
      if (at + length > bytes.length) throw new Error('length-delimited field runs past the end');
      fields.push({ field, wire: { wireType, value: bytes.subarray(at, at + length) } });
      at += length;
    } else if (wireType === 5) {
      fields.push({ field, wire: { wireType, value: bytes.subarray(at, at + 4) } });
      at += 4;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
  return fields;
}

/** A varint as a signed 64-bit value, as protobuf reads int64. */
export function int64(field: WireField): number {
  if (field.wire.wireType !== 0) throw new Error(`field ${field.field} is not a varint`);
  return Number(BigInt.asIntN(64, field.wire.value));
}

export function bytesOf(field: WireField): Uint8Array {
  if (field.wire.wireType !== 2) throw new Error(`field ${field.field} is not length-delimited`);
  return field.wire.value;
}

export function text(field: WireField): string {
  return new TextDecoder().decode(bytesOf(field));
}

export function float32(field: WireField): number {
  if (field.wire.wireType !== 5) throw new Error(`field ${field.field} is not fixed32`);
  return new DataView(field.wire.value.buffer, field.wire.value.byteOffset, 4).getFloat32(0, true);
}

const all = (fields: WireField[], number: number) => fields.filter((f) => f.field === number);
const one = (fields: WireField[], number: number) => {
  const found = all(fields, number);
  if (found.length !== 1) throw new Error(`expected one field ${number}, found ${found.length}`);
  return found[0];
};

export interface DecodedAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  ints: number[];
}

export interface DecodedOnnx {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  metadata: Record<string, string>;
  graph: {
    name: string;
    nodes: { name: string; opType: string; inputs: string[]; outputs: string[]; attributes: DecodedAttribute[] }[];
    initializers: { name: string; dims: number[]; dataType: number; values: Float32Array }[];
    inputs: { name: string; elemType: number; shape: number[] }[];
    outputs: { name: string; elemType: number; shape: number[] }[];
    valueInfo: { name: string; elemType: number; shape: number[] }[];
  };
}

export function decodeOnnx(bytes: Uint8Array): DecodedOnnx {
  const model = decodeMessage(bytes);
  const graph = decodeMessage(bytesOf(one(model, 7)));
  return {
    irVersion: int64(one(model, 1)),
    producerName: text(one(model, 2)),
    opsets: all(model, 8).map((f) => {
      const opset = decodeMessage(bytesOf(f));
      return { domain: all(opset, 1).map(text)[0] ?? '', version: int64(one(opset, 2)) };
    }),
    metadata: Object.fromEntries(
      all(model, 14).map((f) => {
        const entry = decodeMessage(bytesOf(f));
        return [text(one(entry, 1)), text(one(entry, 2))];
      }),
    ),
    graph: {
      name: text(one(graph, 2)),
      nodes: all(graph, 1).map((f) => {
        const node = decodeMessage(bytesOf(f));
        return {
          name: text(one(node, 3)),
          opType: text(one(node, 4)),
          inputs: all(node, 1).map(text),
          outputs: all(node, 2).map(text),
          attributes: all(node, 5).map((a) => decodeAttribute(decodeMessage(bytesOf(a)))),
        };
      }),
      initializers: all(graph, 5).map((f) => {
        const tensor = decodeMessage(bytesOf(f));
        const raw = bytesOf(one(tensor, 9));
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        return {
          name: text(one(tensor, 8)),
          dims: all(tensor, 1).map(int64),
          dataType: int64(one(tensor, 2)),
          values: Float32Array.from({ length: raw.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true)),
        };
      }),
      inputs: all(graph, 11).map((f) => decodeValueInfo(bytesOf(f))),
      outputs: all(graph, 12).map((f) => decodeValueInfo(bytesOf(f))),
      valueInfo: all(graph, 13).map((f) => decodeValueInfo(bytesOf(f))),
    },
  };
}

function decodeAttribute(fields: WireField[]): DecodedAttribute {
  return {
    name: text(one(fields, 1)),
    type: int64(one(fields, 20)),
    f: all(fields, 2).map(float32)[0],
    i: all(fields, 3).map(int64)[0],
    s: all(fields, 4).map(text)[0],
    ints: all(fields, 8).map(int64),
  };
}

function decodeValueInfo(bytes: Uint8Array): { name: string; elemType: number; shape: number[] } {
  const info = decodeMessage(bytes);
  const tensorType = decodeMessage(bytesOf(one(decodeMessage(bytesOf(one(info, 2))), 1)));
  const shape = decodeMessage(bytesOf(one(tensorType, 2)));
  return {
    name: text(one(info, 1)),
    elemType: int64(one(tensorType, 1)),
    shape: all(shape, 1).map((dim) => int64(one(decodeMessage(bytesOf(dim)), 1))),
  };
}
