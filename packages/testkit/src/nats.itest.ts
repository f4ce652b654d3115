import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNats, type NatsServer } from "./nats.js";

let server: NatsServer;
let nc: NatsConnection;

before(async () => {
  server = await startNats();
  nc = await connect({ servers: server.url });
});

after(async () => {
  await nc?.close();
  await server?.stop();
});

test("JetStream: publish → durable pull consumer → ack, and the ack sticks", async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "SMOKE", subjects: ["smoke.>"] });
  await jsm.consumers.add("SMOKE", { durable_name: "reader", ack_policy: AckPolicy.Explicit, ack_wait: 2_000_000_000 });

  const js = jetstream(nc);
  const ack = await js.publish("smoke.hello", "payload-1");
  assert.equal(ack.stream, "SMOKE");
  assert.equal(ack.seq, 1);

  const consumer = await js.consumers.get("SMOKE", "reader");
  const msg = await consumer.next({ expires: 5000 });
  assert.ok(msg, "the durable consumer received the message");
  assert.equal(msg.subject, "smoke.hello");
  assert.equal(msg.string(), "payload-1");
  assert.equal(msg.info.deliveryCount, 1);
  assert.ok(await msg.ackAck(), "the server confirmed the ack");

  const info = await jsm.consumers.info("SMOKE", "reader");
  assert.equal(info.num_ack_pending, 0);
  assert.equal(info.delivered.stream_seq, 1);
  // Acked: nothing is redelivered after ack_wait.
  assert.equal(await consumer.next({ expires: 2500 }), null);
});

test("JetStream state survives a nats-server restart", async () => {
  await server.restart();
  const nc2 = await connect({ servers: server.url });
  try {
    const info = await (await jetstreamManager(nc2)).streams.info("SMOKE");
    assert.equal(info.state.messages, 1);
  } finally {
    await nc2.close();
  }
});
