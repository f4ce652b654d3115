import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { containerSpecHash } from "./hash.js";
import { containerAnnotations, containerLabels, sandboxAnnotations, sandboxLabels } from "./labels.js";
import { UID, basePod } from "./testing/fixtures.js";

describe("labels and annotations", () => {
  test("sandbox: the pod's labels plus identity, identity wins", () => {
    const pod = basePod();
    pod.metadata.labels = { app: "web", "io.kubernetes.pod.name": "spoofed" };
    pod.metadata.annotations = { note: "hi" };
    assert.deepEqual(sandboxLabels(pod), {
      app: "web",
      "io.kubernetes.pod.name": "web",
      "io.kubernetes.pod.namespace": "default",
      "io.kubernetes.pod.uid": UID,
      "natslet.io/managed": "true",
    });
    assert.deepEqual(sandboxAnnotations(pod), { note: "hi" });
  });

  test("container labels: identity only", () => {
    const pod = basePod();
    const [app] = pod.spec.containers;
    assert.ok(app);
    assert.deepEqual(containerLabels(pod, app), {
      "io.kubernetes.container.name": "app",
      "io.kubernetes.pod.name": "web",
      "io.kubernetes.pod.namespace": "default",
      "io.kubernetes.pod.uid": UID,
      "natslet.io/managed": "true",
    });
  });

  test("container annotations: hash, restart count, termination message, grace periods, ports", () => {
    const pod = basePod();
    pod.spec.terminationGracePeriodSeconds = 30;
    pod.metadata.deletionGracePeriodSeconds = 5;
    const app = { name: "app", image: "nginx", ports: [{ name: "http", containerPort: 80, protocol: "TCP" as const }, { containerPort: 53, protocol: "UDP" as const, hostPort: 5353, hostIP: "0.0.0.0" }] };
    assert.deepEqual(containerAnnotations(pod, app, 3), {
      "io.kubernetes.container.hash": containerSpecHash(app),
      "io.kubernetes.container.restartCount": "3",
      "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
      "io.kubernetes.container.terminationMessagePolicy": "File",
      "io.kubernetes.pod.deletionGracePeriod": "5",
      "io.kubernetes.pod.terminationGracePeriod": "30",
      "io.kubernetes.container.ports":
        '[{"name":"http","containerPort":80,"protocol":"TCP"},{"hostPort":5353,"containerPort":53,"protocol":"UDP","hostIP":"0.0.0.0"}]',
    });
  });

  test("container annotations without ports or grace periods leave those keys out", () => {
    const pod = basePod();
    const helper = { name: "helper", image: "busybox", terminationMessagePath: "/tmp/msg", terminationMessagePolicy: "FallbackToLogsOnError" as const };
    assert.deepEqual(Object.keys(containerAnnotations(pod, helper, 0)).sort(), [
      "io.kubernetes.container.hash",
      "io.kubernetes.container.restartCount",
      "io.kubernetes.container.terminationMessagePath",
      "io.kubernetes.container.terminationMessagePolicy",
    ]);
    assert.equal(containerAnnotations(pod, helper, 0)["io.kubernetes.container.terminationMessagePolicy"], "FallbackToLogsOnError");
  });
});
