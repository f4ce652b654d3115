import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { envNameOf, flagNameOf, parseFlags, recordingEnv, unknownFlags } from "./flags.js";
import { SettingsError } from "./settings.js";

describe("flags", () => {
  const cases: { name: string; argv: string[]; env?: Record<string, string>; help?: boolean; error?: RegExp }[] = [
    { name: "none", argv: [], env: {} },
    { name: "inline value", argv: ["--nats-url=nats://h:1"], env: { NATS_URL: "nats://h:1" } },
    { name: "separate value", argv: ["--log-level", "debug"], env: { LOG_LEVEL: "debug" } },
    { name: "empty inline value", argv: ["--natslet-node-labels="], env: { NATSLET_NODE_LABELS: "" } },
    { name: "value with = inside", argv: ["--natslet-node-labels=a=b,c=d"], env: { NATSLET_NODE_LABELS: "a=b,c=d" } },
    { name: "OTel names", argv: ["--otel-service-name=x"], env: { OTEL_SERVICE_NAME: "x" } },
    { name: "the last one wins", argv: ["--log-level=info", "--log-level=warn"], env: { LOG_LEVEL: "warn" } },
    { name: "help", argv: ["--help"], env: {}, help: true },
    { name: "missing value", argv: ["--log-level"], error: /--log-level needs a value/ },
    { name: "a flag where the value should be", argv: ["--log-level", "--nats-url=x"], error: /--log-level needs a value/ },
    { name: "positional", argv: ["serve"], error: /unexpected argument "serve"/ },
    { name: "single dash", argv: ["-v"], error: /unexpected argument "-v"/ },
    { name: "upper case", argv: ["--NATS_URL=x"], error: /unexpected argument/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) {
        assert.throws(() => parseFlags(c.argv), (err: unknown) => err instanceof SettingsError && c.error!.test(err.message));
        return;
      }
      const parsed = parseFlags(c.argv);
      assert.deepEqual(parsed.env, c.env);
      assert.equal(parsed.help, c.help ?? false);
    });
  }

  it("names map both ways", () => {
    assert.equal(envNameOf("natslet-resync-ms"), "NATSLET_RESYNC_MS");
    assert.equal(flagNameOf("NATSLET_RESYNC_MS"), "--natslet-resync-ms");
  });

  it("a flag nothing read is unknown; OTel and kubeconfig variables are read elsewhere", () => {
    const { env, read } = recordingEnv({ NATS_URL: "x" });
    void env["NATS_URL"];
    void env["NATSLET_RESYNC_MS"];
    const flags = { NATS_URL: "a", NATSLET_RESYNC_MS: "1", NATSLET_RESYNK_MS: "1", OTEL_SERVICE_NAME: "s", KUBECONFIG: "k" };
    assert.deepEqual(unknownFlags(flags, read), ["--natslet-resynk-ms"]);
  });
});
