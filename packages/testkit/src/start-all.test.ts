import assert from "node:assert/strict";
import { test } from "node:test";
import { startAll } from "./start-all.js";

function part(name: string, stopped: string[]) {
  return {
    name,
    stop: () => {
      stopped.push(name);
      return Promise.resolve();
    },
  };
}

test("startAll: all started → each in its place, none stopped", async () => {
  const stopped: string[] = [];
  const [a, b] = await startAll([Promise.resolve(part("a", stopped)), Promise.resolve(part("b", stopped))]);
  assert.deepEqual([a.name, b.name], ["a", "b"]);
  assert.deepEqual(stopped, []);
});

test("startAll: one fails → the started ones are stopped and its error is thrown", async () => {
  const stopped: string[] = [];
  await assert.rejects(
    startAll([Promise.resolve(part("a", stopped)), Promise.reject(new Error("port taken")), Promise.resolve(part("c", stopped))]),
    /port taken/,
  );
  assert.deepEqual(stopped.sort(), ["a", "c"]);
});

test("startAll: several fail → one AggregateError naming them all", async () => {
  const stopped: string[] = [];
  const err = await startAll([Promise.reject(new Error("x")), Promise.reject(new Error("y")), Promise.resolve(part("c", stopped))]).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof AggregateError);
  assert.deepEqual(err.errors.map((e: Error) => e.message), ["x", "y"]);
  assert.deepEqual(stopped, ["c"]);
});
