// SVG → PNG in Node with resvg (Rust SVG renderer compiled to WebAssembly) and DejaVu Sans from the
// package's dependencies, never a system font: a figure renders to the same pixels on every machine.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { FONT } from '../io/figure.js';

let ready: Promise<void> | null = null;
let font: Uint8Array | null = null;

/** Loads the renderer and the font once (call before svgToPng). */
export function initRenderer(): Promise<void> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    font = new Uint8Array(readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')));
    await initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
  })();
  return ready;
}

/** An SVG figure rendered at `scale` × its size (after initRenderer): PNG bytes and RGBA pixels. */
export function renderSvg(
  svg: string,
  scale = 1.5,
): { png: Uint8Array; pixels: Uint8Array; width: number; height: number } {
  if (!font) throw new Error('renderSvg: call initRenderer() first');
  const r = new Resvg(svg, {
    font: { fontBuffers: [font], defaultFontFamily: FONT, sansSerifFamily: FONT, loadSystemFonts: false },
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
  });
  const image = r.render();
  const out = { png: image.asPng(), pixels: image.pixels.slice(), width: image.width, height: image.height };
  image.free();
  r.free();
  return out;
}

/** A PNG of an SVG figure at `scale` × its size (after initRenderer). */
export function svgToPng(svg: string, scale = 1.5): Uint8Array {
  return renderSvg(svg, scale).png;
}
