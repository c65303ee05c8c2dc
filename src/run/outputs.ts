// An output folder that never holds a half-written file: every file is written to a temporary
// name and renamed into place, and manifest.json lists each complete file with its size and
// CRC-32. A failed write (full or read-only disk, I/O error) raises an OutputError that names the
// file and the cause, after removing its temporary file. The file layer is injectable so that
// tests can make a write fail (ENOSPC, EROFS, EIO) at a chosen point.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { crc32 } from '../io/crc32.js';

/** The file operations the runner uses (node:fs by default). */
export interface FileLayer {
  writeFileSync(path: string, data: Uint8Array | string): void;
  appendFileSync(path: string, data: string): void;
  renameSync(from: string, to: string): void;
  readFileSync(path: string): Uint8Array;
  existsSync(path: string): boolean;
  statSync(path: string): { isDirectory(): boolean; size: number };
  mkdirSync(path: string, opts: { recursive: true }): void;
  unlinkSync(path: string): void;
  truncateSync(path: string, length: number): void;
}

export const nodeFiles: FileLayer = {
  writeFileSync: (p, d) => fs.writeFileSync(p, d),
  appendFileSync: (p, d) => fs.appendFileSync(p, d),
  renameSync: (a, b) => fs.renameSync(a, b),
  readFileSync: (p) => new Uint8Array(fs.readFileSync(p)),
  existsSync: (p) => fs.existsSync(p),
  statSync: (p) => fs.statSync(p),
  mkdirSync: (p, o) => {
    fs.mkdirSync(p, o);
  },
  unlinkSync: (p) => fs.unlinkSync(p),
  truncateSync: (p, n) => fs.truncateSync(p, n),
};

/** A file could not be written or read; `path` and the system `code` (ENOSPC, EROFS, …) say which and why. */
export class OutputError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    /** The cause in words, and what it means for the run. */
    readonly detail: string,
  ) {
    super(`could not write ${path}: ${code}${detail ? ` (${detail})` : ''}`);
    this.name = 'OutputError';
  }
}

function wrap(path: string, e: unknown): OutputError {
  const err = e as NodeJS.ErrnoException;
  return new OutputError(
    path,
    err?.code ?? 'error',
    err?.message?.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') ?? String(e),
  );
}

/**
 * Writes a file complete or not at all: to `path.tmp`, then renamed over `path`. On failure the
 * temporary is removed and an OutputError names the file and the cause. Returns the bytes written.
 */
export function writeAtomic(files: FileLayer, path: string, data: Uint8Array | string): Uint8Array {
  const tmp = `${path}.tmp`;
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    files.writeFileSync(tmp, bytes);
    files.renameSync(tmp, path);
  } catch (e) {
    try {
      if (files.existsSync(tmp)) files.unlinkSync(tmp);
    } catch {
      /* the original error is the one to report */
    }
    throw wrap(path, e);
  }
  return bytes;
}

export const MANIFEST = 'manifest.json';

export interface Manifest {
  format: 'fractaxis-output';
  /** Name of the run's scenario, and its model digest: what the folder holds. */
  scenario: string;
  digest: string;
  status: string;
  files: Record<string, { bytes: number; crc32: string }>;
}

export class OutputFolder {
  readonly manifest: Manifest;

  constructor(
    readonly dir: string,
    readonly files: FileLayer,
    manifest: Manifest,
  ) {
    this.manifest = manifest;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Writes a complete file (temporary name, then rename) and records it; the manifest is saved by `commit`. */
  write(name: string, data: Uint8Array | string): void {
    const bytes = writeAtomic(this.files, this.path(name), data);
    this.manifest.files[name] = { bytes: bytes.length, crc32: crc32(bytes).toString(16).padStart(8, '0') };
  }

  /** Appends to a log file (the diagnostics series); a crash may leave a partial tail, which resume truncates. */
  append(name: string, text: string): void {
    try {
      this.files.appendFileSync(this.path(name), text);
    } catch (e) {
      throw wrap(this.path(name), e);
    }
    const bytes = new TextEncoder().encode(text),
      entry = this.manifest.files[name];
    const crc = crc32(bytes, entry ? parseInt(entry.crc32, 16) : 0);
    this.manifest.files[name] = {
      bytes: (entry?.bytes ?? 0) + bytes.length,
      crc32: crc.toString(16).padStart(8, '0'),
    };
  }

  /** Records a file as it is on disk now (after a resume truncated a log back to its checkpointed length). */
  record(name: string): void {
    const bytes = this.files.readFileSync(this.path(name));
    this.manifest.files[name] = { bytes: bytes.length, crc32: crc32(bytes).toString(16).padStart(8, '0') };
  }

  /** Saves the manifest (atomically): the list of files that are complete now. */
  commit(status: string): void {
    this.manifest.status = status;
    const { [MANIFEST]: _self, ...files } = this.manifest.files;
    this.manifest.files = files;
    this.write(MANIFEST, JSON.stringify(this.manifest, null, 2));
    delete this.manifest.files[MANIFEST];
  }

  /** Removes the files a previous run listed in its manifest (and their temporaries); nothing else. */
  clear(previous: Manifest): void {
    for (const name of [...Object.keys(previous.files), MANIFEST]) {
      for (const p of [this.path(name), `${this.path(name)}.tmp`]) {
        try {
          if (this.files.existsSync(p)) this.files.unlinkSync(p);
        } catch (e) {
          throw wrap(p, e);
        }
      }
    }
  }
}
