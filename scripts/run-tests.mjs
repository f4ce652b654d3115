#!/usr/bin/env node
// Runs the compiled test files with node's built-in test runner.
//
//   *.test.ts   unit tests: pure, fast, no processes or sockets of their own
//   *.itest.ts  integration tests: start real nats-server / kube-apiserver / containerd via testkit
//
// `--unit` runs only the unit tests. Build first (`pnpm build`): tests run from dist/.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const unitOnly = process.argv.includes("--unit");

/** Recursively collects dist test files below `dir`, skipping node_modules. */
function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (path.includes("/dist/") && /\.(test|itest)\.js$/.test(name)) out.push(path);
  }
  return out;
}

const files = ["packages", "services", "tests"]
  .filter((top) => existsSync(join(root, top)))
  .flatMap((top) => collect(join(root, top), []))
  .filter((f) => !unitOnly || f.endsWith(".test.js"))
  .sort();
if (files.length === 0) {
  console.error("run-tests: no compiled test files found; run `pnpm build` first");
  process.exit(1);
}
console.error(`run-tests: ${files.length} files\n  ${files.map((f) => relative(root, f)).join("\n  ")}`);

// Integration files each start their own real components; two at a time is what 2 cores carry.
const args = ["--test", "--test-concurrency=2", "--test-reporter=spec", ...files];
const child = spawn(process.execPath, args, { stdio: "inherit", cwd: root });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
