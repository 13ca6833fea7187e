/**
 * Bounds-checked reads of a FlatBuffer (https://flatbuffers.dev/internals/). A model file comes from disk
 * and may be truncated or corrupt, so every offset is checked before it is followed: a bad file fails with
 * a RangeError naming the offset instead of reading garbage. Callers turn that into a user-facing error.
 */
export class FlatbufferView {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Position of the root table (the first uint32 of the buffer is its offset). */
  rootTable(): number {
    return this.follow(0);
  }

  /** The 4-character file identifier stored right after the root offset. */
  fileIdentifier(): string {
    this.check(4, 4);
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }

  /**
   * Where field `index` of the table at `table` is stored, or 0 when the vtable says it is absent
   * (FlatBuffers leaves out fields equal to their default).
   */
  field(table: number, index: number): number {
    const vtable = table - this.int32(table);
    const vtableBytes = this.uint16(vtable);
    const slot = 4 + 2 * index;
    if (slot + 2 > vtableBytes) return 0;
    const offset = this.uint16(vtable + slot);
    return offset === 0 ? 0 : table + offset;
  }

  int8Field(table: number, index: number, fallback: number): number {
    const at = this.field(table, index);
    if (at === 0) return fallback;
    this.check(at, 1);
    return this.view.getInt8(at);
  }

  uint8Field(table: number, index: number, fallback: number): number {
    const at = this.field(table, index);
    if (at === 0) return fallback;
    this.check(at, 1);
    return this.view.getUint8(at);
  }

  boolField(table: number, index: number, fallback: boolean): boolean {
    return this.uint8Field(table, index, fallback ? 1 : 0) !== 0;
  }

  int32Field(table: number, index: number, fallback: number): number {
    const at = this.field(table, index);
    return at === 0 ? fallback : this.int32(at);
  }

  uint32Field(table: number, index: number, fallback: number): number {
    const at = this.field(table, index);
    return at === 0 ? fallback : this.uint32(at);
  }

  /** The table a field points to, or undefined when absent. */
  tableField(table: number, index: number): number | undefined {
    const at = this.field(table, index);
    return at === 0 ? undefined : this.follow(at);
  }

  stringField(table: number, index: number): string | undefined {
    const bytes = this.bytesField(table, index);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  /** A [ubyte] vector as a view into the file (no copy), or undefined when absent. */
  bytesField(table: number, index: number): Uint8Array | undefined {
    const vector = this.vectorField(table, index, 1);
    return vector === undefined ? undefined : this.bytes.subarray(vector.start, vector.start + vector.length);
  }

  int32VectorField(table: number, index: number): number[] {
    const vector = this.vectorField(table, index, 4);
    if (vector === undefined) return [];
    return Array.from({ length: vector.length }, (_, i) => this.view.getInt32(vector.start + 4 * i, true));
  }

  /** The tables of a [Table] vector, each as its position. */
  tableVectorField(table: number, index: number): number[] {
    const vector = this.vectorField(table, index, 4);
    if (vector === undefined) return [];
    return Array.from({ length: vector.length }, (_, i) => this.follow(vector.start + 4 * i));
  }

  private vectorField(table: number, index: number, elementBytes: number): { start: number; length: number } | undefined {
    const at = this.field(table, index);
    if (at === 0) return undefined;
    const vector = this.follow(at);
    const length = this.uint32(vector);
    this.check(vector + 4, length * elementBytes);
    return { start: vector + 4, length };
  }

  /** Follows the uint32 offset stored at `at` (offsets are relative to where they are stored). */
  private follow(at: number): number {
    const target = at + this.uint32(at);
    this.check(target, 4);
    return target;
  }

  private int32(at: number): number {
    this.check(at, 4);
    return this.view.getInt32(at, true);
  }

  private uint32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, true);
  }

  private uint16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, true);
  }

  private check(at: number, size: number): void {
    if (!Number.isSafeInteger(at) || at < 0 || size < 0 || at + size > this.bytes.byteLength) {
      throw new RangeError(`offset ${at} (+${size} bytes) is outside the ${this.bytes.byteLength}-byte file`);
    }
  }
}
