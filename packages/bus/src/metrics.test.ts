import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { subjectKind } from "./metrics.js";

describe("subjectKind", () => {
  const cases: [string, string][] = [
    ["natslet.runtime.node-1.rpc.GetPod", "runtime.GetPod"],
    ["natslet.image.node-1.rpc.Ensure", "image.Ensure"],
    ["natslet.pod.node-1.0b5c", "pod"],
    ["natslet.podstatus.node-1.0b5c", "podstatus"],
    ["natslet.runtime.node-1.event", "runtime"],
    ["natslet.event.node-1", "event"],
    ["other", "other"],
  ];
  for (const [subject, kind] of cases) it(subject, () => assert.equal(subjectKind(subject), kind));
});
