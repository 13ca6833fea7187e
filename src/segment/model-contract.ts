/**
 * The contract a person-segmentation ONNX model must follow to run in blurcam (docs/model-contract.md):
 * one float32 input [1,3,H,W] RGB, one output [1,1,h,w] or [1,2,h,w] with the same aspect ratio, and
 * `blurcam.*` metadata saying how pixels are encoded. Pure functions: the session module feeds them what
 * onnxruntime and the file report.
 */
import { BlurcamError } from '../errors.js';

/** How the model wants its RGB input: 0..1, or ImageNet mean/std normalised. */
export type InputEncoding = 'rgb-unit' | 'rgb-imagenet';
/** What the model outputs per pixel: a probability, a logit, or two class logits (channel 1 = person). */
export type OutputEncoding = 'probability' | 'logit' | 'two-class-logits';

export interface ModelContract {
  inputName: string;
  outputName: string;
  inputWidth: number;
  inputHeight: number;
  outputWidth: number;
  outputHeight: number;
  input: InputEncoding;
  output: OutputEncoding;
}

/** What onnxruntime reports about one input or output. */
export interface TensorInfo {
  name: string;
  type: string;
  /** Symbolic dimensions come as strings. */
  shape: readonly (number | string)[];
}

const CONTRACT_VERSION = '1';
/**
 * The largest input side blurcam accepts. Real-time person models take 144 to 512 pixels, high-quality photo
 * models 1024; a larger one could not keep up with a camera, and an input tensor (and the buffers derived from it)
 * of a crafted model must not be allowed to take all memory: 2048x2048 is 48 MB of float32 RGB.
 */
export const MAX_MODEL_INPUT_SIDE = 2048;
const INPUT_ENCODINGS: readonly InputEncoding[] = ['rgb-unit', 'rgb-imagenet'];
const OUTPUT_ENCODINGS: readonly OutputEncoding[] = ['probability', 'logit', 'two-class-logits'];

/** Checks a model's tensors and metadata against the contract; the error names the file and what is wrong. */
export function readModelContract(
  file: string,
  metadata: ReadonlyMap<string, string>,
  inputs: readonly TensorInfo[],
  outputs: readonly TensorInfo[],
): ModelContract {
  const fail = (what: string): never => {
    throw new BlurcamError(
      'MODEL_CONTRACT',
      `${file} does not follow the blurcam model contract: ${what}.`,
      'Export the model as docs/model-contract.md describes, or pick another --model.',
    );
  };

  const version = metadata.get('blurcam.contract');
  if (version !== undefined && version !== CONTRACT_VERSION) fail(`blurcam.contract is "${version}", expected "${CONTRACT_VERSION}"`);
  const input = metadata.get('blurcam.input') ?? 'rgb-unit';
  if (!INPUT_ENCODINGS.includes(input as InputEncoding)) fail(`blurcam.input is "${input}", expected one of ${INPUT_ENCODINGS.join(', ')}`);
  const output = metadata.get('blurcam.output') ?? 'probability';
  if (!OUTPUT_ENCODINGS.includes(output as OutputEncoding)) fail(`blurcam.output is "${output}", expected one of ${OUTPUT_ENCODINGS.join(', ')}`);

  if (inputs.length !== 1) fail(`it has ${inputs.length} inputs, expected 1`);
  if (outputs.length < 1) fail('it has no output');
  const [image] = inputs;
  const [mask] = outputs;
  const [inputHeight, inputWidth] = checkShape(image, 3, fail);
  if (inputHeight > MAX_MODEL_INPUT_SIDE || inputWidth > MAX_MODEL_INPUT_SIDE) {
    fail(`input ${inputHeight}x${inputWidth} is larger than blurcam's limit of ${MAX_MODEL_INPUT_SIDE}x${MAX_MODEL_INPUT_SIDE}`);
  }
  const channels = output === 'two-class-logits' ? 2 : 1;
  const [outputHeight, outputWidth] = checkShape(mask, channels, fail);

  if (outputWidth > inputWidth || outputHeight > inputHeight) {
    fail(`output ${outputHeight}x${outputWidth} is larger than input ${inputHeight}x${inputWidth}`);
  }
  // The output is mapped back onto the input's area, so both must frame the same picture.
  const aspectError = Math.abs(outputWidth * inputHeight - outputHeight * inputWidth) / (inputWidth * inputHeight);
  if (aspectError > 1 / Math.min(outputWidth, outputHeight)) {
    fail(`output ${outputHeight}x${outputWidth} does not have the aspect ratio of input ${inputHeight}x${inputWidth}`);
  }
  return {
    inputName: image.name,
    outputName: mask.name,
    inputWidth,
    inputHeight,
    outputWidth,
    outputHeight,
    input: input as InputEncoding,
    output: output as OutputEncoding,
  };
}

/** Checks [1, channels, H, W] float32 with fixed H and W (a symbolic batch is fine); returns [H, W]. */
function checkShape(tensor: TensorInfo, channels: number, fail: (what: string) => never): [number, number] {
  const where = `"${tensor.name}"`;
  if (tensor.type !== 'float32') fail(`${where} is ${tensor.type}, expected float32`);
  const shape = tensor.shape;
  const text = `[${shape.join(',')}]`;
  if (shape.length !== 4) fail(`${where} has shape ${text}, expected [1,${channels},H,W]`);
  const [batch, depth, height, width] = shape;
  if (typeof batch === 'number' && batch !== 1) fail(`${where} has batch ${batch} in ${text}, expected 1`);
  if (depth !== channels) fail(`${where} has shape ${text}, expected ${channels} channel${channels > 1 ? 's' : ''} (NCHW)`);
  if (typeof height !== 'number' || typeof width !== 'number' || height < 8 || width < 8) {
    fail(`${where} has shape ${text}, expected a fixed height and width of at least 8`);
  }
  return [height as number, width as number];
}

/**
 * The metadata_props of an ONNX file (ModelProto field 14), read straight from the protobuf bytes:
 * onnxruntime's JavaScript API does not expose them. Returns null when the bytes are not a protobuf message.
 */
export function readOnnxMetadata(bytes: Uint8Array): Map<string, string> | null {
  const METADATA_PROPS = 14;
  const metadata = new Map<string, string>();
  const reader = new ProtobufReader(bytes);
  while (!reader.done()) {
    const field = reader.field();
    if (field === null) return null;
    if (field.number !== METADATA_PROPS || field.wireType !== WIRE_LENGTH_DELIMITED) {
      if (!reader.skip(field.wireType)) return null;
      continue;
    }
    const entry = reader.bytes();
    if (entry === null) return null;
    const pair = readKeyValue(entry);
    if (pair === null) return null;
    metadata.set(pair[0], pair[1]);
  }
  return metadata;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

function readKeyValue(bytes: Uint8Array): [string, string] | null {
  const KEY = 1;
  const VALUE = 2;
  const text = new TextDecoder();
  const reader = new ProtobufReader(bytes);
  let key = '';
  let value = '';
  while (!reader.done()) {
    const field = reader.field();
    if (field === null) return null;
    if (field.wireType === WIRE_LENGTH_DELIMITED && (field.number === KEY || field.number === VALUE)) {
      const data = reader.bytes();
      if (data === null) return null;
      if (field.number === KEY) key = text.decode(data);
      else value = text.decode(data);
    } else if (!reader.skip(field.wireType)) {
      return null;
    }
  }
  return [key, value];
}

/** Just enough of the protobuf wire format to walk a message and skip what we do not read. */
class ProtobufReader {
  private offset = 0;

  constructor(private readonly data: Uint8Array) {}

  done(): boolean {
    return this.offset >= this.data.length;
  }

  field(): { number: number; wireType: number } | null {
    const key = this.varint();
    if (key === null || key === 0) return null;
    return { number: Math.floor(key / 8), wireType: key % 8 };
  }

  bytes(): Uint8Array | null {
    const length = this.varint();
    if (length === null || this.offset + length > this.data.length) return null;
    const bytes = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }

  skip(wireType: number): boolean {
    switch (wireType) {
      case WIRE_VARINT:
        return this.varint() !== null;
      case WIRE_FIXED64:
        return this.advance(8);
      case WIRE_LENGTH_DELIMITED:
        return this.bytes() !== null;
      case WIRE_FIXED32:
        return this.advance(4);
      default:
        return false;
    }
  }

  private advance(count: number): boolean {
    this.offset += count;
    return this.offset <= this.data.length;
  }

  /** Up to 2^53: enough for keys and lengths (larger values only occur in fields we skip as varints). */
  private varint(): number | null {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.data.length) return null;
      const byte = this.data[this.offset++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    return null;
  }
}
