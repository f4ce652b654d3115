import { trace } from "@opentelemetry/api";
import { pino, type Logger } from "pino";
import { prettyDestination } from "./pretty.js";
import type { LogFormat } from "./settings.js";

export type { Logger } from "pino";

/**
 * JSON logs with the service and node on every line, and the active trace/span id (the mixin
 * runs per line, so a log inside a handler carries the handler's trace).
 */
export function createLogger(opts: { service: string; node: string; level: string; format?: LogFormat }): Logger {
  const options = {
    level: opts.level,
    base: { service: opts.service, node: opts.node },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  };
  return opts.format === "pretty" ? pino(options, prettyDestination()) : pino(options);
}
