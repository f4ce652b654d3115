// docker-compose.yml and the Dockerfiles, validated without a Docker engine by
// tools/compose-check (compose-go, as `docker compose config`; BuildKit's Dockerfile parser and
// linter; natslet's rules). Each rule is also shown to fail on a compose file that breaks it.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { makeTempDir, removeDir, repoRoot } from "@natslet/testkit";
import { composeCheck, composeCheckBinary } from "./compose-check.js";

const composeText = readFileSync(join(repoRoot, "docker-compose.yml"), "utf8");
let dir: string;
before(async () => {
  dir = makeTempDir("compose-check");
  await composeCheckBinary();
});
after(async () => {
  await removeDir(dir);
});

function replaceOnce(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `docker-compose.yml contains ${JSON.stringify(from)} exactly once`);
  return text.replace(from, to);
}

/** Writes a variant of docker-compose.yml (in the temp dir; paths still resolve in the repo). */
function variant(name: string, edit: (text: string) => string): string {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, edit(composeText));
  return file;
}

test("docker-compose.yml and the Dockerfiles pass, with and without the control-plane profile", async () => {
  const { code, output } = await composeCheck();
  assert.equal(code, 0, output);
  assert.match(output, /profiles \[\]: \d+ services/);
  assert.match(output, /profiles \[control-plane\]: \d+ services: \[[^\]]*k3s kubeconfig/);
  assert.match(output, / 0 failed/);
});

describe("a compose file that breaks a rule fails", () => {
  const cases: { rule: string; edit: (t: string) => string; expect: RegExp }[] = [
    {
      rule: "not valid compose (schema)",
      edit: (t) => replaceOnce(t, "    image: nats:2.12.2-alpine\n", "    image: nats:2.12.2-alpine\n    restart_polcy: always\n"),
      expect: /restart_polcy/,
    },
    {
      rule: "image-manager cannot scale with a container_name",
      edit: (t) => replaceOnce(t, "    image: natslet/image-manager:dev\n", "    image: natslet/image-manager:dev\n    container_name: im\n"),
      expect: /image-manager has container_name/,
    },
    {
      rule: "image-manager cannot scale with a fixed host port",
      edit: (t) => replaceOnce(t, "    image: natslet/image-manager:dev\n", "    image: natslet/image-manager:dev\n    ports: [\"9106:9100\"]\n"),
      expect: /image-manager publishes host port 9106/,
    },
    {
      rule: "sync-loop cannot scale with a fixed host port",
      edit: (t) => replaceOnce(t, "    image: natslet/sync-loop:dev\n", "    image: natslet/sync-loop:dev\n    ports: [\"9102:9100\"]\n"),
      expect: /sync-loop publishes host port 9102/,
    },
    {
      rule: "status-manager cannot scale with a fixed host port",
      edit: (t) => replaceOnce(t, "    image: natslet/status-manager:dev\n", "    image: natslet/status-manager:dev\n    ports: [\"9104:9100\"]\n"),
      expect: /status-manager publishes host port 9104/,
    },
    {
      rule: "an environment variable no code reads",
      edit: (t) => replaceOnce(t, "      NATSLET_POD_LOGS_DIR: /var/log/pods\n      NATSLET_NODE_IP", "      NATSLET_POD_LOGS_DIR: /var/log/pods\n      NATSLET_PODLOGS_DIR: /x\n      NATSLET_NODE_IP"),
      expect: /runtime-adapter: NATSLET_PODLOGS_DIR is set but services\/runtime-adapter .* never reads it/,
    },
    {
      rule: "a node path mounted elsewhere than in the node",
      edit: (t) => replaceOnce(t, "      - containerd-socket:/run/natslet/containerd\n      - pod-logs:/var/log/pods\n      - *root-dir\n    ports: [\"127.0.0.1:9103", "      - containerd-socket:/run/natslet/containerd\n      - pod-logs:/logs\n      - *root-dir\n    ports: [\"127.0.0.1:9103"),
      expect: /runtime-adapter mounts pod-logs at \/logs, the node at \/var\/log\/pods[\s\S]*NATSLET_POD_LOGS_DIR=\/var\/log\/pods is not on a mount it shares with the node/,
    },
    {
      rule: "the pods' root dir shared without rshared propagation",
      edit: (t) => replaceOnce(t, "    volumes: [*root-dir, *hostpath-dir, *kube-dir]\n", "    volumes:\n      - { type: bind, source: \"${NATSLET_HOST_ROOT_DIR:-/var/lib/natslet-compose}\", target: /var/lib/natslet }\n      - *hostpath-dir\n      - *kube-dir\n"),
      expect: /volume-manager mounts \/var\/lib\/natslet-compose writable without the node's rshared propagation/,
    },
    {
      rule: "a service that does not wait for NATS (status-manager waits for nothing else that does)",
      edit: (t) =>
        replaceOnce(
          t,
          "      KUBECONFIG: /kube/config\n    volumes: [*kube-dir]\n    networks: [natslet]\n    depends_on:\n      nats: { condition: service_healthy }\n",
          "      KUBECONFIG: /kube/config\n    volumes: [*kube-dir]\n    networks: [natslet]\n    depends_on:\n",
        ),
      expect: /status-manager does not wait for nats to be healthy/,
    },
    {
      rule: "waiting for a service that has no healthcheck",
      edit: (t) => replaceOnce(t, "      test: [\"CMD\", \"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8222/healthz?js-enabled-only=true\"]\n", "      disable: true\n"),
      expect: /waits for nats to be healthy, but nats has no healthcheck/,
    },
    {
      rule: "a CRI endpoint containerd does not listen on",
      edit: (t) => replaceOnce(t, "unix:///run/natslet/containerd/containerd.sock", "unix:///run/natslet/containerd/other.sock"),
      expect: /CONTAINER_RUNTIME_ENDPOINT=unix:\/\/\/run\/natslet\/containerd\/other.sock, containerd listens on \/run\/natslet\/containerd\/containerd.sock/,
    },
    {
      rule: "a Dockerfile whose COPY source is missing (and BuildKit's linter)",
      edit: (t) => {
        const dockerfile = join(dir, "Dockerfile.broken");
        writeFileSync(dockerfile, "FROM debian:bookworm-slim as base\nARG SERVICE\nCOPY deploy/no-such-file /x\nHEALTHCHECK CMD true\n");
        return replaceOnce(t, "build: { context: ., args: { SERVICE: watcher } }", `build: { context: ., dockerfile: ${dockerfile}, args: { SERVICE: watcher } }`);
      },
      expect: /lint FromAsCasing[\s\S]*deploy\/no-such-file does not exist in the build context/,
    },
  ];
  for (const c of cases) {
    test(c.rule, async () => {
      const { code, output } = await composeCheck(variant(c.rule.replace(/\W+/g, "-"), c.edit));
      assert.equal(code, 1, output);
      assert.match(output, c.expect);
    });
  }
});
