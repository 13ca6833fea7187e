/**
 * A reader for the TFLite model format: a FlatBuffer following tensorflow/lite/schema/schema.fbs. Only the
 * tables a float CNN needs are read (Model, SubGraph, Tensor, Buffer, Operator, OperatorCode and the options
 * of the ops we convert); field numbers below are the schema's field order.
 */
import { BlurcamError, describeError } from '../errors.js';
import { FlatbufferView } from './flatbuffer-view.js';

/** BuiltinOperator codes of the schema that the converter handles or names. */
export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  LOGISTIC: 14,
  MUL: 18,
  RELU: 19,
  RESIZE_BILINEAR: 23,
  CUSTOM: 32,
  MEAN: 40,
  HARD_SWISH: 117,
} as const;

/** TensorType codes of the schema (the ones a float model holds). */
export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2 } as const;

export type Padding = 'SAME' | 'VALID';
const PADDINGS: readonly Padding[] = ['SAME', 'VALID'];

export type ActivationFunction = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT';
const ACTIVATIONS: readonly ActivationFunction[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** The builtin options tables we read, tagged by kind (BuiltinOptions union member). */
export type TfliteOptions =
  | {
      kind: 'conv2d';
      padding: Padding;
      strideW: number;
      strideH: number;
      activation: ActivationFunction;
      dilationW: number;
      dilationH: number;
    }
  | {
      kind: 'depthwiseConv2d';
      padding: Padding;
      strideW: number;
      strideH: number;
      depthMultiplier: number;
      activation: ActivationFunction;
      dilationW: number;
      dilationH: number;
    }
  | {
      kind: 'pool2d';
      padding: Padding;
      strideW: number;
      strideH: number;
      filterW: number;
      filterH: number;
      activation: ActivationFunction;
    }
  | { kind: 'add'; activation: ActivationFunction }
  | { kind: 'mul'; activation: ActivationFunction }
  | { kind: 'resizeBilinear'; alignCorners: boolean; halfPixelCenters: boolean }
  | { kind: 'reducer'; keepDims: boolean };

export interface TfliteTensor {
  name: string;
  /** TensorType code. */
  type: number;
  shape: number[];
  /** Index into TfliteModel.buffers; buffer 0 is the schema's empty sentinel. */
  buffer: number;
}

export interface TfliteOperator {
  /** Index into TfliteModel.operatorCodes. */
  opcodeIndex: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** The parsed builtin options, or undefined when the op has none or of a kind we do not read. */
  options: TfliteOptions | undefined;
  /** Raw options of a custom op (their format is the op's own). */
  customOptions: Uint8Array | undefined;
}

export interface TfliteOperatorCode {
  builtinCode: number;
  /** Set for BuiltinOperator.CUSTOM. */
  customCode: string | undefined;
}

export interface TfliteSubgraph {
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

export interface TfliteModel {
  version: number;
  operatorCodes: TfliteOperatorCode[];
  subgraphs: TfliteSubgraph[];
  /** Constant data, viewed inside the file's bytes (no copy); empty for activations. */
  buffers: Uint8Array[];
}

const FILE_IDENTIFIER = 'TFL3';

/**
 * Reads a .tflite file. Throws BlurcamError MODEL_INVALID when the bytes are not a TFLite FlatBuffer
 * (wrong identifier, truncated, offsets or indices out of range). `fileName` only names the file in errors.
 */
export function readTflite(bytes: Uint8Array, fileName: string): TfliteModel {
  const invalid = (reason: string, cause?: unknown) => invalidTfliteError(fileName, reason, cause);

  if (bytes.byteLength < 8) throw invalid(`the file is only ${bytes.byteLength} bytes long`);
  const fb = new FlatbufferView(bytes);
  const identifier = fb.fileIdentifier();
  if (identifier !== FILE_IDENTIFIER) {
    throw invalid(`its identifier is ${JSON.stringify(identifier)} instead of "${FILE_IDENTIFIER}"`);
  }

  let model: TfliteModel;
  try {
    model = readModel(fb);
  } catch (error) {
    if (error instanceof RangeError) throw invalid(describeError(error), error);
    throw error;
  }
  const problem = findIndexProblem(model);
  if (problem) throw invalid(problem);
  return model;
}

/** The error for a file that is not a usable TFLite model, shared with the converter's own checks. */
export function invalidTfliteError(fileName: string, reason: string, cause?: unknown): BlurcamError {
  return new BlurcamError(
    'MODEL_INVALID',
    `${fileName} is not a valid TFLite model: ${reason}`,
    'Use an unmodified .tflite file (for the bundled models: npm install, then npm run models).',
    { cause },
  );
}

function readModel(fb: FlatbufferView): TfliteModel {
  const root = fb.rootTable();
  return {
    version: fb.uint32Field(root, 0, 0),
    operatorCodes: fb.tableVectorField(root, 1).map((table) => readOperatorCode(fb, table)),
    subgraphs: fb.tableVectorField(root, 2).map((table) => readSubgraph(fb, table)),
    buffers: fb.tableVectorField(root, 4).map((table) => readBuffer(fb, table)),
  };
}

function readOperatorCode(fb: FlatbufferView, table: number): TfliteOperatorCode {
  // Codes above 127 only fit the newer int32 field; older files only fill the int8 one.
  const deprecatedBuiltinCode = fb.int8Field(table, 0, 0);
  const builtinCode = fb.int32Field(table, 3, 0);
  return { builtinCode: Math.max(deprecatedBuiltinCode, builtinCode), customCode: fb.stringField(table, 1) };
}

function readSubgraph(fb: FlatbufferView, table: number): TfliteSubgraph {
  return {
    tensors: fb.tableVectorField(table, 0).map((tensor) => ({
      shape: fb.int32VectorField(tensor, 0),
      type: fb.int8Field(tensor, 1, TensorType.FLOAT32),
      buffer: fb.uint32Field(tensor, 2, 0),
      name: fb.stringField(tensor, 3) ?? '',
    })),
    inputs: fb.int32VectorField(table, 1),
    outputs: fb.int32VectorField(table, 2),
    operators: fb.tableVectorField(table, 3).map((operator) => readOperator(fb, operator)),
  };
}

function readOperator(fb: FlatbufferView, table: number): TfliteOperator {
  // A union takes two fields: its type (3) and its table (4).
  const optionsType = fb.uint8Field(table, 3, 0);
  const optionsTable = fb.tableField(table, 4);
  return {
    opcodeIndex: fb.uint32Field(table, 0, 0),
    inputs: fb.int32VectorField(table, 1),
    outputs: fb.int32VectorField(table, 2),
    options: optionsTable === undefined ? undefined : readOptions(fb, optionsType, optionsTable),
    customOptions: fb.bytesField(table, 5),
  };
}

/** BuiltinOptions union member numbers of the options we read. */
const OptionsType = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  AddOptions: 11,
  ResizeBilinearOptions: 15,
  MulOptions: 21,
  ReducerOptions: 27,
} as const;

function readOptions(fb: FlatbufferView, type: number, table: number): TfliteOptions | undefined {
  const padding = (index: number) => enumValue(PADDINGS, fb.int8Field(table, index, 0), 'padding');
  const activation = (index: number) => enumValue(ACTIVATIONS, fb.int8Field(table, index, 0), 'activation');
  switch (type) {
    case OptionsType.Conv2DOptions:
      return {
        kind: 'conv2d',
        padding: padding(0),
        strideW: fb.int32Field(table, 1, 0),
        strideH: fb.int32Field(table, 2, 0),
        activation: activation(3),
        dilationW: fb.int32Field(table, 4, 1),
        dilationH: fb.int32Field(table, 5, 1),
      };
    case OptionsType.DepthwiseConv2DOptions:
      return {
        kind: 'depthwiseConv2d',
        padding: padding(0),
        strideW: fb.int32Field(table, 1, 0),
        strideH: fb.int32Field(table, 2, 0),
        depthMultiplier: fb.int32Field(table, 3, 0),
        activation: activation(4),
        dilationW: fb.int32Field(table, 5, 1),
        dilationH: fb.int32Field(table, 6, 1),
      };
    case OptionsType.Pool2DOptions:
      return {
        kind: 'pool2d',
        padding: padding(0),
        strideW: fb.int32Field(table, 1, 0),
        strideH: fb.int32Field(table, 2, 0),
        filterW: fb.int32Field(table, 3, 0),
        filterH: fb.int32Field(table, 4, 0),
        activation: activation(5),
      };
    case OptionsType.AddOptions:
      return { kind: 'add', activation: activation(0) };
    case OptionsType.MulOptions:
      return { kind: 'mul', activation: activation(0) };
    case OptionsType.ResizeBilinearOptions:
      // Fields 0 and 1 (new_height, new_width) are deprecated: the size is the op's second input.
      return { kind: 'resizeBilinear', alignCorners: fb.boolField(table, 2, false), halfPixelCenters: fb.boolField(table, 3, false) };
    case OptionsType.ReducerOptions:
      return { kind: 'reducer', keepDims: fb.boolField(table, 0, false) };
    default:
      return undefined;
  }
}

function enumValue<T>(values: readonly T[], code: number, what: string): T {
  const value = values[code];
  if (value === undefined) throw new RangeError(`unknown ${what} code ${code}`);
  return value;
}

function readBuffer(fb: FlatbufferView, table: number): Uint8Array {
  return fb.bytesField(table, 0) ?? new Uint8Array(0);
}

/** Indices that point nowhere make a file as unusable as a bad offset. */
function findIndexProblem(model: TfliteModel): string | undefined {
  for (const [s, subgraph] of model.subgraphs.entries()) {
    const tensorCount = subgraph.tensors.length;
    for (const tensor of subgraph.tensors) {
      if (tensor.buffer >= model.buffers.length) return `tensor "${tensor.name}" uses buffer ${tensor.buffer} of ${model.buffers.length}`;
    }
    const badTensor = (index: number, optional: boolean) => index >= tensorCount || index < (optional ? -1 : 0);
    if ([...subgraph.inputs, ...subgraph.outputs].some((index) => badTensor(index, false))) {
      return `subgraph ${s} names a tensor out of range as input or output`;
    }
    for (const [o, operator] of subgraph.operators.entries()) {
      if (operator.opcodeIndex >= model.operatorCodes.length) return `operator ${o} uses opcode ${operator.opcodeIndex} of ${model.operatorCodes.length}`;
      if (operator.inputs.some((index) => badTensor(index, true)) || operator.outputs.some((index) => badTensor(index, false))) {
        return `operator ${o} names a tensor out of range (the subgraph has ${tensorCount})`;
      }
    }
  }
  return undefined;
}
