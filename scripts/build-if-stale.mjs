// `npm start` builds only when a source is newer than the build: the kernels (assembly/), the
// library (src/), or the build configuration.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newest = (path) => {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
};
const outputs = ['dist/cli.js', 'dist/index.js', 'dist/node.js', 'src/backend/kernels.generated.ts'];
const built = outputs.every(existsSync) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
const sources = Math.max(
  ...['assembly', 'src', 'asconfig.json', 'tsup.config.ts', 'package.json', 'scripts/embed-wasm.mjs'].map(
    (p) => (existsSync(p) ? newest(p) : 0),
  ),
);
// kernels.generated.ts is itself written by the build (it lives under src/): compare against the rest.
if (sources > built + 1) execSync('npm run build', { stdio: 'inherit' });
else console.error('fractaxis: build is up to date');
