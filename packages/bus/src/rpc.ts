import { SpanKind, SpanStatusCode, context, trace, type Tracer } from "@opentelemetry/api";
import {
  NoRespondersError, RequestError, TimeoutError, headers as newHeaders, type Msg, type NatsConnection, type Subscription,
} from "@nats-io/transport-node";
import { NatsletError, ValidationError, isErrorCode, type ErrorCode, type Parser } from "@natslet/contracts";
import { decodeJson, encodeJson } from "./codec.js";
import { countDeadLetter, observeRequest } from "./metrics.js";
import { headersWithTrace, traceContextOf } from "./trace-headers.js";

/** Reply headers that carry a failure (the body is then empty). */
export const ERROR_CODE_HEADER = "Natslet-Error-Code";
export const ERROR_HEADER = "Natslet-Error";

const tracer: Tracer = trace.getTracer("@natslet/bus");

export interface RequestOptions {
  timeoutMs: number;
}

/**
 * Request/reply with a JSON body both ways: the request carries the trace context, the reply is
 * validated with `reply`. A failure reply becomes a NatsletError with the server's code; no
 * responder is `Unavailable`, no answer in time is `Timeout`.
 */
export async function request<Req, Rep>(
  nc: NatsConnection,
  subject: string,
  body: Req,
  reply: Parser<Rep>,
  opts: RequestOptions,
): Promise<Rep> {
  return tracer.startActiveSpan(`request ${subject}`, { kind: SpanKind.CLIENT, attributes: { "messaging.destination.name": subject } }, async (span) => {
    const started = performance.now();
    let result = "ok";
    try {
      let msg: Msg;
      try {
        msg = await nc.request(subject, encodeJson(body), { timeout: opts.timeoutMs, headers: headersWithTrace() });
      } catch (err) {
        throw transportError(subject, err);
      }
      const code = msg.headers?.get(ERROR_CODE_HEADER) ?? "";
      if (code !== "") {
        const message = msg.headers?.get(ERROR_HEADER) ?? "";
        throw new NatsletError(isErrorCode(code) ? code : "Internal", `${subject}: ${message}`);
      }
      try {
        return decodeJson(reply, msg.data);
      } catch (err) {
        throw new NatsletError("Internal", `${subject}: invalid reply: ${(err as Error).message}`, { cause: err });
      }
    } catch (err) {
      result = errorCodeOf(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      observeRequest(subject, result, (performance.now() - started) / 1000);
      span.end();
    }
  });
}

function transportError(subject: string, err: unknown): NatsletError {
  if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
    return new NatsletError("Unavailable", `${subject}: no service is listening`, { cause: err });
  }
  if (err instanceof TimeoutError || (err instanceof Error && err.cause instanceof TimeoutError)) {
    return new NatsletError("Timeout", `${subject}: no reply in time`, { cause: err });
  }
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new NatsletError("Unavailable", `${subject}: ${text}`, { cause: err });
}

export interface ServeOptions<Req> {
  subject: string;
  queue: string;
  request: Parser<Req>;
  /** Called for every failed request, with the code sent back (Internal ones are bugs). */
  onError?: (err: unknown, code: ErrorCode, subject: string) => void;
}

/**
 * Serves request/reply on `subject` in queue group `queue` (replicas share the work). The edge
 * is owned here: the request is validated before the handler sees it, the handler's trace
 * context continues the caller's, and any error becomes a coded reply — never a crash.
 */
export function serve<Req, Rep>(
  nc: NatsConnection,
  opts: ServeOptions<Req>,
  handler: (req: Req, msg: Msg) => Rep | Promise<Rep>,
): Subscription {
  return nc.subscribe(opts.subject, {
    queue: opts.queue,
    callback: (subErr, msg) => {
      if (subErr) {
        opts.onError?.(subErr, "Internal", opts.subject);
        return;
      }
      void context.with(traceContextOf(msg.headers), () =>
        tracer.startActiveSpan(`serve ${msg.subject}`, { kind: SpanKind.SERVER }, async (span) => {
          try {
            const req = decodeJson(opts.request, msg.data);
            const rep = await handler(req, msg);
            msg.respond(encodeJson(rep));
          } catch (err) {
            const code = errorCodeOf(err);
            if (err instanceof ValidationError) countDeadLetter(msg.subject, "invalid");
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
            opts.onError?.(err, code, msg.subject);
            const hdrs = newHeaders();
            hdrs.set(ERROR_CODE_HEADER, code);
            hdrs.set(ERROR_HEADER, oneLine(err instanceof Error ? err.message : String(err)));
            msg.respond(new Uint8Array(), { headers: hdrs });
          } finally {
            span.end();
          }
        }),
      );
    },
  });
}

export function errorCodeOf(err: unknown): ErrorCode {
  if (err instanceof ValidationError) return "InvalidInput";
  if (err instanceof NatsletError) return err.code;
  return "Internal";
}

/** Header values cannot hold line breaks. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").slice(0, 2000);
}
