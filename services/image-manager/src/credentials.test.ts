import assert from "node:assert/strict";
import { test } from "node:test";
import { credentialsOfConfig, credentialsOfSecret, InvalidPullSecretError, keyMatches, matchingCredentials, normaliseKey } from "./credentials.js";
import type { RegistryCredential } from "./credentials.js";

/** The auths to try for `image`, in order. */
const credentialsFor = (image: string, creds: readonly RegistryCredential[]) => matchingCredentials(image, creds).map((c) => c.auth);

const b64 = (s: string) => Buffer.from(s).toString("base64");

const keys: Array<[string, string]> = [
  ["https://index.docker.io/v1/", "docker.io"],
  ["index.docker.io", "docker.io"],
  ["docker.io", "docker.io"],
  ["registry-1.docker.io", "docker.io"],
  ["http://127.0.0.1:5000", "127.0.0.1:5000"],
  ["https://Registry.Example/team/", "registry.example/team"],
];
for (const [key, want] of keys) test(`config key ${key} is ${want}`, () => assert.equal(normaliseKey(key), want));

const matches: Array<[string, string, boolean]> = [
  ["docker.io", "docker.io/library/busybox", true],
  ["registry.example", "registry.example/a/b", true],
  ["registry.example/a", "registry.example/a/b", true],
  ["registry.example/x", "registry.example/a/b", false],
  ["*.example", "registry.example/a", true],
  ["*.example", "a.b.example/a", false], // a glob matches one label
  ["registry.example:5000", "registry.example/a", false], // ports must be equal
  ["registry.example", "registry.example:5000/a", false],
  ["127.0.0.1:5000", "127.0.0.1:5000/natslet/busybox", true],
  ["other.example", "registry.example/a", false],
];
for (const [key, target, want] of matches) {
  test(`key ${key} ${want ? "matches" : "does not match"} ${target}`, () => assert.equal(keyMatches(key, target), want));
}

test("Docker Hub credentials apply to short names, under any spelling of the key", () => {
  const creds = credentialsOfConfig({ "https://index.docker.io/v1/": { auth: b64("u:p") } });
  assert.deepEqual(credentialsFor("busybox", creds), [{ username: "u", password: "p", auth: b64("u:p") }]);
  assert.deepEqual(credentialsFor("quay.io/a/b", creds), []);
});

test("the more specific key is tried first", () => {
  const creds = credentialsOfConfig({
    "reg.example": { username: "host", password: "1" },
    "reg.example/team/app": { username: "app", password: "3" },
    "reg.example/team": { username: "team", password: "2" },
  });
  assert.deepEqual(credentialsFor("reg.example/team/app:1", creds).map((a) => a.username), ["app", "team", "host"]);
});

test("auth splits at the first colon; the password keeps the rest", () => {
  const [c] = credentialsOfConfig({ "r.example": { auth: b64("user:pa:ss") } });
  assert.equal(c?.auth.username, "user");
  assert.equal(c?.auth.password, "pa:ss");
});

test("dockerconfigjson and dockercfg secrets are both read", () => {
  const json = { auths: { "127.0.0.1:5000": { username: "a", password: "b" } } };
  const fromJson = credentialsOfSecret({ name: "s", type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": b64(JSON.stringify(json)) } });
  const fromCfg = credentialsOfSecret({ name: "s", type: "kubernetes.io/dockercfg", data: { ".dockercfg": b64(JSON.stringify(json.auths)) } });
  assert.deepEqual(fromJson, fromCfg);
  assert.equal(fromJson[0]?.key, "127.0.0.1:5000");
});

test("a secret of another type or with bad JSON is refused with its name", () => {
  assert.throws(() => credentialsOfSecret({ name: "opaque", type: "Opaque", data: {} }), InvalidPullSecretError);
  assert.throws(
    () => credentialsOfSecret({ name: "bad", type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": b64("{") } }),
    /secret "bad"/,
  );
});
