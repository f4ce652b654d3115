// Checks the method tables of services.ts against the loaded api.proto: a misspelled rpc, a
// request/response pairing that differs from the proto, or a streaming rpc fails here.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CRI_PACKAGE, criService, loadCriProto } from "./proto.js";
import type { CriServiceName } from "./proto.js";
import { IMAGE_RPCS, RUNTIME_RPCS } from "./services.js";

const def = loadCriProto();

// Rpcs of this proto version that the client leaves out on purpose. Listing them makes a
// proto update that adds an rpc fail here until someone decides whether natslet needs it.
const NOT_COVERED: Record<CriServiceName, string[]> = {
  RuntimeService: [
    "CheckpointContainer", // container checkpointing (forensics), not a kubelet sync path
    "GetContainerEvents", // server stream for evented PLEG (alpha); we relist like generic PLEG
    "ListMetricDescriptors", // /metrics/cadvisor replacement; not served by natslet
    "ListPodSandboxMetrics",
    "UpdatePodSandboxResources", // in-place pod resize of the sandbox
  ],
  ImageService: [],
};

const tables: [CriServiceName, Record<string, string>][] = [
  ["RuntimeService", RUNTIME_RPCS],
  ["ImageService", IMAGE_RPCS],
];

for (const [service, table] of tables) {
  describe(`${CRI_PACKAGE}.${service}`, () => {
    const svc = criService(def, service);

    for (const [method, rpc] of Object.entries(table)) {
      it(`${method} → ${rpc}(${rpc}Request) returns (${rpc}Response)`, () => {
        const m = svc[rpc];
        assert.ok(m !== undefined, `${rpc} is not an rpc of ${service}`);
        assert.equal(m.path, `/${CRI_PACKAGE}.${service}/${rpc}`);
        assert.equal(m.requestStream, false, "unary only");
        assert.equal(m.responseStream, false, "unary only");
        assert.equal(messageName(m.requestType.type), `${rpc}Request`);
        assert.equal(messageName(m.responseType.type), `${rpc}Response`);
        // Our method names are the rpc names in lowerCamelCase, so code reads like the CRI docs.
        assert.equal(method, rpc.charAt(0).toLowerCase() + rpc.slice(1));
      });
    }

    it("covers every rpc of the proto, except the ones listed as not covered", () => {
      const ours = [...Object.values(table), ...NOT_COVERED[service]].sort();
      assert.deepEqual(ours, Object.keys(svc).sort());
    });
  });
}

/** Message name from proto-loader's descriptor object (typed `object` by proto-loader). */
function messageName(type: object): string {
  const name = (type as { name?: unknown }).name;
  assert.equal(typeof name, "string");
  return name as string;
}
