// Streams one container's log as `kubectl logs` wants it: from the rotated files through the live
// one (or only the last `tailLines` lines), formatted by LogFormatter, written with back-pressure;
// with `follow`, tails the live file — across rotations — until the container stops running or
// the client goes away. Memory stays at one read buffer plus what the client has not taken yet.
import { watch, type FSWatcher } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { LineSplitter, LogFormatter } from "./cri-log.js";
import { CHUNK_BYTES, openLogFiles, readToEnd, rotatedInodes, tailPosition } from "./log-files.js";
import type { LogOptions } from "./log-options.js";

export interface LogStreamRequest {
  logPath: string;
  options: LogOptions;
  /** For follow: whether the container still runs (the stream ends once it does not). */
  running: () => boolean;
  /** Writes to the client; resolves false when the client is gone. */
  write: (chunk: Buffer) => Promise<boolean>;
  signal: AbortSignal;
  /** How often a follow re-checks the file without a change notice; default 250 ms. */
  pollMs?: number;
}

/** Open followers' file watchers, for the service's gauge and for leak checks. */
export const openWatchers = { count: 0 };

export async function streamContainerLog(req: LogStreamRequest): Promise<void> {
  const { options, signal } = req;
  const formatter = new LogFormatter({
    timestamps: options.timestamps,
    ...(options.sinceMs !== undefined ? { sinceMs: options.sinceMs } : {}),
    ...(options.limitBytes !== undefined ? { limitBytes: options.limitBytes } : {}),
  });
  const splitter = new LineSplitter();
  const buf = Buffer.alloc(CHUNK_BYTES);
  // One write per read chunk, not per line: fewer, fuller TLS records, and the output held at
  // once stays about one chunk.
  const onChunk = async (chunk: Buffer): Promise<boolean> => {
    const out: Buffer[] = [];
    for (const line of splitter.push(chunk)) {
      formatter.formatInto(line, out);
      if (formatter.done) break;
    }
    // One copy: the pieces are views of the read buffer, which the next read reuses.
    if (out.length > 0 && !(await req.write(Buffer.concat(out)))) return false;
    return !formatter.done && !signal.aborted;
  };

  const files = await openLogFiles(req.logPath);
  let live: { fh: FileHandle; offset: number } | undefined;
  try {
    const handles = files.map((f) => f.fh);
    const start = options.tailLines !== undefined ? await tailPosition(handles, options.tailLines) : { file: 0, offset: 0 };
    for (let f = start.file; f < files.length; f++) {
      const { offset, stopped } = await readToEnd(handles[f]!, f === start.file ? start.offset : 0, onChunk, buf);
      if (stopped || signal.aborted) return;
      if (f === files.length - 1 && files[f]!.path === req.logPath) live = { fh: handles[f]!, offset };
    }
    if (options.follow) {
      // follow() owns the live handle from here (it may replace it after a rotation).
      const handedOver = live;
      if (handedOver !== undefined) files.pop();
      live = undefined;
      await follow(req, handedOver, onChunk, buf);
    }
  } finally {
    for (const f of files) await f.fh.close().catch(() => undefined);
  }
}

async function follow(
  req: LogStreamRequest,
  initial: { fh: FileHandle; offset: number } | undefined,
  onChunk: (chunk: Buffer) => Promise<boolean>,
  buf: Buffer,
): Promise<void> {
  const waker = new Waker(dirname(req.logPath), req.pollMs ?? 250, req.signal);
  let current = initial;
  try {
    for (;;) {
      if (req.signal.aborted) return;
      if (current === undefined) {
        // No live file yet (or rotated away and not yet reopened): wait for it.
        const fh = await open(req.logPath, "r").catch(() => undefined);
        if (fh !== undefined) current = { fh, offset: 0 };
      }
      if (current !== undefined) {
        const r = await readToEnd(current.fh, current.offset, onChunk, buf);
        current.offset = r.offset;
        if (r.stopped) return;
        const fresh = await rotatedAway(req.logPath, current.fh);
        if (fresh !== undefined) {
          let between: string[];
          try {
            // The runtime reopened the log after a rotation. Until it writes to the new file it
            // may still write to the old one: only once the new one has data is the old complete.
            // Meanwhile what reaches the old one is passed on, not held back. A later rotation
            // also proves it complete: a reader held back by a slow client may find the live file
            // empty for good (the container wrote its last line before that rotation) while
            // the rotated files after the old one hold the lines it has yet to stream.
            while ((await fresh.stat()).size === 0 && !(await rotatedSince(req.logPath, current.fh)) && req.running() && !req.signal.aborted) {
              const r = await readToEnd(current.fh, current.offset, onChunk, buf);
              current.offset = r.offset;
              if (r.stopped) {
                await fresh.close();
                return;
              }
              await waker.wait();
            }
            const last = await readToEnd(current.fh, current.offset, onChunk, buf);
            current.offset = last.offset;
            // More than one rotation while this reader was held back: the files rotated after
            // the one just read come before the new live one.
            between = last.stopped ? [] : await rotatedBetween(req.logPath, current.fh, fresh);
            if (last.stopped) {
              await fresh.close();
              return;
            }
          } catch (err) {
            await fresh.close().catch(() => undefined);
            throw err;
          }
          await current.fh.close();
          current = { fh: fresh, offset: 0 };
          for (const path of between) {
            const fh = await open(path, "r").catch(() => undefined); // removed by rotation meanwhile
            if (fh === undefined) continue;
            try {
              if ((await readToEnd(fh, 0, onChunk, buf)).stopped) return;
            } finally {
              await fh.close();
            }
          }
          continue;
        }
      }
      if (!req.running()) {
        // The container is gone: what it wrote before exiting is in the file already.
        if (current !== undefined) await readToEnd(current.fh, current.offset, onChunk, buf);
        return;
      }
      await waker.wait();
    }
  } finally {
    waker.close();
    await current?.fh.close().catch(() => undefined);
  }
}

/** The file `path` names now, opened, if it is not the one `fh` reads (a rotation happened). */
async function rotatedAway(path: string, fh: FileHandle): Promise<FileHandle | undefined> {
  const [named, reading] = await Promise.all([stat(path).catch(() => undefined), fh.stat()]);
  if (named === undefined || named.ino === reading.ino) return undefined;
  return open(path, "r").catch(() => undefined);
}

/**
 * Whether a rotated file of `path` newer than the one `fh` reads exists. Rotation renames only a
 * file the runtime filled past the size limit, so the runtime had reopened after `fh`'s file was
 * renamed and written to the reopened one: `fh`'s file gets nothing more.
 */
async function rotatedSince(path: string, fh: FileHandle): Promise<boolean> {
  const [ino, rotated] = await Promise.all([fh.stat().then((s) => s.ino), rotatedInodes(path)]);
  const at = rotated.findIndex((r) => r.ino === ino);
  return at >= 0 && at < rotated.length - 1;
}

/**
 * The rotated files of `path` newer than the one `done` read and older than `next` (which may
 * itself have been rotated meanwhile), oldest first; none when `done` is no longer among them
 * (removed: then which ones are newer is unknown).
 */
async function rotatedBetween(path: string, done: FileHandle, next: FileHandle): Promise<string[]> {
  const [doneIno, nextIno] = await Promise.all([done.stat().then((s) => s.ino), next.stat().then((s) => s.ino)]);
  const rotated = await rotatedInodes(path);
  const from = rotated.findIndex((r) => r.ino === doneIno);
  if (from < 0) return [];
  const to = rotated.findIndex((r) => r.ino === nextIno);
  return rotated.slice(from + 1, to > from ? to : undefined).map((r) => r.path);
}

/** Wakes a follower on a change in the log directory, after `pollMs` at the latest, or on abort. */
class Waker {
  #watcher: FSWatcher | undefined;
  #wake: (() => void) | undefined;
  #changed = false;

  constructor(dir: string, private readonly pollMs: number, private readonly signal: AbortSignal) {
    try {
      this.#watcher = watch(dir, { persistent: false }, () => this.#notify());
      this.#watcher.on("error", () => this.#closeWatcher()); // the dir went away: poll
      openWatchers.count++;
    } catch {
      this.#watcher = undefined; // no inotify (or no dir yet): polling only
    }
    signal.addEventListener("abort", this.#onAbort);
  }

  readonly #onAbort = () => this.#notify();

  #notify(): void {
    this.#changed = true;
    this.#wake?.();
  }

  wait(): Promise<void> {
    if (this.#changed || this.signal.aborted) {
      this.#changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        this.#changed = false;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.#wake = done;
    });
  }

  #closeWatcher(): void {
    if (this.#watcher === undefined) return;
    this.#watcher.close();
    this.#watcher = undefined;
    openWatchers.count--;
  }

  close(): void {
    this.#closeWatcher();
    this.signal.removeEventListener("abort", this.#onAbort);
    this.#wake?.();
  }
}
