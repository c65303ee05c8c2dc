// Static server of the browser demo (`fractaxis demo`): serves the package root, so that web/
// imports ../dist/index.js exactly as published (in a clone after `npm run build`, or installed).
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/cli.js (bundled) or src/run/serve.ts (tests): the package root holds web/ and dist/.
const here = fileURLToPath(new URL('.', import.meta.url));
const ROOT = here.replace(/(dist|src[\\/]run)[\\/]?$/, '');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/** Starts the server on 127.0.0.1; port 0 picks a free one. Resolves to the server and the demo's URL. */
export function startServer(port = 8123): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') {
      res.writeHead(302, { location: '/web/' });
      res.end();
      return;
    }
    const file = normalize(join(ROOT, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(ROOT.endsWith(sep) ? ROOT : ROOT + sep)) {
      res.writeHead(403);
      res.end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        // Cross-origin isolation: the page and its workers get shared memory, so the wasm backend
        // runs its kernels on every core (without these headers it falls back to one thread).
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/web/` }),
    ),
  );
}
