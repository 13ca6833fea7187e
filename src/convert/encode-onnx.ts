/**
 * Serialises an ONNX model (onnx/onnx.proto, the messages a float CNN uses) with our protobuf writer.
 * Field numbers are those of onnx.proto; it is a proto2 file, so repeated numbers are written unpacked,
 * as the reference implementation writes them.
 */
import { ProtobufWriter } from './protobuf-writer.js';

export type OnnxAttribute = { name: string } & (
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
);

export interface OnnxNode {
  name: string;
  opType: string;
  /** An empty string skips an optional input. */
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

/** A float32 constant. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

/** A float32 tensor's name and static shape. */
export interface OnnxValueInfo {
  name: string;
  shape: number[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Shapes of intermediate tensors: documentation for tools, and checked by onnxruntime's shape inference. */
  valueInfo: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
  graph: OnnxGraph;
}

const ModelField = { IR_VERSION: 1, PRODUCER_NAME: 2, PRODUCER_VERSION: 3, DOC_STRING: 6, GRAPH: 7, OPSET_IMPORT: 8, METADATA_PROPS: 14 };
const OperatorSetIdField = { DOMAIN: 1, VERSION: 2 };
const StringStringEntryField = { KEY: 1, VALUE: 2 };
const GraphField = { NODE: 1, NAME: 2, INITIALIZER: 5, INPUT: 11, OUTPUT: 12, VALUE_INFO: 13 };
const NodeField = { INPUT: 1, OUTPUT: 2, NAME: 3, OP_TYPE: 4, ATTRIBUTE: 5 };
const AttributeField = { NAME: 1, F: 2, I: 3, S: 4, INTS: 8, TYPE: 20 };
const AttributeType = { float: 1, int: 2, string: 3, ints: 7 } as const;
const TensorField = { DIMS: 1, DATA_TYPE: 2, NAME: 8, RAW_DATA: 9 };
const ValueInfoField = { NAME: 1, TYPE: 2 };
const TypeField = { TENSOR_TYPE: 1 };
const TensorTypeField = { ELEM_TYPE: 1, SHAPE: 2 };
const ShapeField = { DIM: 1 };
const DimensionField = { DIM_VALUE: 1 };
const DataType = { FLOAT: 1 };

export function encodeOnnx(model: OnnxModel): Uint8Array {
  const out = new ProtobufWriter();
  out.varintField(ModelField.IR_VERSION, model.irVersion);
  out.stringField(ModelField.PRODUCER_NAME, model.producerName);
  out.stringField(ModelField.PRODUCER_VERSION, model.producerVersion);
  out.stringField(ModelField.DOC_STRING, model.docString);
  out.messageField(ModelField.GRAPH, (graph) => writeGraph(graph, model.graph));
  out.messageField(ModelField.OPSET_IMPORT, (opset) => {
    opset.stringField(OperatorSetIdField.DOMAIN, '');
    opset.varintField(OperatorSetIdField.VERSION, model.opsetVersion);
  });
  for (const [key, value] of Object.entries(model.metadata)) {
    out.messageField(ModelField.METADATA_PROPS, (entry) => {
      entry.stringField(StringStringEntryField.KEY, key);
      entry.stringField(StringStringEntryField.VALUE, value);
    });
  }
  return out.finish();
}

function writeGraph(out: ProtobufWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) out.messageField(GraphField.NODE, (message) => writeNode(message, node));
  out.stringField(GraphField.NAME, graph.name);
  for (const tensor of graph.initializers) out.messageField(GraphField.INITIALIZER, (message) => writeTensor(message, tensor));
  for (const info of graph.inputs) out.messageField(GraphField.INPUT, (message) => writeValueInfo(message, info));
  for (const info of graph.outputs) out.messageField(GraphField.OUTPUT, (message) => writeValueInfo(message, info));
  for (const info of graph.valueInfo) out.messageField(GraphField.VALUE_INFO, (message) => writeValueInfo(message, info));
}

function writeNode(out: ProtobufWriter, node: OnnxNode): void {
  for (const input of node.inputs) out.stringField(NodeField.INPUT, input);
  for (const output of node.outputs) out.stringField(NodeField.OUTPUT, output);
  out.stringField(NodeField.NAME, node.name);
  out.stringField(NodeField.OP_TYPE, node.opType);
  for (const attribute of node.attributes) out.messageField(NodeField.ATTRIBUTE, (message) => writeAttribute(message, attribute));
}

function writeAttribute(out: ProtobufWriter, attribute: OnnxAttribute): void {
  out.stringField(AttributeField.NAME, attribute.name);
  out.varintField(AttributeField.TYPE, AttributeType[attribute.type]);
  switch (attribute.type) {
    case 'float':
      out.floatField(AttributeField.F, attribute.value);
      break;
    case 'int':
      out.varintField(AttributeField.I, attribute.value);
      break;
    case 'string':
      out.stringField(AttributeField.S, attribute.value);
      break;
    case 'ints':
      for (const value of attribute.value) out.varintField(AttributeField.INTS, value);
      break;
  }
}

function writeTensor(out: ProtobufWriter, tensor: OnnxTensor): void {
  for (const dim of tensor.dims) out.varintField(TensorField.DIMS, dim);
  out.varintField(TensorField.DATA_TYPE, DataType.FLOAT);
  out.stringField(TensorField.NAME, tensor.name);
  // raw_data is little-endian whatever the host's byte order.
  const raw = new Uint8Array(tensor.data.length * 4);
  const view = new DataView(raw.buffer);
  tensor.data.forEach((value, i) => view.setFloat32(4 * i, value, true));
  out.bytesField(TensorField.RAW_DATA, raw);
}

function writeValueInfo(out: ProtobufWriter, info: OnnxValueInfo): void {
  out.stringField(ValueInfoField.NAME, info.name);
  out.messageField(ValueInfoField.TYPE, (type) =>
    type.messageField(TypeField.TENSOR_TYPE, (tensorType) => {
      tensorType.varintField(TensorTypeField.ELEM_TYPE, DataType.FLOAT);
      tensorType.messageField(TensorTypeField.SHAPE, (shape) => {
        for (const dim of info.shape) shape.messageField(ShapeField.DIM, (dimension) => dimension.varintField(DimensionField.DIM_VALUE, dim));
      });
    }),
  );
}
