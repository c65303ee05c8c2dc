// The browser demo in real Chromium (Debian's package, driven by playwright-core): frames
// advance, mass stays constant without growth, the backend can be switched mid-run.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
// @ts-expect-error plain ESM script without types
import { startServer } from '../scripts/serve-web.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it with apt (package chromium)`);

describe.skipIf(!available)('browser demo (headless Chromium)', () => {
  it('runs live in a worker: frames advance, mass is conserved, backend switches, screenshot saved', async () => {
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
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      const demo = () =>
        page.evaluate(
          () =>
            (
              window as unknown as {
                __fractaxisDemo: {
                  frames: number;
                  masses: number[];
                  backend: string;
                  status: string;
                  t: number;
                  worstMinOverMax: number;
                };
              }
            ).__fractaxisDemo,
        );
      await page.waitForFunction(
        () => (window as unknown as { __fractaxisDemo: { frames: number } }).__fractaxisDemo.frames >= 5,
        null,
        { timeout: 60_000 },
      );
      const a = await demo();
      expect(a.backend).toBe('wasm');
      expect(a.status).toBe('running');
      expect(a.t).toBeGreaterThan(0);
      // The page stays responsive while the worker computes: a round trip answers at once.
      const t0 = Date.now();
      await page.evaluate(() => 1 + 1);
      expect(Date.now() - t0).toBeLessThan(1000);
      // Switch backend: the same run continues on js.
      await page.selectOption('#backend', 'js');
      await page.waitForFunction(
        (n) => {
          const d = (window as unknown as { __fractaxisDemo: { frames: number; backend: string } })
            .__fractaxisDemo;
          return d.backend === 'js' && d.frames >= n + 3;
        },
        a.frames,
        { timeout: 60_000 },
      );
      const b = await demo();
      expect(b.t).toBeGreaterThan(a.t);
      const m0 = b.masses[0];
      for (const m of b.masses) expect(Math.abs(m - m0) / m0).toBeLessThan(1e-9);
      expect(b.worstMinOverMax).toBeGreaterThanOrEqual(-1e-12); // finite volumes: no negative density in any frame
      expect(await page.textContent('#stats')).toMatch(/backend\s+js[\s\S]*steps\/s\s+\d/);
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/demo.png' });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      server.close();
    }
  });
});
