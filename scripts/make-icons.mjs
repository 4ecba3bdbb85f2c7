#!/usr/bin/env node
// Generates every icon the app ships from the one source drawing, assets/source/cloudtoken.svg:
//   assets/tray/<state>Template.png, <state>Template@2x.png   macOS template images (black + alpha), 16 and 32 px
//   assets/tray/<state>.png, <state>@2x.png                   coloured tray icons for Linux and Windows, 16 and 32 px
//   assets/tray/<state>.ico                                   the same for Windows at every notification-area scale
//   assets/icons/<n>x<n>.png                                  app icon sizes (the Linux icon set)
//   assets/icon.ico, assets/icon.icns                         Windows and macOS app icons
// Tools: rsvg-convert (Debian librsvg2-bin) renders the SVG, ImageMagick (Debian imagemagick) normalises PNGs and
// writes the ICO. The ICNS container is assembled here: it is a flat list of PNG blobs that ImageMagick cannot write.
// The outputs are committed; run this again after changing the drawing: `node scripts/make-icons.mjs`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot as root } from './project-root.mjs';

const assets = join(root, 'assets');
const source = readFileSync(join(assets, 'source', 'cloudtoken.svg'), 'utf8');

// The tray states of the credential session (issue 8) and how each one looks.
// Colours are chosen to read on both the dark and the light panels of Linux desktops and the Windows taskbar.
const TRAY_STATES = {
  signedOut: { mark: null, colour: '#8c959f' },
  active: { mark: 'keyhole', colour: '#2f7bf5' },
  refreshing: { mark: 'refresh', colour: '#2f7bf5' },
  attention: { mark: 'exclaim', colour: '#e8590c' },
};
const APP_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// Windows draws notification-area icons at 16 px times the display scale (100 % to 300 %); an ICO lets it pick
// a drawn size instead of scaling the @1x or @2x PNG.
const TRAY_ICO_SIZES = [16, 20, 24, 32, 40, 48];
// ICNS element types holding PNG data, by pixel size (a size may appear twice: as itself and as the @2x of half).
const ICNS_TYPES = [
  ['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024],
  ['ic11', 32], ['ic12', 64], ['ic13', 256], ['ic14', 512],
];
// The outline of a signed-out cloud: thick enough that some pixels stay fully opaque at 16 px.
const OUTLINE_WIDTH = 2.8;

const defs = source.match(/^\s*<defs>[\s\S]*?<\/defs>/m)?.[0];
if (!defs) throw new Error('assets/source/cloudtoken.svg has no <defs> block');

function traySvg(state, template) {
  const { mark, colour } = TRAY_STATES[state];
  const ink = template ? '#000000' : colour;
  let body;
  if (mark === null) {
    body = `<use href="#cloud" fill="none" stroke="${ink}" stroke-width="${OUTLINE_WIDTH}" stroke-linejoin="round"/>`;
  } else if (template) {
    // Template images carry meaning in alpha only, so the mark is cut out of the cloud rather than painted.
    body = `<mask id="cut"><use href="#cloud" fill="#ffffff"/><use href="#${mark}" fill="#000000"/></mask>`
      + `<rect width="32" height="32" fill="${ink}" mask="url(#cut)"/>`;
  } else {
    body = `<use href="#cloud" fill="${ink}"/><use href="#${mark}" fill="#ffffff"/>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">${defs}${body}</svg>`;
}

function run(command, args, input) {
  return execFileSync(command, args, { input, stdio: ['pipe', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
}

// Renders an SVG to an 8-bit RGBA PNG with no timestamps, so regenerating unchanged art leaves git clean.
function renderPng(svg, size, outFile, { blackOnly = false } = {}) {
  const rendered = run('rsvg-convert', ['--width', String(size), '--height', String(size), '--format', 'png'], svg);
  const blacken = blackOnly ? ['-channel', 'RGB', '-evaluate', 'set', '0', '+channel'] : [];
  run('convert', ['png:-', ...blacken, '-strip', '-define', 'png:exclude-chunks=date,time', `PNG32:${outFile}`], rendered);
}

function buildIcns(pngBySize) {
  const elements = ICNS_TYPES.map(([type, size]) => {
    const png = pngBySize.get(size);
    if (!png) throw new Error(`no ${size}px PNG for ICNS element ${type}`);
    const header = Buffer.alloc(8);
    header.write(type, 0, 'latin1');
    header.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([header, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'latin1');
  header.writeUInt32BE(8 + elements.reduce((sum, element) => sum + element.length, 0), 4);
  return Buffer.concat([header, ...elements]);
}

function main() {
  const trayDir = join(assets, 'tray');
  const iconDir = join(assets, 'icons');
  mkdirSync(trayDir, { recursive: true });
  mkdirSync(iconDir, { recursive: true });

  const scratch = mkdtempSync(join(tmpdir(), 'cloudtoken-icons-'));
  try {
    for (const state of Object.keys(TRAY_STATES)) {
      for (const [suffix, size] of [['', 16], ['@2x', 32]]) {
        renderPng(traySvg(state, true), size, join(trayDir, `${state}Template${suffix}.png`), { blackOnly: true });
        renderPng(traySvg(state, false), size, join(trayDir, `${state}${suffix}.png`));
      }
      const icoParts = TRAY_ICO_SIZES.map((size) => {
        const part = join(scratch, `${state}-${size}.png`);
        renderPng(traySvg(state, false), size, part);
        return part;
      });
      run('convert', [...icoParts, join(trayDir, `${state}.ico`)]);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const pngBySize = new Map();
  for (const size of APP_ICON_SIZES) {
    const file = join(iconDir, `${size}x${size}.png`);
    renderPng(source, size, file);
    pngBySize.set(size, readFileSync(file));
  }

  run('convert', [...ICO_SIZES.map((size) => join(iconDir, `${size}x${size}.png`)), join(assets, 'icon.ico')]);
  writeFileSync(join(assets, 'icon.icns'), buildIcns(pngBySize));
}

main();
