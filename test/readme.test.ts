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
const distNode = resolve(__dirname, '..', 'dist', 'node.js');

describe('README examples', () => {
  it('has examples', () => expect(blocks.length).toBeGreaterThanOrEqual(2));
  it.each(blocks.map((b, i) => [i, b]))('example %i runs', (_i, code) => {
    const short = (code as string)
      .replace(/from 'fractaxis'/g, `from ${JSON.stringify(dist)}`)
      .replace(/from 'fractaxis\/node'/g, `from ${JSON.stringify(distNode)}`)
      .replace(/tEnd: [\d.e-]+/g, 'tEnd: 0.02')
      .replace(/console\.log\(/g, '(() => {})(');
    const js = ts.transpileModule(short, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const dir = mkdtempSync(join(tmpdir(), 'fractaxis-readme-')),
      file = join(dir, 'example.mjs');
    writeFileSync(file, js);
    // Run in a scratch folder: examples that write outputs write them there.
    expect(() => execFileSync('node', [file], { encoding: 'utf8', stdio: 'pipe', cwd: dir })).not.toThrow();
  });
});
