import type { Logger } from "pino";

/** Something to stop on shutdown, in the order registered (stop taking work first). */
export interface Closer {
  name: string;
  close: () => Promise<void> | void;
}

/**
 * SIGTERM/SIGINT: run the closers in order (each bounded by `timeoutMs`), then exit 0. A second
 * signal while draining exits 1 at once. Returns `shutdown` for a fatal error path.
 */
export function handleShutdown(log: Logger, closers: readonly Closer[], timeoutMs = 20_000): (reason: string, code?: number) => Promise<void> {
  let draining = false;
  const shutdown = async (reason: string, code = 0): Promise<void> => {
    if (draining) {
      log.warn({ reason }, "second stop request: exiting now");
      process.exit(1);
    }
    draining = true;
    log.info({ reason }, "shutting down");
    for (const closer of closers) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve(closer.close()),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } catch (err) {
        log.error({ err, closer: closer.name }, "close failed");
      } finally {
        clearTimeout(timer);
      }
    }
    log.info("stopped");
    process.exit(code);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return shutdown;
}
