import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Metadata, status } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { CriError, GRPC_CODE_NAMES, grpcCodeName, hasCode, isNotFound, toCriError } from "./errors.js";

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

describe("error mapping", () => {
  it("names every gRPC status as grpc-js does", () => {
    for (const [i, name] of GRPC_CODE_NAMES.entries()) {
      assert.equal(status[i], name);
      assert.equal(grpcCodeName(i), name);
    }
    assert.equal(grpcCodeName(99), "UNKNOWN");
    assert.equal(grpcCodeName(-1), "UNKNOWN");
  });

  it("wraps a grpc ServiceError with code name, method and the runtime's message", () => {
    const cause = serviceError(status.NOT_FOUND, 'an error occurred when try to find container "abc": not found');
    const err = toCriError(cause, "ContainerStatus");
    assert.ok(err instanceof CriError);
    assert.equal(err.code, "NOT_FOUND");
    assert.equal(err.method, "ContainerStatus");
    assert.equal(err.details, cause.details);
    assert.equal(err.cause, cause);
    assert.equal(err.name, "CriError");
    assert.match(err.message, /^CRI ContainerStatus: NOT_FOUND: an error occurred/);
    assert.ok(isNotFound(err));
    assert.ok(!isNotFound(toCriError(serviceError(status.UNAVAILABLE, "x"), "Version")));
  });

  it("maps deadline and cancellation", () => {
    assert.ok(hasCode(toCriError(serviceError(status.DEADLINE_EXCEEDED, "Deadline exceeded"), "PullImage"), "DEADLINE_EXCEEDED"));
    assert.ok(hasCode(toCriError(serviceError(status.CANCELLED, "Cancelled on client"), "ExecSync"), "CANCELLED"));
  });

  it("turns anything else into UNKNOWN and leaves a CriError as it is", () => {
    const plain = toCriError(new Error("Channel has been shut down"), "Version");
    assert.equal(plain.code, "UNKNOWN");
    assert.equal(plain.details, "Channel has been shut down");
    assert.equal(toCriError("boom", "Version").details, "boom");
    const same = new CriError("ABORTED", "RunPodSandbox", "x");
    assert.equal(toCriError(same, "Other"), same);
  });

  it("isNotFound is false for non-errors", () => {
    assert.equal(isNotFound(undefined), false);
    assert.equal(isNotFound({ code: "NOT_FOUND" }), false);
  });
});
