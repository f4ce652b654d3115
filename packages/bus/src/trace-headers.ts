import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";
import { headers as newHeaders, type MsgHdrs } from "@nats-io/transport-node";

// nats.js has no OpenTelemetry instrumentation: the W3C context (traceparent, tracestate,
// baggage) travels in message headers by hand. MsgHdrs.get returns "" for a missing header;
// the propagator expects undefined, or it parses "" as a broken traceparent.
const getter: TextMapGetter<MsgHdrs> = {
  keys: (carrier) => carrier.keys(),
  get: (carrier, key) => {
    const value = carrier.get(key);
    return value === "" ? undefined : value;
  },
};
const setter: TextMapSetter<MsgHdrs> = { set: (carrier, key, value) => carrier.set(key, value) };

/** Headers carrying the active (or given) trace context. */
export function headersWithTrace(ctx: Context = context.active(), hdrs: MsgHdrs = newHeaders()): MsgHdrs {
  propagation.inject(ctx, hdrs, setter);
  return hdrs;
}

/** The trace context a message carries (the root context if none). */
export function traceContextOf(hdrs: MsgHdrs | undefined): Context {
  return hdrs ? propagation.extract(context.active(), hdrs, getter) : context.active();
}
