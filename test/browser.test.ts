// The browser demo in real Chromium (Debian's package, driven by playwright-core), served by
// `fractaxis demo`'s server: frames advance, mass stays constant without growth, the figure has its
// colour bar and axes, pause/step/resume, parameters applied to the running state, exports, the
// backend switched mid-run, an honest status when a run stops.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { startServer } from '../src/run/serve.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it with apt (package chromium)`);

interface DemoState {
  frames: number;
  masses: number[];
  times: number[];
  backend: string;
  threads: number;
  status: string;
  t: number;
  worstMinOverMax: number;
}
const state = (page: Page) =>
  page.evaluate(() => {
    const d = (window as unknown as { __fractaxisDemo: DemoState }).__fractaxisDemo;
    return { ...d, masses: [...d.masses], times: [...d.times] };
  });
const waitFor = (page: Page, test: string, arg?: unknown) =>
  page.waitForFunction(
    ([body, a]) =>
      new Function('d', 'a', `return ${body}`)(
        (window as unknown as { __fractaxisDemo: DemoState }).__fractaxisDemo,
        a,
      ),
    [test, arg] as const,
    { timeout: 60_000 },
  );

describe.skipIf(!available)('browser demo (headless Chromium)', () => {
  it('runs live, with a colour bar and axes, pause/step/resume, live parameters, exports and backend switch', async () => {
    const { server, url } = await startServer(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ acceptDownloads: true });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${url}?chi=1`); // a stable uniform state: the run goes on until told otherwise
      await waitFor(page, 'd.frames >= 5');
      const a = await state(page);
      expect(a.backend).toBe('wasm');
      expect(a.status).toBe('running');
      // The demo server sends COOP/COEP: the page is cross-origin isolated, so the wasm backend in
      // the worker runs its kernels on every core (Web Workers on shared memory).
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      expect(a.threads).toBe(await page.evaluate(() => navigator.hardwareConcurrency));
      expect(await page.textContent('#stats')).toMatch(/backend\s+wasm \(\d+ threads?\)/);
      // On the page's main thread (which may not block: it spins at the barriers), a 2-thread
      // backend's 2-D transform, cut across a Web Worker, equals the one-thread one bitwise.
      // (A string: vitest would rewrite an import() inside a function.)
      const same = await page.evaluate(`(async () => {
        const { createBackend } = await import('/dist/index.js');
        const transform = async (threads) => {
          const be = await createBackend('wasm', { threads });
          const r = be.fromArray('x', Float64Array.from({ length: 512 * 256 }, (_, i) => Math.sin(0.37 * i)));
          const s = be.alloc(2 * 257 * 256);
          be.rfft([512, 256, 1], r, s);
          return { threads: be.threads, bytes: new Uint8Array(s.data.slice().buffer) };
        };
        const [a, b] = [await transform(1), await transform(2)];
        return b.threads === 2 && a.bytes.length === b.bytes.length && a.bytes.every((v, i) => v === b.bytes[i]);
      })()`);
      expect(same).toBe(true);
      // The page stays responsive while the worker computes: a round trip answers at once.
      const t0 = Date.now();
      await page.evaluate(() => 1 + 1);
      expect(Date.now() - t0).toBeLessThan(1000);

      // The figure: the library's SVG heatmap with axes, ticks and a labelled colour bar.
      const svg = await page.innerHTML('#figure');
      expect(svg).toMatch(/>ρ at t = /);
      expect(svg).toMatch(/rotate\(-90[^>]*>ρ<\/text>/); // colour-bar label
      expect(svg).toMatch(/>x<\/text>/);
      // Its pixels (drawn on a canvas, as the PNG export does): the colour bar runs from yellow down to purple.
      const bar = await page.evaluate(async () => {
        const svgEl = document.querySelector('#figure svg')!;
        const rect = Array.from(svgEl.querySelectorAll('rect')).find(
          (r) => r.getAttribute('width') === '18' && r.getAttribute('fill') === 'none',
        )!;
        const [x, y, h] = ['x', 'y', 'height'].map((k) => Number(rect.getAttribute(k)));
        const canvas = await (
          window as unknown as { __fractaxisDemo: { toCanvas(s: number): Promise<HTMLCanvasElement> } }
        ).__fractaxisDemo.toCanvas(1);
        const ctx = canvas.getContext('2d')!;
        return {
          top: [...ctx.getImageData(x + 9, y + 3, 1, 1).data],
          bottom: [...ctx.getImageData(x + 9, y + h - 3, 1, 1).data],
        };
      });
      expect(bar.top[0]).toBeGreaterThan(200);
      expect(bar.top[1]).toBeGreaterThan(200);
      expect(bar.bottom[0]).toBeLessThan(90);

      // Pause: no frames; step: exactly one; resume: frames again.
      await page.click('#pause');
      await waitFor(page, "d.status === 'paused'");
      const p = await state(page);
      await page.waitForTimeout(600);
      expect((await state(page)).frames).toBe(p.frames);
      expect(await page.isDisabled('#step')).toBe(false);
      await page.click('#step');
      await waitFor(page, 'd.frames === a + 1', p.frames);
      await page.waitForTimeout(400);
      const s = await state(page);
      expect(s.frames).toBe(p.frames + 1);
      expect(s.t).toBeCloseTo(p.t + 0.1, 9);
      await page.click('#pause'); // resume
      await waitFor(page, 'd.frames >= a + 3', s.frames);

      // A new χ acts on the running state: time goes on, no restart.
      const before = await state(page);
      await page.$eval('#chi', (el) => {
        (el as HTMLInputElement).value = '2';
        el.dispatchEvent(new Event('change'));
      });
      await page.waitForFunction(
        () =>
          (window as unknown as { __fractaxisDemo: { last: { params: { chi: number } } } }).__fractaxisDemo
            .last.params.chi === 2,
        null,
        { timeout: 60_000 },
      );
      await waitFor(page, 'd.frames >= a + 3', (await state(page)).frames);
      const after = await state(page);
      expect(Math.min(...after.times.slice(before.frames))).toBeGreaterThanOrEqual(before.t - 1e-9);
      expect(await page.innerHTML('#figure')).toMatch(/χ = 2/);

      // Exports: a PNG and the density as .npy.
      const [png] = await Promise.all([page.waitForEvent('download'), page.click('#exportPng')]);
      expect(png.suggestedFilename()).toMatch(/^fractaxis-rho-t[\d.]+\.png$/);
      const [npy] = await Promise.all([page.waitForEvent('download'), page.click('#exportData')]);
      expect(npy.suggestedFilename()).toMatch(/\.npy$/);

      // Switch backend: the same run continues on js.
      await page.selectOption('#backend', 'js');
      await waitFor(page, "d.backend === 'js' && d.frames >= a + 3", after.frames);
      const b = await state(page);
      expect(b.threads).toBe(1);
      expect(b.t).toBeGreaterThan(after.t);
      const m0 = b.masses[0];
      for (const m of b.masses) expect(Math.abs(m - m0) / m0).toBeLessThan(1e-9);
      expect(b.worstMinOverMax).toBeGreaterThanOrEqual(-1e-12); // finite volumes: no negative density in any frame
      expect(await page.textContent('#stats')).toMatch(/backend\s+js[\s\S]*steps\/s\s+\d/);

      // A run that stops says so, and why.
      await page.$eval('#chi', (el) => {
        (el as HTMLInputElement).value = '10';
        el.dispatchEvent(new Event('change'));
      });
      await waitFor(page, "!['running', 'paused'].includes(d.status)");
      expect(await page.textContent('#status')).toMatch(/^stopped: blow-up at t = [\d.]+ \(max density/);
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/demo.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      server.close();
    }
  }, 240_000);
});
