import assert from "node:assert/strict";
import { test } from "node:test";
import type { EnsureImageReply, Pod } from "@natslet/contracts";
import { ImageEnsures } from "./image-client.js";

const pod: Pod = { metadata: { uid: "u", name: "p", namespace: "n" }, spec: { containers: [] } };

function fakeClient(replies: Record<string, EnsureImageReply>) {
  const asked: string[] = [];
  return {
    asked,
    ensure: (_pod: Pod, container: string) => {
      asked.push(container);
      const reply = replies[container];
      return reply ? Promise.resolve(reply) : Promise.reject(new Error("no image-manager"));
    },
  };
}

test("requests go out once, at start(); replies become waiting reasons and retry delays", async () => {
  const client = fakeClient({
    a: { result: "ready", imageRef: "sha256:1", pulled: true },
    b: { result: "waiting", reason: "ImagePullBackOff", message: "Back-off pulling image", retryInMs: 5000 },
    c: { result: "waiting", reason: "ErrImageNeverPull", message: "never" },
  });
  const ensures = new ImageEnsures(client, pod, ["a", "b", "c"]);
  assert.deepEqual(client.asked, [], "nothing is sent before start()");
  ensures.start();
  ensures.start();
  assert.deepEqual(client.asked, ["a", "b", "c"]);
  assert.equal(await ensures.wait("a"), undefined);
  assert.deepEqual(await ensures.wait("b"), { reason: "ImagePullBackOff", message: "Back-off pulling image" });
  assert.deepEqual(await ensures.wait("c"), { reason: "ErrImageNeverPull", message: "never" });
  assert.deepEqual(ensures.retries(), [5000]);
});

test("a failed request is thrown to the pass (retried), and an unstarted wait asks by itself", async () => {
  const client = fakeClient({ ok: { result: "ready", imageRef: "x", pulled: false } });
  const ensures = new ImageEnsures(client, pod, ["broken"]);
  ensures.start();
  await assert.rejects(ensures.wait("broken"), /no image-manager/);
  assert.equal(await ensures.wait("ok"), undefined);
  assert.deepEqual(client.asked, ["broken", "ok"]);
});
