// Container log rotation, as the kubelet's logs.ContainerLogManager does it: every period, each
// running container whose CRI log file has grown past maxBytes gets its file renamed to
// <path>.<YYYYMMDD-hhmmss> and the runtime told to reopen (CRI ReopenContainerLog), so it starts
// a fresh <path>. Rotated files beyond maxFiles-1 are removed, oldest first. Unlike the kubelet,
// rotated files are not gzipped: the node-api reads them back as they are (names: core rotated-logs.ts).
import { readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { rotatedLogNames, rotatedLogSuffix } from "@natslet/core";
import { isNotFound, type RuntimeService } from "@natslet/cri";
import type { Logger } from "@natslet/telemetry";

export interface LogRotationSettings {
  /** Rotate a log file once it is at least this big (kubelet containerLogMaxSize, 10Mi). */
  maxBytes: number;
  /** Files kept per container, the live one included (kubelet containerLogMaxFiles, 5). */
  maxFiles: number;
  /** How often files are checked (the kubelet checks every 10 s). */
  periodMs: number;
}

export const DEFAULT_LOG_ROTATION: LogRotationSettings = { maxBytes: 10 * 1024 * 1024, maxFiles: 5, periodMs: 10_000 };

type RotationCri = Pick<RuntimeService, "reopenContainerLog">;

/** A running container and its CRI log file. */
export interface ContainerLog {
  id: string;
  logPath: string;
}

/** Rotated siblings of `logPath` (core's naming rule), oldest first. */
export async function rotatedFiles(logPath: string): Promise<string[]> {
  const dir = dirname(logPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  return rotatedLogNames(basename(logPath), names).map((n) => join(dir, n));
}

export class LogRotator {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  /** `runningLogs`: the running containers' log files (the observer's cached statuses: no CRI status call per container per pass). */
  constructor(
    private readonly cri: RotationCri,
    private readonly runningLogs: () => Promise<readonly ContainerLog[]>,
    private readonly settings: LogRotationSettings,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.rotateAll()
        .catch((err: unknown) => this.log.warn({ err }, "log rotation pass failed"))
        .finally(() => (this.#running = undefined));
    }, this.settings.periodMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /**
   * One pass over the running containers. A container that fails (its status, the rename, the
   * reopen) is logged and skipped, as the kubelet's rotateLogs does: one container failing on
   * every pass must not keep all the others from rotating until the disk is full.
   */
  async rotateAll(): Promise<void> {
    for (const c of await this.runningLogs()) {
      try {
        await this.rotateOne(c.id, c.logPath);
      } catch (err) {
        if (!isNotFound(err)) this.log.warn({ err, containerId: c.id }, "container log rotation failed");
      }
    }
  }

  async rotateOne(containerId: string, logPath: string): Promise<boolean> {
    const size = await stat(logPath).then((s) => s.size, () => 0);
    if (size < this.settings.maxBytes) return false;
    const rotated = await rotatedFiles(logPath);
    const target = `${logPath}.${rotatedLogSuffix(this.now())}`;
    if (rotated.includes(target)) return false; // rotated within this second already
    // Keep maxFiles-1 files besides the live one, counting the one made now.
    for (const old of rotated.slice(0, Math.max(0, rotated.length - (this.settings.maxFiles - 2)))) await rm(old, { force: true });
    await rename(logPath, target);
    try {
      await this.cri.reopenContainerLog({ containerId });
    } catch (err) {
      // The runtime still writes to the renamed file: put it back, as the kubelet does.
      await rename(target, logPath).catch(() => undefined);
      if (isNotFound(err)) return false;
      throw err;
    }
    this.log.debug({ containerId, logPath, size }, "rotated container log");
    return true;
  }
}
