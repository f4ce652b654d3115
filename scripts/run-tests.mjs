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
import { setTimeout } from "node:timers";

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
// No single test may take 10 minutes; the whole run gets a deadline too (NATSLET_TEST_DEADLINE_MIN,
// default 45): a test process that never exits must fail the run, not hold CI until its limit.
const args = ["--test", "--test-concurrency=2", "--test-timeout=600000", "--test-reporter=spec", ...files];
const child = spawn(process.execPath, args, { stdio: "inherit", cwd: root });
const deadlineMin = Number(process.env.NATSLET_TEST_DEADLINE_MIN ?? 45);
const deadline = setTimeout(() => {
  console.error(`run-tests: still running after ${deadlineMin} min: stopping (a test process hangs?)`);
  child.kill("SIGTERM");
  setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
}, deadlineMin * 60_000);
deadline.unref();
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
