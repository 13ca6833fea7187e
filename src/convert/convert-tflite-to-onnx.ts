/**
 * Converts a TFLite image-segmentation CNN (MediaPipe's selfie segmentation) into an ONNX model that runs on
 * onnxruntime's CPU and CoreML providers alike. TFLite works channels-last (NHWC), ONNX channels-first
 * (NCHW): every activation is moved to NCHW by reordering the weights around it, so the graph needs no
 * Transpose nodes. Ops are emitted in the forms CoreML accepts (see models/README.md): HardSwish as
 * x * HardSigmoid(x), explicit pads everywhere, constant weights and resize scales.
 */
import { BlurcamError } from '../errors.js';
import {
  encodeOnnx,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './encode-onnx.js';
import { float16ToFloat32 } from './float16.js';
import { permuteTensor } from './permute-tensor.js';
import {
  type ActivationFunction,
  BuiltinOperator,
  type Padding,
  invalidTfliteError,
  readTflite,
  TensorType,
  type TfliteModel,
  type TfliteOperator,
  type TfliteOptions,
  type TfliteTensor,
} from './read-tflite.js';
import { samePadding } from './same-padding.js';

export interface ConvertOptions {
  /** Names the source file in errors and in the model's doc string. */
  fileName: string;
  /** ONNX metadata_props, e.g. the blurcam.* keys of docs/model-contract.md. */
  metadata: Record<string, string>;
  /** Recorded as the ONNX producer_version (producer_name is "blurcam"). */
  producerVersion: string;
}

/** The graph's input: float32 [1,3,H,W], RGB. */
export const ONNX_INPUT_NAME = 'image';
/** The graph's output: float32 [1,1,H,W]. */
export const ONNX_OUTPUT_NAME = 'mask';
/** ONNX 1.9's versions: old enough for every onnxruntime we meet, new enough for Resize-13 and ReduceMean-13. */
const OPSET_VERSION = 14;
const IR_VERSION = 7;

/** MediaPipe's transposed convolution with bias; its options are a TfLiteTransposeConvParams struct. */
const TRANSPOSE_CONV_BIAS = 'Convolution2DTransposeBias';

export function convertTfliteToOnnx(tflite: Uint8Array, options: ConvertOptions): Uint8Array {
  return encodeOnnx(tfliteToOnnxModel(readTflite(tflite, options.fileName), options));
}

/** The conversion before serialisation, for tests that inspect the graph. */
export function tfliteToOnnxModel(model: TfliteModel, options: ConvertOptions): OnnxModel {
  return {
    irVersion: IR_VERSION,
    opsetVersion: OPSET_VERSION,
    producerName: 'blurcam',
    producerVersion: options.producerVersion,
    docString: `Converted from ${options.fileName} (TFLite, NHWC) to ONNX (NCHW) by blurcam.`,
    metadata: options.metadata,
    graph: new GraphBuilder(model, options.fileName).build(),
  };
}

interface FloatConstant {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** One operator being converted, with what error messages need to name it. */
interface OpContext {
  index: number;
  name: string;
  operator: TfliteOperator;
}

class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly valueInfo: OnnxValueInfo[] = [];
  private readonly usedNames = new Set<string>();
  /** ONNX names of the activations computed so far, by TFLite tensor index. */
  private readonly activations = new Map<number, string>();
  /** Constants computed at conversion time (DEQUANTIZE outputs), by TFLite tensor index. */
  private readonly folded = new Map<number, FloatConstant>();
  private readonly tensors: TfliteTensor[];
  private readonly graphInput: number;
  private readonly graphOutput: number;

  constructor(
    private readonly model: TfliteModel,
    private readonly fileName: string,
  ) {
    if (model.subgraphs.length !== 1) throw this.unsupported(`has ${model.subgraphs.length} subgraphs instead of one`);
    const subgraph = model.subgraphs[0];
    if (subgraph.inputs.length !== 1 || subgraph.outputs.length !== 1) {
      throw this.unsupported(`has ${subgraph.inputs.length} inputs and ${subgraph.outputs.length} outputs instead of one image in, one mask out`);
    }
    this.tensors = subgraph.tensors;
    this.graphInput = subgraph.inputs[0];
    this.graphOutput = subgraph.outputs[0];
  }

  build(): OnnxGraph {
    const input = this.tensors[this.graphInput];
    const output = this.tensors[this.graphOutput];
    const inputShape = this.activationShape(this.graphInput);
    const outputShape = this.activationShape(this.graphOutput);
    if (inputShape[3] !== 3) throw this.unsupported(`takes input "${input.name}" of shape [${input.shape}] instead of an RGB image`);
    if (outputShape[3] !== 1) throw this.unsupported(`gives output "${output.name}" of shape [${output.shape}] instead of a one-channel mask`);
    this.usedNames.add(ONNX_INPUT_NAME).add(ONNX_OUTPUT_NAME);
    this.activations.set(this.graphInput, ONNX_INPUT_NAME);

    for (const [index, operator] of this.model.subgraphs[0].operators.entries()) {
      this.convertOperator({ index, name: this.operatorName(operator), operator });
    }
    if (!this.activations.has(this.graphOutput)) throw this.invalid(`no operator computes the output "${output.name}"`);

    return {
      name: this.fileName.replace(/\.tflite$/, ''),
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: [{ name: ONNX_INPUT_NAME, shape: toNchw(inputShape) }],
      outputs: [{ name: ONNX_OUTPUT_NAME, shape: toNchw(outputShape) }],
      valueInfo: this.valueInfo,
    };
  }

  private convertOperator(op: OpContext): void {
    const { builtinCode, customCode } = this.model.operatorCodes[op.operator.opcodeIndex];
    switch (builtinCode) {
      case BuiltinOperator.DEQUANTIZE:
        return this.dequantize(op);
      case BuiltinOperator.CONV_2D:
        return this.conv(op);
      case BuiltinOperator.DEPTHWISE_CONV_2D:
        return this.depthwiseConv(op);
      case BuiltinOperator.CUSTOM:
        if (customCode === TRANSPOSE_CONV_BIAS) return this.transposeConvBias(op);
        break;
      case BuiltinOperator.HARD_SWISH:
        return this.hardSwish(op);
      case BuiltinOperator.RELU:
        return this.emit(op, 'Relu', [this.activation(op, 0)], [], 'NONE');
      case BuiltinOperator.LOGISTIC:
        return this.emit(op, 'Sigmoid', [this.activation(op, 0)], [], 'NONE');
      case BuiltinOperator.ADD:
        return this.emit(op, 'Add', [this.activation(op, 0), this.activation(op, 1)], [], this.options(op, 'add').activation);
      case BuiltinOperator.MUL:
        return this.mul(op);
      case BuiltinOperator.AVERAGE_POOL_2D:
        return this.globalAveragePool(op);
      case BuiltinOperator.MEAN:
        return this.mean(op);
      case BuiltinOperator.RESIZE_BILINEAR:
        return this.resizeBilinear(op);
    }
    throw this.unsupported('is not supported by the converter', op);
  }

  /** fp16 weights are widened to fp32 here once, instead of by a Cast node at every inference. */
  private dequantize(op: OpContext): void {
    const source = this.tensors[this.input(op, 0)];
    if (!this.isConstant(this.input(op, 0)) || source.type !== TensorType.FLOAT16) {
      throw this.unsupported(`dequantizes "${source.name}", which is not a float16 constant`, op);
    }
    const bits = Uint16Array.from(this.constantValues(source, 2, (view, at) => view.getUint16(at, true)));
    this.folded.set(this.output(op), { name: source.name, shape: source.shape, data: float16ToFloat32(bits) });
  }

  private conv(op: OpContext): void {
    const options = this.options(op, 'conv2d');
    const channels = this.activationShape(this.input(op, 0))[3];
    // TFLite filter: [out, kh, kw, in per group]; ONNX: [out, in per group, kh, kw].
    const weights = this.floatConstant(op, 1, 4);
    const [outChannels, , , channelsPerGroup] = weights.shape;
    if (channels % channelsPerGroup !== 0) throw this.invalid(`has ${channelsPerGroup}-channel filters for a ${channels}-channel input`, op);
    this.convolution(op, options, weights, [0, 3, 1, 2], channels / channelsPerGroup, outChannels);
  }

  private depthwiseConv(op: OpContext): void {
    const options = this.options(op, 'depthwiseConv2d');
    const channels = this.activationShape(this.input(op, 0))[3];
    // TFLite filter: [1, kh, kw, channels * multiplier]; ONNX: [channels * multiplier, 1, kh, kw], one group per channel.
    const weights = this.floatConstant(op, 1, 4);
    const outChannels = weights.shape[3];
    if (weights.shape[0] !== 1 || outChannels % channels !== 0) {
      throw this.invalid(`has a [${weights.shape}] filter for a ${channels}-channel input`, op);
    }
    this.convolution(op, options, weights, [3, 0, 1, 2], channels, outChannels);
  }

  /** A Conv node for either TFLite convolution, given how its filter [?, kh, kw, ?] maps to ONNX's layout. */
  private convolution(
    op: OpContext,
    options: Extract<TfliteOptions, { kind: 'conv2d' | 'depthwiseConv2d' }>,
    weights: FloatConstant,
    perm: number[],
    group: number,
    outChannels: number,
  ): void {
    const input = this.activation(op, 0);
    const kernel = [weights.shape[1], weights.shape[2]];
    const attributes: OnnxAttribute[] = [
      ints('kernel_shape', kernel),
      ints('strides', [options.strideH, options.strideW]),
      ints('dilations', [options.dilationH, options.dilationW]),
      ints('pads', this.pads(options.padding, this.activationShape(this.input(op, 0)), kernel, options)),
      { name: 'group', type: 'int', value: group },
    ];
    const inputs = [input, this.initializer(weights, perm), ...this.bias(op, outChannels)];
    this.emit(op, 'Conv', inputs, attributes, options.activation);
  }

  /**
   * MediaPipe's custom op. CoreML takes ConvTranspose only with constant weights, equal pads and no
   * output_shape, output_padding or auto_pad, so pads are computed here and must come out symmetric.
   */
  private transposeConvBias(op: OpContext): void {
    const params = op.operator.customOptions;
    if (params === undefined || params.byteLength < 12) throw this.invalid(`lacks its padding and strides`, op);
    const paramsView = new DataView(params.buffer, params.byteOffset, params.byteLength);
    // TfLiteTransposeConvParams: int32 padding (TfLitePadding: 1 same, 2 valid), stride_width, stride_height.
    const paddingCode = paramsView.getInt32(0, true);
    const strides = [paramsView.getInt32(8, true), paramsView.getInt32(4, true)];
    if (paddingCode !== 1 && paddingCode !== 2) throw this.invalid(`has padding code ${paddingCode}`, op);

    const input = this.activation(op, 0);
    const inputShape = this.activationShape(this.input(op, 0));
    // Filter: [out, kh, kw, in]; ONNX ConvTranspose: [in, out, kh, kw].
    const weights = this.floatConstant(op, 1, 4);
    const [outChannels, kernelH, kernelW, inChannels] = weights.shape;
    if (inChannels !== inputShape[3]) throw this.invalid(`has ${inChannels}-channel filters for a ${inputShape[3]}-channel input`, op);
    const kernel = [kernelH, kernelW];
    const pads = [0, 1].map((axis) => {
      const inputSize = inputShape[1 + axis];
      const outputSize = paddingCode === 1 ? inputSize * strides[axis] : (inputSize - 1) * strides[axis] + kernel[axis];
      const total = (inputSize - 1) * strides[axis] + kernel[axis] - outputSize;
      if (total < 0 || total % 2 !== 0) {
        throw this.unsupported(`needs uneven padding (kernel ${kernel[axis]}, stride ${strides[axis]}), which CoreML cannot run`, op);
      }
      return total / 2;
    });
    const attributes: OnnxAttribute[] = [ints('kernel_shape', kernel), ints('strides', strides), ints('pads', [...pads, ...pads])];
    const inputs = [input, this.initializer(weights, [3, 0, 1, 2]), ...this.bias(op, outChannels)];
    this.emit(op, 'ConvTranspose', inputs, attributes, 'NONE');
  }

  /** CoreML has no HardSwish: x * HardSigmoid(x) with alpha 1/6, beta 1/2 is the same function. */
  private hardSwish(op: OpContext): void {
    const input = this.activation(op, 0);
    const output = this.defineOutput(op);
    const gate = this.defineIntermediate(op, 'gate');
    this.addNode('HardSigmoid', [input], gate, [
      { name: 'alpha', type: 'float', value: 1 / 6 },
      { name: 'beta', type: 'float', value: 0.5 },
    ]);
    this.addNode('Mul', [input, gate], output, []);
  }

  /**
   * A squeeze-and-excitation block scales a [C,H,W] map by a [C,1,1] gate. The gate is first spread over the map
   * (Resize, nearest, whole-number scales), so both factors have the same shape: onnxruntime's CPU provider
   * multiplies equal shapes in its blocked layout but a broadcast only in plain NCHW, and converted the map out of
   * that layout and back around each of the ten blocks (37 conversions an inference; 4 now). CoreML takes this
   * Resize in both model formats.
   */
  private mul(op: OpContext): void {
    const activation = this.options(op, 'mul').activation;
    const inputs = [this.activation(op, 0), this.activation(op, 1)];
    const [first, second] = [0, 1].map((position) => this.activationShape(this.input(op, position)));
    const [, height, width, channels] = this.activationShape(this.output(op));
    // A gate has the map's channels and one pixel; anything else (a scalar, equal shapes) is multiplied as it is.
    const isGate = (shape: number[]) => shape[1] === 1 && shape[2] === 1 && shape[3] === channels && (height > 1 || width > 1);
    const gate = isGate(first) && !isGate(second) ? 0 : isGate(second) && !isGate(first) ? 1 : -1;
    if (gate >= 0) {
      const spread = this.defineIntermediate(op, 'gate');
      const scalesName = this.addInitializer(`${spread}/scales`, [4], Float32Array.from([1, 1, height, width]));
      this.addNode('Resize', [inputs[gate], '', scalesName], spread, [
        { name: 'mode', type: 'string', value: 'nearest' },
        { name: 'coordinate_transformation_mode', type: 'string', value: 'asymmetric' },
        { name: 'nearest_mode', type: 'string', value: 'floor' },
      ]);
      inputs[gate] = spread;
    }
    this.emit(op, 'Mul', inputs, [], activation);
  }

  private globalAveragePool(op: OpContext): void {
    const options = this.options(op, 'pool2d');
    const [, height, width] = this.activationShape(this.input(op, 0));
    if (options.filterH !== height || options.filterW !== width) {
      throw this.unsupported(`pools ${options.filterH}x${options.filterW} windows; only pooling over the whole ${height}x${width} map is supported`, op);
    }
    this.emit(op, 'GlobalAveragePool', [this.activation(op, 0)], [], options.activation);
  }

  private mean(op: OpContext): void {
    const input = this.activation(op, 0);
    if (!this.options(op, 'reducer').keepDims) throw this.unsupported(`drops the reduced axes; only keep_dims is supported`, op);
    const axes = this.intConstant(op, 1).map((axis) => NHWC_TO_NCHW_AXIS[axis < 0 ? axis + 4 : axis]);
    if (axes.some((axis) => axis === undefined)) throw this.invalid(`reduces over axes outside 0..3`, op);
    axes.sort((a, b) => a - b);
    // The mean over the whole map (a squeeze-and-excitation block's pooling) is GlobalAveragePool: the same numbers,
    // which onnxruntime's CPU provider computes in its blocked layout, where ReduceMean made it convert the
    // activations out of that layout and back around every such block; CoreML takes both.
    if (axes.length === 2 && axes[0] === 2 && axes[1] === 3) {
      this.emit(op, 'GlobalAveragePool', [input], [], 'NONE');
      return;
    }
    this.emit(op, 'ReduceMean', [input], [ints('axes', axes), { name: 'keepdims', type: 'int', value: 1 }], 'NONE');
  }

  /** CoreML resizes only with constant, whole-number scales; TFLite's half_pixel_centers is ONNX's half_pixel. */
  private resizeBilinear(op: OpContext): void {
    const options = this.options(op, 'resizeBilinear');
    if (!options.halfPixelCenters || options.alignCorners) {
      throw this.unsupported(`resizes without half-pixel centres; only half_pixel_centers is supported`, op);
    }
    const input = this.activation(op, 0);
    const [, height, width] = this.activationShape(this.input(op, 0));
    const size = this.intConstant(op, 1);
    const scales = size.length === 2 ? [size[0] / height, size[1] / width] : [];
    if (scales.length !== 2 || !scales.every((scale) => Number.isInteger(scale) && scale >= 1)) {
      throw this.unsupported(`resizes ${height}x${width} to ${size.join('x')}; only whole-number upscaling is supported`, op);
    }
    const scalesName = this.addInitializer(`${this.tensors[this.input(op, 1)].name}/scales`, [4], Float32Array.from([1, 1, ...scales]));
    this.emit(op, 'Resize', [input, '', scalesName], [
      { name: 'mode', type: 'string', value: 'linear' },
      { name: 'coordinate_transformation_mode', type: 'string', value: 'half_pixel' },
    ], 'NONE');
  }

  /** Emits `opType` computing the op's output; the models fuse no activation into their ops. */
  private emit(op: OpContext, opType: string, inputs: string[], attributes: OnnxAttribute[], activation: ActivationFunction): void {
    if (activation !== 'NONE') throw this.unsupported(`uses the fused activation ${activation}`, op);
    this.addNode(opType, inputs, this.defineOutput(op), attributes);
  }

  private addNode(opType: string, inputs: string[], output: string, attributes: OnnxAttribute[]): void {
    this.nodes.push({ name: output, opType, inputs, outputs: [output], attributes });
  }

  /** TF 'SAME' becomes explicit ONNX pads [top, left, bottom, right]; 'VALID' is no padding. */
  private pads(
    padding: Padding,
    inputShape: number[],
    kernel: number[],
    options: { strideH: number; strideW: number; dilationH: number; dilationW: number },
  ): number[] {
    if (padding === 'VALID') return [0, 0, 0, 0];
    const rows = samePadding(inputShape[1], kernel[0], options.strideH, options.dilationH);
    const columns = samePadding(inputShape[2], kernel[1], options.strideW, options.dilationW);
    return [rows.begin, columns.begin, rows.end, columns.end];
  }

  private bias(op: OpContext, channels: number): string[] {
    if (op.operator.inputs.length < 3 || op.operator.inputs[2] === -1) return [];
    const bias = this.floatConstant(op, 2, 1);
    if (bias.shape[0] !== channels) throw this.invalid(`has ${bias.shape[0]} biases for ${channels} channels`, op);
    return [this.initializer(bias, [0])];
  }

  private initializer(constant: FloatConstant, perm: number[]): string {
    const { data, shape } = permuteTensor(constant.data, constant.shape, perm);
    return this.addInitializer(constant.name, shape, data);
  }

  private addInitializer(nameHint: string, dims: number[], data: Float32Array): string {
    const name = this.uniqueName(nameHint);
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** Names the op's single output: TFLite's name, or `mask` for the graph output. */
  private defineOutput(op: OpContext): string {
    const index = this.output(op);
    const shape = toNchw(this.activationShape(index));
    const name = index === this.graphOutput ? ONNX_OUTPUT_NAME : this.uniqueName(this.tensors[index].name);
    if (index !== this.graphOutput) this.valueInfo.push({ name, shape });
    this.activations.set(index, name);
    return name;
  }

  /** A tensor between the nodes that one TFLite op became, shaped like that op's output. */
  private defineIntermediate(op: OpContext, suffix: string): string {
    const output = this.output(op);
    const name = this.uniqueName(`${this.activations.get(output) ?? this.tensors[output].name}/${suffix}`);
    this.valueInfo.push({ name, shape: toNchw(this.activationShape(output)) });
    return name;
  }

  private output(op: OpContext): number {
    if (op.operator.outputs.length !== 1) throw this.invalid(`has ${op.operator.outputs.length} outputs instead of one`, op);
    return op.operator.outputs[0];
  }

  private input(op: OpContext, position: number): number {
    const index = op.operator.inputs[position];
    if (index === undefined || index === -1) throw this.invalid(`lacks input ${position}`, op);
    return index;
  }

  /** The ONNX name of an activation input; a constant where the op needs a computed tensor is refused. */
  private activation(op: OpContext, position: number): string {
    const index = this.input(op, position);
    if (this.isConstant(index)) {
      throw this.unsupported(`takes the constant "${this.tensors[index].name}" as input ${position}; only computed tensors are supported there`, op);
    }
    const name = this.activations.get(index);
    if (name === undefined) throw this.invalid(`reads "${this.tensors[index].name}" before any operator computes it`, op);
    return name;
  }

  private floatConstant(op: OpContext, position: number, rank: number): FloatConstant {
    const index = this.input(op, position);
    const tensor = this.tensors[index];
    const folded = this.folded.get(index);
    let constant: FloatConstant;
    if (folded !== undefined) constant = folded;
    else if (this.isConstant(index) && tensor.type === TensorType.FLOAT32) {
      const data = Float32Array.from(this.constantValues(tensor, 4, (view, at) => view.getFloat32(at, true)));
      constant = { name: tensor.name, shape: tensor.shape, data };
    } else {
      throw this.unsupported(`takes "${tensor.name}" as input ${position}, which is not a float constant`, op);
    }
    if (constant.shape.length !== rank) throw this.invalid(`takes "${tensor.name}" of shape [${constant.shape}] as input ${position}`, op);
    return constant;
  }

  private intConstant(op: OpContext, position: number): number[] {
    const index = this.input(op, position);
    const tensor = this.tensors[index];
    if (!this.isConstant(index) || tensor.type !== TensorType.INT32) {
      throw this.unsupported(`takes "${tensor.name}" as input ${position}, which is not an int32 constant`, op);
    }
    return this.constantValues(tensor, 4, (view, at) => view.getInt32(at, true));
  }

  private isConstant(index: number): boolean {
    return this.folded.has(index) || this.model.buffers[this.tensors[index].buffer].byteLength > 0;
  }

  /** The values in a constant tensor's buffer (little-endian, like the whole file), checked against its shape. */
  private constantValues(tensor: TfliteTensor, elementBytes: number, read: (view: DataView, at: number) => number): number[] {
    const bytes = this.model.buffers[tensor.buffer];
    const count = tensor.shape.reduce((product, dim) => product * dim, 1);
    if (bytes.byteLength !== count * elementBytes) {
      throw this.invalid(`tensor "${tensor.name}" of shape [${tensor.shape}] holds ${bytes.byteLength} bytes instead of ${count * elementBytes}`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: count }, (_, i) => read(view, i * elementBytes));
  }

  /** The NHWC shape of an activation; the whole graph must be single-image 4-D float32. */
  private activationShape(index: number): number[] {
    const tensor = this.tensors[index];
    if (tensor.type !== TensorType.FLOAT32 || tensor.shape.length !== 4 || tensor.shape[0] !== 1) {
      throw this.unsupported(`has "${tensor.name}" of type ${tensor.type} and shape [${tensor.shape}]; only float32 [1,H,W,C] activations are supported`);
    }
    return tensor.shape;
  }

  private options<K extends TfliteOptions['kind']>(op: OpContext, kind: K): Extract<TfliteOptions, { kind: K }> {
    const options = op.operator.options;
    if (options?.kind !== kind) throw this.invalid(`lacks its ${kind} options`, op);
    return options as Extract<TfliteOptions, { kind: K }>;
  }

  private operatorName(operator: TfliteOperator): string {
    const { builtinCode, customCode } = this.model.operatorCodes[operator.opcodeIndex];
    if (builtinCode === BuiltinOperator.CUSTOM) return `custom "${customCode ?? ''}"`;
    return Object.entries(BuiltinOperator).find(([, code]) => code === builtinCode)?.[0] ?? `builtin #${builtinCode}`;
  }

  private uniqueName(wanted: string): string {
    const base = wanted === '' ? 'tensor' : wanted;
    let name = base;
    for (let n = 2; this.usedNames.has(name); n++) name = `${base}_${n}`;
    this.usedNames.add(name);
    return name;
  }

  private unsupported(reason: string, op?: OpContext): BlurcamError {
    return new BlurcamError(
      'UNSUPPORTED_TFLITE',
      `${this.fileName}${op ? `: operator ${op.index} (${op.name})` : ''} ${reason}`,
      'The converter handles MediaPipe selfie segmentation models; export other models to ONNX following docs/model-contract.md.',
    );
  }

  private invalid(reason: string, op?: OpContext): BlurcamError {
    return invalidTfliteError(this.fileName, op ? `operator ${op.index} (${op.name}) ${reason}` : reason);
  }
}

/** Where each NHWC axis lands in NCHW. */
const NHWC_TO_NCHW_AXIS: Record<number, number> = { 0: 0, 1: 2, 2: 3, 3: 1 };

function toNchw([n, h, w, c]: number[]): number[] {
  return [n, c, h, w];
}

function ints(name: string, value: number[]): OnnxAttribute {
  return { name, type: 'ints', value };
}
