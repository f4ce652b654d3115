import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CRI_PROTO_ENV, criProtoPath, loadCriProto } from "./proto.js";

describe("proto loading", () => {
  it("finds the retrieved api.proto from dist/ and honours the override", () => {
    assert.match(criProtoPath({}), /\/proto\/k8s\.io\/cri-api\/runtime\/v1\/api\.proto$/);
    assert.equal(criProtoPath({ [CRI_PROTO_ENV]: "/elsewhere/api.proto" }), "/elsewhere/api.proto");
    assert.equal(criProtoPath({ [CRI_PROTO_ENV]: "" }), criProtoPath({}));
  });

  it("loads once per process", () => {
    assert.equal(loadCriProto(), loadCriProto());
  });

  it("says how to get the proto when it is missing", () => {
    assert.throws(() => loadCriProto("/nonexistent/api.proto"), /proto\/fetch-cri\.sh/);
  });
});
