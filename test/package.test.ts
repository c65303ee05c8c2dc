// The published package as its users meet it: types that resolve for ESM and CommonJS consumers
// (arethetypeswrong), a package.json that publint accepts, a CommonJS TypeScript project that
// compiles and runs against it, and no source maps in the files that ship.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const run = (cmd: string, args: string[], cwd = root) => spawnSync(cmd, args, { cwd, encoding: 'utf8' });

describe('the published package', () => {
  it('arethetypeswrong: the main entry resolves for node16 ESM and CJS; fractaxis/node for ESM (it is ESM only)', () => {
    const main = run(bin('attw'), [
      '--pack',
      '.',
      '--profile',
      'node16',
      '--entrypoints',
      '.',
      '--format',
      'json',
    ]);
    expect(main.status, main.stdout + main.stderr).toBe(0);
    expect(JSON.parse(main.stdout).problems).toEqual({});
    const node = run(bin('attw'), ['--pack', '.', '--profile', 'esm-only', '--entrypoints', './node']);
    expect(node.status, node.stdout + node.stderr).toBe(0);
  });

  it('publint finds nothing to fix', () => {
    const r = run(bin('publint'), ['--strict']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/All good/);
  });

  it('a CommonJS TypeScript project compiles against the package and runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fractaxis-cjs-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'fractaxis'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'commonjs' }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          strict: true,
          outDir: 'out',
          skipLibCheck: false,
          types: [],
        },
        files: ['main.ts'],
      }),
    );
    writeFileSync(
      join(dir, 'main.ts'),
      `import { createBackend, KellerSegel, type Diagnostics } from 'fractaxis';
async function main(): Promise<void> {
  const m = new KellerSegel(await createBackend('js'), { grid: { n: [16] }, alpha: 1.5, chi: 1, chemical: { type: 'elliptic' }, initial: { rho: 1 } });
  const seen: Diagnostics[] = [];
  const r = await m.solve({ tEnd: 0.05, dt: 0.01, observers: [(d) => void seen.push(d)] });
  console.log(r.status, seen.length);
}
void main();
`,
    );
    const tsc = run(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir],
      dir,
    );
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    expect(execFileSync(process.execPath, [join(dir, 'out', 'main.js')], { encoding: 'utf8' }).trim()).toBe(
      'done 6',
    );
  });

  it('ships no source maps, and its files list what the entries need', () => {
    const pack = JSON.parse(run('npm', ['pack', '--dry-run', '--json']).stdout)[0] as {
      files: { path: string }[];
    };
    const files = pack.files.map((f) => f.path);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/node.js',
      'dist/node.d.ts',
      'dist/cli.js',
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
    ])
      expect(files, f).toContain(f);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const k of ['repository', 'homepage', 'bugs', 'keywords', 'license', 'engines'])
      expect(pkg[k], k).toBeDefined();
  });
});

describe('the API reference', () => {
  it('builds with TypeDoc and every public export is documented (a warning fails the build)', () => {
    const r = run(bin('typedoc'), ['--emit', 'none']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }, 60_000);
});
