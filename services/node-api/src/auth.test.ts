import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, test } from "node:test";
import { Auth, bearerToken, certificateUser, forbiddenMessage, type ReviewApi, type UserInfo } from "./auth.js";

function fakeReviews(users: Record<string, UserInfo>, allowed: (user: string, sub: string) => boolean) {
  const calls = { token: 0, access: [] as string[] };
  const api: ReviewApi = {
    tokenReview: (token) => {
      calls.token++;
      return Promise.resolve(users[token]);
    },
    accessReview: (user, verb, node, sub) => {
      calls.access.push(`${user.name} ${verb} ${node} ${sub}`);
      return Promise.resolve({ allowed: allowed(user.name, sub), reason: "" });
    },
  };
  return { api, calls };
}

// Node's format of a peer certificate's validity.
const validity = { valid_from: "Jan  1 00:00:00 2026 GMT", valid_to: "Jan  1 00:00:00 2027 GMT" };
const request = (headers: Record<string, string>, socket: object = {}) => ({ headers, socket }) as unknown as IncomingMessage;

describe("Auth", () => {
  test("a verified client certificate: CN and O", async () => {
    const { api } = fakeReviews({}, () => true);
    const auth = new Auth(api, "n1", { anonymous: false });
    const socket = { authorized: true, getPeerCertificate: () => ({ subject: { CN: "kube-apiserver-kubelet-client", O: "system:masters" }, ...validity }) };
    assert.deepEqual(await auth.authenticate(request({}, socket)), {
      user: { name: "kube-apiserver-kubelet-client", groups: ["system:masters", "system:authenticated"] }, via: "certificate",
    });
  });

  test("an unverified certificate does not count; without a token it is refused, anonymous or not (kubelet: 401)", async () => {
    const { api } = fakeReviews({ good: { name: "alice", groups: [] } }, () => true);
    const socket = { authorized: false, getPeerCertificate: () => ({ subject: { CN: "mallory" }, ...validity }) };
    for (const anonymous of [false, true]) {
      const auth = new Auth(api, "n1", { anonymous });
      assert.deepEqual(await auth.authenticate(request({}, socket)), { error: "client certificate not verified" });
      // A token still authenticates next to a bad certificate (the kubelet's union of authenticators).
      assert.equal((await auth.authenticate(request({ authorization: "Bearer good" }, socket)) as { via: string }).via, "token");
    }
    // No certificate at all (getPeerCertificate() is {}) with anonymous on: anonymous.
    const none = { authorized: false, getPeerCertificate: () => ({}) };
    assert.equal((await new Auth(api, "n1", { anonymous: true }).authenticate(request({}, none)) as { via: string }).via, "anonymous");
  });

  test("a verified certificate counts only within its validity period, checked on every request", async () => {
    let now = Date.parse("2026-06-01T00:00:00Z");
    const auth = new Auth(fakeReviews({}, () => true).api, "n1", { anonymous: true, now: () => now });
    const socket = { authorized: true, getPeerCertificate: () => ({ subject: { CN: "u" }, ...validity }) };
    assert.equal((await auth.authenticate(request({}, socket)) as { via: string }).via, "certificate");
    now = Date.parse("2027-01-01T00:00:01Z"); // the same keep-alive connection, after valid_to
    assert.deepEqual(await auth.authenticate(request({}, socket)), { error: "client certificate expired" });
    now = Date.parse("2025-12-31T23:59:59Z");
    assert.deepEqual(await auth.authenticate(request({}, socket)), { error: "client certificate not yet valid" });
  });

  test("anonymous when enabled", async () => {
    const auth = new Auth(fakeReviews({}, () => true).api, "n1", { anonymous: true });
    assert.deepEqual(await auth.authenticate(request({})), { user: { name: "system:anonymous", groups: ["system:unauthenticated"] }, via: "anonymous" });
  });

  test("tokens are reviewed once per TTL, good and bad", async () => {
    let now = 0;
    const { api, calls } = fakeReviews({ good: { name: "alice", groups: ["g"] } }, () => true);
    const auth = new Auth(api, "n1", { anonymous: false, tokenTtlMs: 1000, now: () => now });
    for (let i = 0; i < 3; i++) assert.equal((await auth.authenticate(request({ authorization: "Bearer good" })) as { via: string }).via, "token");
    assert.deepEqual(await auth.authenticate(request({ authorization: "Bearer bad" })), { error: "invalid bearer token" });
    await auth.authenticate(request({ authorization: "Bearer bad" }));
    assert.equal(calls.token, 2);
    now = 1001;
    await auth.authenticate(request({ authorization: "Bearer good" }));
    assert.equal(calls.token, 3);
  });

  test("authorize tries fine-grained first, falls back to proxy, caches decisions", async () => {
    const { api, calls } = fakeReviews({}, (_u, sub) => sub === "proxy");
    const auth = new Auth(api, "n1", { anonymous: false });
    const bob = { name: "bob", groups: [] };
    assert.equal((await auth.authorize(bob, "get", ["pods", "proxy"])).allowed, true);
    assert.equal((await auth.authorize(bob, "get", ["pods", "proxy"])).allowed, true);
    assert.equal((await auth.authorize(bob, "get", ["stats"])).allowed, false);
    assert.deepEqual(calls.access, ["bob get n1 pods", "bob get n1 proxy", "bob get n1 stats"]);
  });
});

test("bearerToken", () => {
  assert.equal(bearerToken("Bearer abc.def"), "abc.def");
  assert.equal(bearerToken("bearer x"), "x");
  assert.equal(bearerToken("Basic xyz"), undefined);
  assert.equal(bearerToken(undefined), undefined);
});

test("certificateUser needs a CN; O may be a list", () => {
  assert.equal(certificateUser({}), undefined);
  assert.deepEqual(certificateUser({ CN: "u", O: ["a", "b"] }), { name: "u", groups: ["a", "b", "system:authenticated"] });
});

test("forbiddenMessage", () => {
  assert.equal(forbiddenMessage({ name: "x", groups: [] }, "create", ["proxy"]), "Forbidden (user=x, verb=create, resource=nodes, subresource(s)=[proxy])\n");
});
