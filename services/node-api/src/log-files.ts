// Reading a container's CRI log files: the live file plus the ones log rotation renamed to
// <path>.<YYYYMMDD-hhmmss> (runtime-adapter log-rotation.ts), oldest first. Nothing here loads a
// whole file: reads go through one fixed-size buffer, `tail` scans backwards in chunks.
import { open, readdir, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { rotatedLogNames } from "@natslet/core";

export const CHUNK_BYTES = 64 * 1024;

/** The files log rotation renamed from `logPath` (core's naming rule), oldest first. */
async function rotatedFiles(logPath: string): Promise<string[]> {
  const dir = dirname(logPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  return rotatedLogNames(basename(logPath), names).map((n) => join(dir, n));
}

/** The rotated files of `logPath`, oldest first, then `logPath` itself if it exists. */
export async function logFiles(logPath: string): Promise<string[]> {
  const live = await stat(logPath).then(() => [logPath], () => []);
  return [...(await rotatedFiles(logPath)), ...live];
}

/**
 * The rotated files of `logPath`, oldest first, with their inodes (undefined for one removed
 * meanwhile): where a file held open now sits among them, whatever it was named when opened.
 */
export async function rotatedInodes(logPath: string): Promise<Array<{ path: string; ino: number | undefined }>> {
  const rotated = await rotatedFiles(logPath);
  return Promise.all(rotated.map(async (path) => ({ path, ino: await stat(path).then((s) => s.ino, () => undefined) })));
}

/** A log file opened for reading: the handle keeps reading the same file even if rotation renames it. */
export interface OpenLogFile {
  path: string;
  fh: FileHandle;
}

/**
 * Opens every file of the log at once (rotated ones, then the live one): a rotation during a long
 * read then renames files under open handles instead of making the reader miss one.
 */
export async function openLogFiles(logPath: string): Promise<OpenLogFile[]> {
  const opened: OpenLogFile[] = [];
  for (const path of await logFiles(logPath)) {
    const fh = await open(path, "r").catch(() => undefined); // removed by rotation meanwhile
    if (fh !== undefined) opened.push({ path, fh });
  }
  return opened;
}

/** Where reading starts: a file of the list and a byte offset in it. */
export interface Position {
  file: number;
  offset: number;
}

/**
 * The position of the first of the last `lines` lines across `files` (read as one stream), by
 * scanning backwards CHUNK_BYTES at a time. A final "\n" ends the last line rather than
 * starting an empty one.
 */
export async function tailPosition(files: readonly FileHandle[], lines: number): Promise<Position> {
  if (files.length === 0) return { file: 0, offset: 0 };
  const buf = Buffer.alloc(CHUNK_BYTES);
  let needed = lines;
  let first = true;
  for (let f = files.length - 1; f >= 0; f--) {
    const fh = files[f]!;
    let end = (await fh.stat()).size;
    if (first && lines === 0) return { file: f, offset: end };
    while (end > 0) {
      const start = Math.max(0, end - CHUNK_BYTES);
      const { bytesRead } = await fh.read(buf, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (buf[i] !== 10) {
          first = false;
          continue;
        }
        if (first) {
          // The stream's final newline: it ends the last line.
          first = false;
          continue;
        }
        if (--needed === 0) return { file: f, offset: start + i + 1 };
      }
      end = start;
    }
  }
  return { file: 0, offset: 0 };
}

/** Reads `fh` from `offset` to its current end, a chunk at a time; returns the new offset. */
export async function readToEnd(
  fh: FileHandle,
  offset: number,
  onChunk: (chunk: Buffer) => Promise<boolean>,
  buf: Buffer = Buffer.alloc(CHUNK_BYTES),
): Promise<{ offset: number; stopped: boolean }> {
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    if (bytesRead === 0) return { offset, stopped: false };
    offset += bytesRead;
    // The callback gets a copy-free view; it must finish with it before resolving.
    if (!(await onChunk(buf.subarray(0, bytesRead)))) return { offset, stopped: true };
  }
}
