// The committed icons (made by scripts/make-icons.mjs) are what the tray and the installers load: every tray state
// has every size for macOS (template images) and for Linux/Windows, and the app icon containers hold their sizes.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRgbaPng, isPng, readPngHeader, type RgbaImage } from './png.js';

const assets = new URL('../../../assets/', import.meta.url).pathname;
const TRAY_STATES = ['signedOut', 'active', 'refreshing', 'attention'] as const;
const TRAY_SIZES = [['', 16], ['@2x', 32]] as const;
const APP_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

const read = (relative: string): Buffer => readFileSync(join(assets, relative));

/** The pixel sizes an ICO holds, after checking that each image's own header agrees with its directory entry. */
function icoSizes(ico: Buffer): number[] {
  expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
  const sizes: number[] = [];
  for (let i = 0; i < ico.readUInt16LE(4); i++) {
    const entry = 6 + i * 16;
    const width = ico[entry] || 256;
    const height = ico[entry + 1] || 256;
    const length = ico.readUInt32LE(entry + 8);
    const offset = ico.readUInt32LE(entry + 12);
    expect(offset + length).toBeLessThanOrEqual(ico.length);
    const data = ico.subarray(offset, offset + length);
    // Each image is either a PNG or a BMP info header (40 bytes) whose height counts the AND mask twice.
    const [dataWidth, dataHeight] = isPng(data)
      ? [readPngHeader(data).width, readPngHeader(data).height]
      : [data.readInt32LE(4), data.readInt32LE(8) / 2];
    expect([dataWidth, dataHeight]).toEqual([width, height]);
    sizes.push(width);
  }
  return sizes.sort((a, b) => a - b);
}

function alphaOf(image: RgbaImage): number[] {
  return Array.from({ length: image.width * image.height }, (_, i) => image.pixels[i * 4 + 3] ?? 0);
}

describe('PNG reader used by these tests', () => {
  it('decodes the same RGBA bytes as ImageMagick', () => {
    for (const file of ['tray/activeTemplate@2x.png', 'tray/attention.png', 'icons/64x64.png']) {
      const ours = decodeRgbaPng(read(file)).pixels;
      const theirs = execFileSync('convert', [join(assets, file), '-depth', '8', 'rgba:-']);
      expect(ours.equals(theirs), file).toBe(true);
    }
  });
});

describe('tray icons', () => {
  it('has exactly the template and coloured images of each state, @1x and @2x, and an ICO for Windows', () => {
    const expected = TRAY_STATES.flatMap((state) => [
      ...TRAY_SIZES.flatMap(([suffix]) => [`${state}Template${suffix}.png`, `${state}${suffix}.png`]),
      `${state}.ico`,
    ]);
    expect(readdirSync(join(assets, 'tray')).sort()).toEqual(expected.sort());
  });

  for (const state of TRAY_STATES) {
    for (const [suffix, size] of TRAY_SIZES) {
      it(`${state}${suffix}: ${size} px, template is black + alpha, coloured one is not`, () => {
        const template = decodeRgbaPng(read(`tray/${state}Template${suffix}.png`));
        const coloured = decodeRgbaPng(read(`tray/${state}${suffix}.png`));
        for (const image of [template, coloured]) expect([image.width, image.height]).toEqual([size, size]);

        const alpha = alphaOf(template);
        for (let i = 0; i < alpha.length; i++) {
          expect([template.pixels[i * 4], template.pixels[i * 4 + 1], template.pixels[i * 4 + 2]], `pixel ${i}`).toEqual([0, 0, 0]);
        }
        // A visible mark on a transparent ground, not an empty or a solid square.
        const coverage = alpha.reduce((sum, a) => sum + a / 255, 0);
        expect(coverage).toBeGreaterThan(size * 2);
        expect(alpha.filter((a) => a === 0).length).toBeGreaterThan(size * size * 0.3);

        // Linux panels and the Windows taskbar are often dark: the coloured icon must not be the black template.
        const opaque = alphaOf(coloured).flatMap((a, i) => (a >= 128 ? [i] : []));
        const brightness = (i: number): number => Math.max(coloured.pixels[i * 4] ?? 0, coloured.pixels[i * 4 + 1] ?? 0, coloured.pixels[i * 4 + 2] ?? 0);
        expect(opaque.length).toBeGreaterThan(size);
        expect(opaque.every((i) => brightness(i) > 100)).toBe(true);
      });
    }
  }

  it.each(TRAY_STATES)('%s.ico holds every Windows notification-area scale', (state) => {
    expect(icoSizes(read(`tray/${state}.ico`))).toEqual([16, 20, 24, 32, 40, 48]);
  });

  it('draws every state differently, so the menu bar tells them apart', () => {
    const shapes = TRAY_STATES.map((state) => alphaOf(decodeRgbaPng(read(`tray/${state}Template@2x.png`))));
    for (let a = 0; a < shapes.length; a++) {
      for (let b = a + 1; b < shapes.length; b++) {
        const differing = shapes[a]!.filter((alpha, i) => Math.abs(alpha - (shapes[b]![i] ?? 0)) > 128).length;
        expect(differing, `${TRAY_STATES[a]} vs ${TRAY_STATES[b]}`).toBeGreaterThan(10);
      }
    }
  });
});

describe('app icon', () => {
  it.each(APP_SIZES)('icons/%ix%i.png is that size', (size) => {
    const header = readPngHeader(read(`icons/${size}x${size}.png`));
    expect([header.width, header.height]).toEqual([size, size]);
  });

  it('icon.ico holds 16 to 256 px images whose data matches their directory entries', () => {
    expect(icoSizes(read('icon.ico'))).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('icon.icns holds a PNG of the right size in every element, up to 1024 px', () => {
    const icns = read('icon.icns');
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const pixelsByType: Record<string, number> = {
      icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024, ic11: 32, ic12: 64, ic13: 256, ic14: 512,
    };
    const found: string[] = [];
    for (let offset = 8; offset < icns.length;) {
      const type = icns.toString('latin1', offset, offset + 4);
      const length = icns.readUInt32BE(offset + 4);
      expect(length).toBeGreaterThan(8);
      const header = readPngHeader(icns.subarray(offset + 8, offset + length));
      expect([header.width, header.height], type).toEqual([pixelsByType[type], pixelsByType[type]]);
      found.push(type);
      offset += length;
    }
    expect(found.sort()).toEqual(Object.keys(pixelsByType).sort());
  });
});
