import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** A child process of a test component, its output captured in a log file. */
export class ManagedProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  private constructor(
    readonly name: string,
    readonly logFile: string,
    child: ChildProcess,
  ) {
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exitCode = code ?? (signal ? 128 : null);
        resolve(this.#exitCode);
      });
    });
    liveChildren.add(child);
    child.once("exit", () => liveChildren.delete(child));
  }

  /** Starts `command` with stdout and stderr appended to `logFile`. */
  static start(
    name: string,
    command: string,
    args: readonly string[],
    opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
  ): ManagedProcess {
    const fd = openSync(opts.logFile, "a");
    try {
      const child = spawn(command, args, {
        stdio: ["ignore", fd, fd],
        env: opts.env ?? process.env,
        cwd: opts.cwd,
      });
      return new ManagedProcess(name, opts.logFile, child);
    } finally {
      closeSync(fd); // the child holds its own copy
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** The last lines of the log, for error messages. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /**
   * Polls `ready` until it resolves true. Fails early, with the log's tail, if the process exits,
   * and after `timeoutMs` otherwise.
   */
  async waitUntil(ready: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`${this.name} exited (${String(this.#exitCode)}) before ${what}:\n${this.tail()}`);
      }
      try {
        if (await ready()) return;
      } catch (err) {
        lastError = err;
      }
      await sleep(100);
    }
    const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
    throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}${detail}:\n${this.tail()}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.#child.kill("SIGTERM");
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** SIGKILL at once (crash tests). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child.kill("SIGKILL");
    await this.#exited;
  }
}

// A test process that dies on an assertion or is stopped (test runner timeout, Ctrl-C) must not
// leave servers behind: kill what is left.
const liveChildren = new Set<ChildProcess>();
function killLiveChildren(): void {
  for (const child of liveChildren) child.kill("SIGKILL");
}
process.once("exit", killLiveChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // Another listener (e.g. `make run`'s graceful stop) owns shutdown; stay out of its way.
    if (process.listenerCount(signal) > 1) return;
    killLiveChildren();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}
