/**
 * A photo's size read from its file header, without decoding it: decoding allocates width x height x 3 bytes (and
 * blurcam's photo mode several times that), so a crafted or enormous file must be refused before OpenCV sees it.
 * Covers the formats blurcam takes: PNG, JPEG, BMP, WebP and TIFF.
 */
import { BlurcamError } from '../errors.js';

export interface ImageSize {
  format: 'png' | 'jpeg' | 'bmp' | 'webp' | 'tiff';
  width: number;
  height: number;
}

/** The largest photo blurcam decodes by default: 50 megapixels (8160x6120, today's largest common phone photos). */
export const DEFAULT_MAX_MEGAPIXELS = 50;

/** The size in the header, or undefined when the bytes are none of the formats or the header is cut short. */
export function readImageSize(bytes: Uint8Array): ImageSize | undefined {
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (offset: number, length: number) => (offset + length <= bytes.length ? String.fromCharCode(...bytes.subarray(offset, offset + length)) : '');
  const size = (format: ImageSize['format'], width: number, height: number): ImageSize | undefined =>
    width > 0 && height > 0 ? { format, width, height } : undefined;
  try {
    if (ascii(1, 3) === 'PNG' && bytes[0] === 0x89 && ascii(12, 4) === 'IHDR') return size('png', data.getUint32(16), data.getUint32(20));
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes, data);
    if (ascii(0, 2) === 'BM') return bmpSize(data, size);
    if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return webpSize(bytes, data, ascii(12, 4), size);
    if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return tiffSize(data, ascii(0, 1) === 'I', size);
  } catch (error) {
    // A header that ends early reads past the end: the file is cut short.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  return undefined;
}

export interface ImageLimit {
  maxMegapixels: number;
  /** How to fix a file that is no image, or one too large. */
  unreadableHint: string;
  tooLargeHint: string;
}

/**
 * Throws IMAGE_UNREADABLE when the header is not one blurcam knows, IMAGE_TOO_LARGE for an image over the
 * limit; `what` names the file in the message (its path, or "--background PATH").
 */
export function checkImageSize(bytes: Uint8Array, what: string, limit: ImageLimit): ImageSize {
  const size = readImageSize(bytes);
  if (!size) {
    throw new BlurcamError('IMAGE_UNREADABLE', `${what} is not a JPEG, PNG, BMP, TIFF or WebP image (its header is not one blurcam can read).`, limit.unreadableHint);
  }
  const megapixels = (size.width * size.height) / 1e6;
  if (megapixels > limit.maxMegapixels) {
    throw new BlurcamError(
      'IMAGE_TOO_LARGE',
      `${what} is ${size.width}x${size.height} (${megapixels.toFixed(1)} megapixels), over blurcam's limit of ${limit.maxMegapixels} megapixels.`,
      limit.tooLargeHint,
    );
  }
  return size;
}

/** SOF markers (frame headers) of every JPEG coding process; C4 (DHT), C8 (JPG) and CC (DAC) are not frames. */
const JPEG_FRAME_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const JPEG_START_OF_SCAN = 0xda;

/** Walks the marker segments up to the first frame header: its lines and samples per line. */
function jpegSize(bytes: Uint8Array, data: DataView): ImageSize | undefined {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    // Standalone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += 2;
      continue;
    }
    if (JPEG_FRAME_MARKERS.has(marker)) {
      const height = data.getUint16(offset + 5);
      const width = data.getUint16(offset + 7);
      return width > 0 && height > 0 ? { format: 'jpeg', width, height } : undefined;
    }
    if (marker === JPEG_START_OF_SCAN) return undefined;
    offset += 2 + data.getUint16(offset + 2);
  }
  return undefined;
}

type MakeSize = (format: ImageSize['format'], width: number, height: number) => ImageSize | undefined;

function bmpSize(data: DataView, size: MakeSize): ImageSize | undefined {
  const headerSize = data.getUint32(14, true);
  // OS/2's 12-byte header has 16-bit sizes; every later header 32-bit signed ones (a negative height is top-down).
  if (headerSize === 12) return size('bmp', data.getUint16(18, true), data.getUint16(20, true));
  return size('bmp', Math.abs(data.getInt32(18, true)), Math.abs(data.getInt32(22, true)));
}

function webpSize(bytes: Uint8Array, data: DataView, chunk: string, size: MakeSize): ImageSize | undefined {
  if (chunk === 'VP8 ') return size('webp', data.getUint16(26, true) & 0x3fff, data.getUint16(28, true) & 0x3fff);
  if (chunk === 'VP8L') {
    // After the 0x2f signature: 14 bits of width - 1, then 14 bits of height - 1, little-endian.
    const bits = data.getUint32(21, true);
    return size('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    const uint24 = (offset: number) => bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16);
    if (bytes.length < 30) return undefined;
    return size('webp', uint24(24) + 1, uint24(27) + 1);
  }
  return undefined;
}

const TIFF_IMAGE_WIDTH = 256;
const TIFF_IMAGE_LENGTH = 257;
const TIFF_SHORT = 3;
const TIFF_LONG = 4;

/** The first image's width and length tags (OpenCV decodes the first image of a TIFF). */
function tiffSize(data: DataView, littleEndian: boolean, size: MakeSize): ImageSize | undefined {
  const directory = data.getUint32(4, littleEndian);
  const entries = data.getUint16(directory, littleEndian);
  let width = 0;
  let height = 0;
  for (let i = 0; i < entries; i++) {
    const entry = directory + 2 + i * 12;
    const tag = data.getUint16(entry, littleEndian);
    if (tag !== TIFF_IMAGE_WIDTH && tag !== TIFF_IMAGE_LENGTH) continue;
    const type = data.getUint16(entry + 2, littleEndian);
    const value = type === TIFF_SHORT ? data.getUint16(entry + 8, littleEndian) : type === TIFF_LONG ? data.getUint32(entry + 8, littleEndian) : 0;
    if (tag === TIFF_IMAGE_WIDTH) width = value;
    else height = value;
  }
  return size('tiff', width, height);
}
