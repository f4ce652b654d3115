import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { NatsletError, schema, streams } from "@natslet/contracts";
import { startNats, type NatsServer } from "@natslet/testkit";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { ROOT_CONTEXT, context, propagation, trace, TraceFlags } from "@opentelemetry/api";
import { connectBus } from "./connect.js";
import { trackNatsConnection } from "./health.js";
import { request, serve } from "./rpc.js";
import { ensureStreams, publishLatest, watchLatest } from "./streams.js";
import { encodeJson } from "./codec.js";
import { Registry } from "prom-client";

let server: NatsServer;
let nc: NatsConnection;
/** The bus's metrics of this process (connectBus registers them here). */
const registry = new Registry();

before(async () => {
  // What packages/telemetry registers in every service: context tracking + W3C propagation.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = await startNats();
  nc = await connectBus({ servers: server.url, name: "bus-itest", registry });
});
after(async () => {
  await nc?.close();
  await server?.stop();
});

const echoRequest = schema.object({ text: schema.nonEmptyString });
const echoReply = schema.object({ echoed: schema.string, traceparent: schema.string });

describe("request/serve", () => {
  test("round trip: validated request, reply, trace context continued", async () => {
    const sub = serve(nc, { subject: "t.echo", queue: "q", request: echoRequest }, (req, msg) => ({
      echoed: req.text,
      traceparent: msg.headers?.get("traceparent") ?? "",
    }));
    try {
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: "b7ad6b7169203331", traceFlags: TraceFlags.SAMPLED });
      const rep = await context.with(ctx, () => request(nc, "t.echo", { text: "hi" }, echoReply, { timeoutMs: 2000 }));
      assert.equal(rep.echoed, "hi");
      assert.match(rep.traceparent, new RegExp(`^00-${traceId}-`), "the caller's trace id travels in the headers");
    } finally {
      sub.unsubscribe();
    }
  });

  test("invalid request → InvalidInput with the field's path; handler error → its code", async () => {
    let handled = 0;
    const errors: string[] = [];
    const sub = serve(
      nc,
      { subject: "t.strict", queue: "q", request: echoRequest, onError: (_e, code) => errors.push(code) },
      (req) => {
        handled++;
        if (req.text === "missing") throw new NatsletError("NotFound", "no such thing");
        return { echoed: req.text, traceparent: "" };
      },
    );
    try {
      await assert.rejects(
        request(nc, "t.strict", { text: 42 }, echoReply, { timeoutMs: 2000 }),
        (err: unknown) => err instanceof NatsletError && err.code === "InvalidInput" && /text: expected a string/.test(err.message),
      );
      await assert.rejects(
        request(nc, "t.strict", { text: "missing" }, echoReply, { timeoutMs: 2000 }),
        (err: unknown) => err instanceof NatsletError && err.code === "NotFound",
      );
      assert.equal(handled, 1, "the invalid request never reached the handler");
      assert.deepEqual(errors, ["InvalidInput", "NotFound"]);
    } finally {
      sub.unsubscribe();
    }
  });

  test("a server that never answers → Timeout", async () => {
    const sub = nc.subscribe("t.silent", { callback: () => undefined });
    try {
      await assert.rejects(
        request(nc, "t.silent", {}, echoReply, { timeoutMs: 300 }),
        (err: unknown) => err instanceof NatsletError && err.code === "Timeout",
      );
    } finally {
      sub.unsubscribe();
    }
  });

  test("nobody serving → Unavailable", async () => {
    await assert.rejects(
      request(nc, "t.nobody", {}, echoReply, { timeoutMs: 1000 }),
      (err: unknown) => err instanceof NatsletError && err.code === "Unavailable",
    );
  });
});

describe("latest-per-subject streams", () => {
  const item = schema.object({ n: schema.integer });

  test("a new watcher reads the last message of every subject, skips invalid ones, then follows", async () => {
    await ensureStreams(nc);
    await ensureStreams(nc); // idempotent
    const js = jetstream(nc);
    const base = `${streams.pods.subjects[0].replace(">", "")}itest`;
    await publishLatest(js, `${base}.a`, { n: 1 });
    await publishLatest(js, `${base}.a`, { n: 2 });
    await publishLatest(js, `${base}.b`, { n: 3 });
    await js.publish(`${base}.c`, encodeJson({ n: "not a number" }));

    const invalid: string[] = [];
    const watch = await watchLatest(nc, streams.pods.name, `${base}.*`, item, (subject) => invalid.push(subject));
    const seen: Array<[string, number]> = [];
    const iterator = watch.entries[Symbol.asyncIterator]();
    const next = async () => {
      const r = await iterator.next();
      assert.ok(!r.done);
      seen.push([r.value.subject.slice(base.length + 1), r.value.value.n]);
    };
    await next();
    await next();
    assert.deepEqual(seen, [["a", 2], ["b", 3]], "only the latest per subject");

    // Entries are pulled lazily: the invalid message is met (and skipped) on the way to the next one.
    await publishLatest(js, `${base}.b`, { n: 4 });
    await next();
    await watch.caughtUp;
    assert.deepEqual(seen.at(-1), ["b", 4]);
    assert.deepEqual(invalid, [`${base}.c`]);
    await watch.stop();
  });
});

describe("readiness", () => {
  test("trackNatsConnection says no while the server is away and yes once the client reconnected", async () => {
    const up = trackNatsConnection(nc);
    assert.equal(up(), true);
    await server.process.stop();
    const deadline = Date.now() + 10_000;
    while (up() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(up(), false, "not ready while disconnected (isClosed() alone stays false)");
    assert.equal(nc.isClosed(), false);
    await server.restart();
    const back = Date.now() + 15_000;
    while (!up() && Date.now() < back) await new Promise((r) => setTimeout(r, 50));
    assert.equal(up(), true, "ready again after the reconnect");
    await nc.flush();
  });
});

test("metrics: request latency by command and result, invalid requests as dead letters", async () => {
  const sub = serve(nc, { subject: "natslet.demo.node-1.rpc.Echo", queue: "q", request: echoRequest }, (req) => ({ echoed: req.text, traceparent: "" }));
  try {
    await request(nc, "natslet.demo.node-1.rpc.Echo", { text: "hi" }, echoReply, { timeoutMs: 2000 });
    await assert.rejects(request(nc, "natslet.demo.node-1.rpc.Echo", { text: "" }, echoReply, { timeoutMs: 2000 }));
  } finally {
    sub.unsubscribe();
  }
  const text = await registry.metrics();
  assert.match(text, /natslet_nats_request_duration_seconds_count\{command="demo.Echo",result="ok"\} 1/);
  assert.match(text, /natslet_nats_request_duration_seconds_count\{command="demo.Echo",result="InvalidInput"\} 1/);
  assert.match(text, /natslet_nats_dead_letters_total\{kind="demo.Echo",reason="invalid"\} 1/);
});
