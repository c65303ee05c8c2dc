// Keeps the README true: every ```ts example runs against the built bundle (run lengths shortened).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const readme = readFileSync(resolve(__dirname, '..', 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const dist = resolve(__dirname, '..', 'dist', 'index.js');

describe('README examples', () => {
  it('has examples', () => expect(blocks.length).toBeGreaterThanOrEqual(2));
  it.each(blocks.map((b, i) => [i, b]))('example %i runs', (_i, code) => {
    const short = (code as string)
      .replace(/from 'fractaxis'/g, `from ${JSON.stringify(dist)}`)
      .replace(/tEnd: [\d.e-]+/g, 'tEnd: 0.02')
      .replace(/console\.log\(/g, '(() => {})(');
    const js = ts.transpileModule(short, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = join(mkdtempSync(join(tmpdir(), 'fractaxis-readme-')), 'example.mjs');
    writeFileSync(file, js);
    expect(() => execFileSync('node', [file], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });
});
