import assert from "node:assert/strict";
import { test } from "node:test";
import {
  credentialHash,
  decideAccess,
  MAX_SECRETS_WRITTEN_WHILE_MATCHING,
  mergeCredentials,
  parseAllowlist,
  recordSaysPulled,
  repositoryOf,
  requiresVerification,
  type AccessDecision,
  type PulledRecord,
  type SecretCredential,
  type VerificationPolicy,
} from "./pull-records.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const REPO = "reg.example:5000/team/app";
const secret = (name: string, hash: string, uid = `uid-${name}`, namespace = "default"): SecretCredential => ({ namespace, name, uid, credentialHash: hash });
const record = (repositories: PulledRecord["repositories"]): PulledRecord => ({ imageRef: "sha256:aaa", updated: 1, repositories });

test("credential hash: same credential however spelled, different for any other field, never the secret itself", () => {
  const a = credentialHash({ username: "u", password: "p" });
  assert.equal(credentialHash({ username: "u", password: "p", auth: b64("u:p") }), a, "auth is the same user and password");
  assert.match(a, /^[0-9a-f]{64}$/);
  const others = [
    credentialHash({ username: "u", password: "q" }),
    credentialHash({ username: "v", password: "p" }),
    credentialHash({ username: "u", password: "p", identityToken: "t" }),
    credentialHash({ username: "u", password: "p", registryToken: "t" }),
    credentialHash({ username: "u\u0000p", password: "" }), // fields are separated, not concatenated
    credentialHash({}),
  ];
  assert.equal(new Set([a, ...others]).size, others.length + 1);
});

const repositories: Array<[string, string]> = [
  ["busybox", "docker.io/library/busybox"],
  ["busybox:1.36", "docker.io/library/busybox"],
  ["reg.example:5000/team/app:1@sha256:" + "a".repeat(64), REPO],
  ["reg.example:5000/team/app", REPO],
];
for (const [image, want] of repositories) test(`repository of ${image} is ${want}`, () => assert.equal(repositoryOf(image), want));

test("allowlist: exact repositories (normalised) and /* prefixes; bad patterns refused", () => {
  const list = parseAllowlist(["busybox", "reg.example:5000/team/*"]);
  assert.ok(list.exact.has("docker.io/library/busybox"));
  assert.deepEqual(list.prefixes, ["reg.example:5000/team/"]);
  for (const bad of ["busybox:1", "reg.example/*/app", "reg.example/a*", "/*", " busybox", "reg.example/app@sha256:" + "a".repeat(64)]) {
    assert.throws(() => parseAllowlist([bad]), Error, bad);
  }
});

const allowlist = parseAllowlist(["reg.example:5000/team/*"]);
const verification: Array<[VerificationPolicy, string, boolean, boolean]> = [
  ["NeverVerify", REPO, true, false],
  ["NeverVerifyPreloadedImages", REPO, false, false],
  ["NeverVerifyPreloadedImages", REPO, true, true],
  ["NeverVerifyAllowlistedImages", REPO, false, false],
  ["NeverVerifyAllowlistedImages", REPO, true, false],
  ["NeverVerifyAllowlistedImages", "docker.io/library/busybox", false, true],
  ["AlwaysVerify", REPO, false, true],
];
for (const [policy, repository, pulledByUs, want] of verification) {
  test(`${policy}, ${repository}, ${pulledByUs ? "pulled by us" : "preloaded"}: ${want ? "verify" : "no verification"}`, () =>
    assert.equal(requiresVerification(policy, allowlist, repository, pulledByUs), want));
}

const A = secret("a", "hash-a");
const decisions: Array<[string, boolean, PulledRecord | undefined, SecretCredential[], AccessDecision]> = [
  ["no verification asked: allowed", false, undefined, [], { allowed: true, why: "policy" }],
  ["no record: verify", true, undefined, [A], { allowed: false, why: "no record" }],
  ["recorded for another repository only: verify", true, record({ "other/repo": { anonymous: true } }), [], { allowed: false, why: "repository not recorded" }],
  ["pulled anonymously: anyone", true, record({ [REPO]: { anonymous: true } }), [], { allowed: true, why: "anonymous" }],
  ["recorded with no credentials at all: verify", true, record({ [REPO]: {} }), [A], { allowed: false, why: "no matching credentials" }],
  ["the very secret: allowed, nothing to learn", true, record({ [REPO]: { secrets: [A] } }), [A], { allowed: true, why: "secret" }],
  ["no pod secret: verify", true, record({ [REPO]: { secrets: [A] } }), [], { allowed: false, why: "no matching credentials" }],
  ["other credentials: verify", true, record({ [REPO]: { secrets: [A] } }), [secret("b", "hash-b")], { allowed: false, why: "no matching credentials" }],
  [
    "another Secret with the same credentials: allowed, and remembered",
    true,
    record({ [REPO]: { secrets: [A] } }),
    [secret("b", "hash-b"), secret("c", "hash-a")],
    { allowed: true, why: "secret", remember: secret("c", "hash-a") },
  ],
  [
    "the same Secret (same uid) rotated: allowed, new hash remembered",
    true,
    record({ [REPO]: { secrets: [A] } }),
    [secret("a", "hash-new")],
    { allowed: true, why: "secret", remember: secret("a", "hash-new") },
  ],
  [
    "same name recreated (new uid) with other credentials: verify",
    true,
    record({ [REPO]: { secrets: [A] } }),
    [secret("a", "hash-new", "uid-other")],
    { allowed: false, why: "no matching credentials" },
  ],
  [
    "same name in another namespace with other credentials: verify",
    true,
    record({ [REPO]: { secrets: [A] } }),
    [secret("a", "hash-new", "uid-a", "other")],
    { allowed: false, why: "no matching credentials" },
  ],
  ["an empty recorded hash never matches", true, record({ [REPO]: { secrets: [secret("x", "")] } }), [secret("y", "")], { allowed: false, why: "no matching credentials" }],
];
for (const [name, verify, rec, pod, want] of decisions) test(`access: ${name}`, () => assert.deepEqual(decideAccess(verify, rec, REPO, pod), want));

test("access: a full record still allows but stops learning new Secrets", () => {
  const many = Array.from({ length: MAX_SECRETS_WRITTEN_WHILE_MATCHING }, (_, i) => secret(`s${i}`, `h${i}`));
  assert.deepEqual(decideAccess(true, record({ [REPO]: { secrets: many } }), REPO, [secret("new", "h5")]), { allowed: true, why: "secret" });
});

test("merge: a new record, an added secret, an updated hash, anonymous, and no change when already known", () => {
  const first = mergeCredentials(undefined, "sha256:aaa", REPO, { secret: A }, 10);
  assert.deepEqual(first, { record: { imageRef: "sha256:aaa", updated: 10, repositories: { [REPO]: { secrets: [A] } } }, changed: true });
  assert.equal(mergeCredentials(first.record, "sha256:aaa", REPO, { secret: A }, 20).changed, false);

  const B = secret("b", "hash-a");
  const added = mergeCredentials(first.record, "sha256:aaa", REPO, { secret: B }, 20);
  assert.deepEqual(added.record.repositories[REPO]?.secrets, [A, B]);
  assert.equal(added.record.updated, 20);

  const rotated = mergeCredentials(added.record, "sha256:aaa", REPO, { secret: secret("a", "hash-rotated") }, 30);
  assert.deepEqual(rotated.record.repositories[REPO]?.secrets, [secret("a", "hash-rotated"), B]);

  const anon = mergeCredentials(rotated.record, "sha256:aaa", "docker.io/library/busybox", { anonymous: true }, 40);
  assert.deepEqual(anon.record.repositories["docker.io/library/busybox"], { anonymous: true });
  assert.deepEqual(anon.record.repositories[REPO], rotated.record.repositories[REPO], "other repositories untouched");
  assert.equal(mergeCredentials(anon.record, "sha256:aaa", "docker.io/library/busybox", { anonymous: true }, 50).changed, false);
  assert.deepEqual(first.record.repositories[REPO]?.secrets, [A], "the input record is not mutated");
});

const pulledCases: Array<[string, PulledRecord | undefined, boolean]> = [
  ["no record", undefined, false],
  ["this repository pulled", record({ [REPO]: { anonymous: true } }), true],
  ["this repository seen preloaded", record({ [REPO]: { preloaded: true } }), false],
  ["this repository preloaded, the same image pulled elsewhere", record({ [REPO]: { preloaded: true }, "other/repo": { secrets: [A] } }), false],
  ["only another repository pulled", record({ "other/repo": { secrets: [A] } }), true],
  ["only another repository preloaded", record({ "other/repo": { preloaded: true } }), false],
];
for (const [name, rec, want] of pulledCases) test(`pulled by us? ${name}: ${want}`, () => assert.equal(recordSaysPulled(rec, REPO), want));

test("merge: preloaded only marks a repository with no entry; a pull replaces it", () => {
  const pre = mergeCredentials(undefined, "sha256:aaa", REPO, { preloaded: true }, 1);
  assert.deepEqual(pre.record.repositories, { [REPO]: { preloaded: true } });
  assert.equal(mergeCredentials(pre.record, "sha256:aaa", REPO, { preloaded: true }, 2).changed, false);
  const pulled = mergeCredentials(pre.record, "sha256:aaa", REPO, { secret: A }, 3);
  assert.deepEqual(pulled.record.repositories, { [REPO]: { secrets: [A] } });
  assert.equal(mergeCredentials(pulled.record, "sha256:aaa", REPO, { preloaded: true }, 4).changed, false, "never downgraded to preloaded");
  assert.deepEqual(mergeCredentials(pre.record, "sha256:aaa", REPO, { anonymous: true }, 5).record.repositories, { [REPO]: { anonymous: true } });
  // Verification asked (e.g. AlwaysVerify) on a preloaded-only entry: the pod must pull.
  assert.deepEqual(decideAccess(true, pre.record, REPO, [A]), { allowed: false, why: "no matching credentials" });
});
