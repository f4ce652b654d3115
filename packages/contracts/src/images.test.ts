import assert from "node:assert/strict";
import { test } from "node:test";
import { ensureImageRequest, imageMethods, type ImageRequest } from "./images.js";
import type { Pod } from "./pod.js";
import { decode } from "./schema.js";

const pod = (imagePullSecrets?: Pod["spec"]["imagePullSecrets"]): Pod => ({
  metadata: { uid: "u1", name: "web", namespace: "ns" },
  spec: { containers: [], ...(imagePullSecrets ? { imagePullSecrets } : {}) },
});
const ref = { uid: "u1", namespace: "ns", name: "web" };

const cases: Array<[string, Pod, { name: string; image: string; imagePullPolicy?: "Always" | "IfNotPresent" | "Never" }, ImageRequest<"Ensure">]> = [
  ["no policy, no secrets", pod(), { name: "app", image: "busybox" }, { image: "busybox", pod: ref, container: "app", pullSecrets: [] }],
  [
    "policy as written",
    pod(),
    { name: "app", image: "busybox", imagePullPolicy: "Never" },
    { image: "busybox", policy: "Never", pod: ref, container: "app", pullSecrets: [] },
  ],
  [
    "secrets by name, unnamed ones left out",
    pod([{ name: "a" }, {}, { name: "" }, { name: "b" }]),
    { name: "app", image: "reg/x:1" },
    { image: "reg/x:1", pod: ref, container: "app", pullSecrets: ["a", "b"] },
  ],
  ["an empty image is passed on (InvalidImageName)", pod(), { name: "app", image: "" }, { image: "", pod: ref, container: "app", pullSecrets: [] }],
];
for (const [name, p, container, want] of cases) {
  test(`ensureImageRequest: ${name}`, () => {
    const got = ensureImageRequest(p, container);
    assert.deepEqual(got, want);
    // What the builder makes is what the image-manager accepts.
    assert.deepEqual(decode(imageMethods.Ensure.request, JSON.stringify(got)), want);
  });
}
