// Termination messages (kubelet: kuberuntime_container.go, getTerminationMessage and
// readLastStringFromContainerLogs). A container writes why it ended to terminationMessagePath;
// that path is a bind mount of a host file natslet creates for each container attempt, so the
// message outlives the container's filesystem and is read from the host after the exit.
import { chmod, mkdir, open, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { NatsletError } from "@natslet/contracts";

/** kubelet: MaxContainerTerminationMessageLength. */
export const MAX_MESSAGE_BYTES = 4096;
/** kubelet: MaxContainerTerminationMessageLogLines / ...LogLength. */
export const LOG_TAIL_LINES = 80;
export const LOG_TAIL_BYTES = 2048;
/** Enough of the log file's end for 80 lines of 2 KiB of text plus their CRI prefixes. */
const LOG_READ_BYTES = 64 * 1024;

/** What reading a container's termination message needs, all from its CRI labels and status. */
export interface ExitedContainer {
  podUid: string;
  name: string;
  attempt: number;
  exitCode: number;
  /** "File" or "FallbackToLogsOnError" (annotation io.kubernetes.container.terminationMessagePolicy). */
  policy: string;
  /** The container's CRI log file (ContainerStatus.logPath). */
  logPath: string;
}

/** Host files under `<rootDir>/pods/<uid>/containers/<name>/<attempt>`. */
export class TerminationMessages {
  constructor(private readonly rootDir: string) {}

  podDir(podUid: string): string {
    return join(this.rootDir, "pods", pathSegment(podUid, "pod UID"));
  }

  file(podUid: string, name: string, attempt: number): string {
    return join(this.podDir(podUid), "containers", pathSegment(name, "container name"), String(attempt));
  }

  /**
   * Creates the (empty) file to bind-mount, before CreateContainer: a bind mount needs its
   * source. An existing file is kept, not truncated: it may belong to a container that a retry
   * of the same attempt is about to find. World-writable, so a non-root container can write it.
   */
  async prepare(podUid: string, name: string, attempt: number): Promise<string> {
    const path = this.file(podUid, name, attempt);
    await mkdir(join(path, ".."), { recursive: true });
    const handle = await open(path, "a", 0o666);
    await handle.close();
    await chmod(path, 0o666); // open's mode is masked by the umask
    return path;
  }

  /**
   * The message: the file's last 4096 bytes; with FallbackToLogsOnError, an empty file and a
   * failed exit, the tail of the container's log instead. undefined when there is none.
   */
  async read(c: ExitedContainer): Promise<string | undefined> {
    let message = "";
    if (isSafeSegment(c.podUid) && isSafeSegment(c.name)) {
      message = (await readTail(this.file(c.podUid, c.name, c.attempt), MAX_MESSAGE_BYTES))?.text ?? "";
    }
    if (message === "" && c.policy === "FallbackToLogsOnError" && c.exitCode !== 0 && c.logPath !== "") {
      const tail = await readTail(c.logPath, LOG_READ_BYTES);
      if (tail) message = criLogTail(tail.text, { startsMidLine: tail.truncated });
    }
    return message === "" ? undefined : message;
  }

  /** Removes every termination file of the pod (with its last sandbox). */
  async removePod(podUid: string): Promise<void> {
    // Only our own subdir: the volume-manager's volumes (tmpfs, subPath binds of host dirs) live
    // beside it under the same pod dir, and an rm -r across a bind mount would delete host files.
    await rm(join(this.podDir(podUid), "containers"), { recursive: true, force: true });
    await rmdir(this.podDir(podUid)).catch(() => undefined); // gone already, or volumes still there
  }
}

/**
 * The last 80 log entries, at most their last 2048 bytes, of CRI log text
 * ("<RFC3339Nano> <stream> <P|F> <text>" per line; P = partial, continued by the next line).
 * `startsMidLine`: the text was cut from a longer file, so its first line is incomplete.
 */
export function criLogTail(raw: string, opts: { startsMidLine?: boolean } = {}): string {
  const lines = raw.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (opts.startsMidLine === true) lines.shift();
  const entries = lines.slice(-LOG_TAIL_LINES).map((line) => {
    const m = /^\S+ (?:stdout|stderr) ([PF]) (.*)$/s.exec(line);
    // A line without the prefix is not CRI format: keep it as a whole line.
    if (m === null) return `${line}\n`;
    return m[1] === "F" ? `${m[2] ?? ""}\n` : (m[2] ?? "");
  });
  return lastBytes(entries.join(""), LOG_TAIL_BYTES);
}

/** The last `max` bytes of `text` as UTF-8, without a character cut in half at the start. */
function lastBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= max) return text;
  return bytes.subarray(bytes.length - max).toString("utf8").replace(/^\uFFFD+/, "");
}

/** The last `max` bytes of a file; undefined when it does not exist. */
async function readTail(path: string, max: number): Promise<{ text: string; truncated: boolean } | undefined> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, max);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, size - length);
    return { text: buffer.subarray(0, bytesRead).toString("utf8"), truncated: size > length };
  } finally {
    await handle.close();
  }
}

/** Pod UIDs and container names become path segments: refuse anything that could escape. */
function isSafeSegment(value: string): boolean {
  return value !== "" && value !== "." && value !== ".." && !value.includes("/") && !value.includes("\0");
}

function pathSegment(value: string, what: string): string {
  if (!isSafeSegment(value)) throw new NatsletError("InvalidInput", `${what} ${JSON.stringify(value)} cannot be a path segment`);
  return value;
}
