// A minimal PNG reader for the icon tests: enough of the format to check sizes and pixels of 8-bit RGBA images,
// so the tests look at the actual bytes rather than trusting the generator.
import { inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const RGBA = 6;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
}

export interface RgbaImage {
  width: number;
  height: number;
  /** Row-major RGBA, four bytes per pixel. */
  pixels: Buffer;
}

export function isPng(bytes: Buffer): boolean {
  return bytes.subarray(0, 8).equals(SIGNATURE);
}

function* chunks(bytes: Buffer): Generator<{ type: string; data: Buffer }> {
  if (!isPng(bytes)) throw new Error('not a PNG (bad signature)');
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    yield { type, data: bytes.subarray(offset + 8, offset + 8 + length) };
    offset += 12 + length;
  }
}

export function readPngHeader(bytes: Buffer): PngHeader {
  const first = chunks(bytes).next();
  if (first.done || first.value.type !== 'IHDR') throw new Error('PNG does not start with IHDR');
  const ihdr = first.value.data;
  return { width: ihdr.readUInt32BE(0), height: ihdr.readUInt32BE(4), bitDepth: ihdr[8] ?? 0, colourType: ihdr[9] ?? 0 };
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** Decodes a non-interlaced 8-bit RGBA PNG (what scripts/make-icons.mjs writes); anything else is an error. */
export function decodeRgbaPng(bytes: Buffer): RgbaImage {
  const header = readPngHeader(bytes);
  if (header.bitDepth !== 8 || header.colourType !== RGBA) {
    throw new Error(`expected 8-bit RGBA, got bit depth ${header.bitDepth}, colour type ${header.colourType}`);
  }
  const compressed = Buffer.concat([...chunks(bytes)].filter((chunk) => chunk.type === 'IDAT').map((chunk) => chunk.data));
  const raw = inflateSync(compressed);
  const stride = header.width * 4;
  const pixels = Buffer.alloc(stride * header.height);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= 4 ? pixels[y * stride + x - 4] ?? 0 : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] ?? 0 : 0;
      const upLeft = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4] ?? 0 : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter ?? -1];
      if (predictor === undefined) throw new Error(`unknown PNG filter ${String(filter)} on row ${y}`);
      pixels[y * stride + x] = ((line[x] ?? 0) + predictor) & 0xff;
    }
  }
  return { width: header.width, height: header.height, pixels };
}
