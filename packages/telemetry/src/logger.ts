import { trace } from "@opentelemetry/api";
import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * JSON logs with the service and node on every line, and the active trace/span id (the mixin
 * runs per line, so a log inside a handler carries the handler's trace).
 */
export function createLogger(opts: { service: string; node: string; level: string }): Logger {
  return pino({
    level: opts.level,
    base: { service: opts.service, node: opts.node },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  });
}
