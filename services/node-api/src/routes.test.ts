import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { portsOf, requestVerb, routeOf, streamOptionsOf, subresourcesOf, verbOf } from "./routes.js";

describe("routeOf", () => {
  const cases: [string, ReturnType<typeof routeOf>][] = [
    ["/containerLogs/default/web/app", { kind: "containerLogs", namespace: "default", pod: "web", container: "app" }],
    ["/containerLogs/default/web", { kind: "notFound" }],
    ["/containerLogs/default//app", { kind: "notFound" }],
    ["/exec/ns/p/c", { kind: "exec", namespace: "ns", pod: "p", container: "c" }],
    ["/exec/ns/p/uid-1/c", { kind: "exec", namespace: "ns", pod: "p", uid: "uid-1", container: "c" }],
    ["/attach/ns/p/c", { kind: "attach", namespace: "ns", pod: "p", container: "c" }],
    ["/portForward/ns/p", { kind: "portForward", namespace: "ns", pod: "p" }],
    ["/portForward/ns/p/uid-1", { kind: "portForward", namespace: "ns", pod: "p", uid: "uid-1" }],
    ["/pods", { kind: "pods" }],
    ["/pods/", { kind: "pods" }],
    ["/runningpods/", { kind: "runningPods" }],
    ["/healthz", { kind: "healthz" }],
    ["/stats/summary", { kind: "statsSummary" }],
    ["/stats/summary/", { kind: "statsSummary" }],
    ["/metrics/resource", { kind: "metricsResource" }],
    ["/metrics", { kind: "notFound" }],
    ["/containerLogs/a%2Fb/p/c", { kind: "containerLogs", namespace: "a/b", pod: "p", container: "c" }],
    ["/containerLogs/%E0%A4%A/p/c", { kind: "notFound" }],
    ["/", { kind: "notFound" }],
  ];
  for (const [path, want] of cases) test(path, () => assert.deepEqual(routeOf(path), want));
});

describe("authorisation attributes (kubelet server/auth.go)", () => {
  const cases: [string, string[]][] = [
    ["/stats/summary", ["stats"]],
    ["/stats", ["stats"]],
    ["/metrics/resource", ["metrics"]],
    ["/metrics", ["metrics"]],
    ["/logs/syslog", ["log"]],
    ["/pods", ["pods", "proxy"]],
    ["/healthz", ["healthz", "proxy"]],
    ["/containerLogs/ns/p/c", ["proxy"]],
    ["/exec/ns/p/c", ["proxy"]],
    ["/portForward/ns/p", ["proxy"]],
    ["/statsx", ["proxy"]],
  ];
  for (const [path, want] of cases) test(`${path} → nodes/${want.join(",")}`, () => assert.deepEqual(subresourcesOf(path), want));

  test("verbs from methods", () => {
    assert.deepEqual(
      ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get"].map(verbOf),
      ["get", "get", "create", "update", "patch", "delete", "", "get"],
    );
  });
});

describe("streamOptionsOf", () => {
  const cases: [string, ReturnType<typeof streamOptionsOf>][] = [
    ["input=1&output=1&error=1", { stdin: true, stdout: true, stderr: true, tty: false }],
    ["output=true&error=true", { stdin: false, stdout: true, stderr: true, tty: false }],
    ["input=1&output=1&error=1&tty=1", { stdin: true, stdout: true, stderr: false, tty: true }],
    ["command=ls", { error: "you must specify at least 1 of stdin, stdout, stderr" }],
    ["output=0", { error: "you must specify at least 1 of stdin, stdout, stderr" }],
  ];
  for (const [q, want] of cases) test(q, () => assert.deepEqual(streamOptionsOf(new URLSearchParams(q)), want));
});

describe("portsOf", () => {
  test("none", () => assert.deepEqual(portsOf(new URLSearchParams("")), []));
  test("repeated and comma-separated", () => assert.deepEqual(portsOf(new URLSearchParams("port=80&port=8080,9090")), [80, 8080, 9090]));
  test("invalid", () => assert.deepEqual(portsOf(new URLSearchParams("port=0")), { error: 'invalid port "0"' }));
});

describe("requestVerb: exec, attach, port-forward need create whatever the method", () => {
  const cases: [string, string, boolean, string][] = [
    ["GET", "/exec/ns/p/c", true, "create"], // a WebSocket exec
    ["GET", "/exec/ns/p/c", false, "create"],
    ["POST", "/exec/ns/p/uid/c", true, "create"], // SPDY
    ["GET", "/attach/ns/p/c", true, "create"],
    ["GET", "/portForward/ns/p", true, "create"],
    ["GET", "/containerLogs/ns/p/c", false, "get"],
    ["GET", "/containerLogs/ns/p/c", true, "create"], // any other upgrade too
    ["HEAD", "/pods", false, "get"],
    ["DELETE", "/pods", false, "delete"],
  ];
  for (const [method, path, upgrade, want] of cases) {
    test(`${method} ${path}${upgrade ? " (upgrade)" : ""} → ${want}`, () => assert.equal(requestVerb(method, routeOf(path), upgrade), want));
  }
});
