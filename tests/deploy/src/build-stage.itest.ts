// The Dockerfile's build stage, without Docker: the build context as `docker build` sends it
// (compose-check -copy-context honours .dockerignore), then the stage's own commands: a frozen
// offline install and deploy/bundle.sh, tsc included, from a tree with no dist/ at all. A file
// the build needs but .dockerignore leaves out, or a build that only works on a warm tree,
// fails here.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { makeTempDir, removeDir, repoRoot, run } from "@natslet/testkit";
import { composeCheckBinary } from "./compose-check.js";

const execFileP = promisify(execFile);
// The service whose build pulls in the most workspace packages (cri, core, testkit for its tests).
const SERVICE = "runtime-adapter";
let dir: string;

before(() => {
  dir = makeTempDir("build-stage");
});
after(async () => {
  if (dir) await removeDir(dir);
});

test(`the build stage bundles ${SERVICE} from the docker build context`, async () => {
  const context = join(dir, "src");
  await run(await composeCheckBinary(), ["-repo", repoRoot, "-copy-context", context]);
  for (const ignored of ["node_modules", ".natslet", join("proto", "k8s.io"), join("packages", "bus", "dist")]) {
    assert.ok(!existsSync(join(context, ignored)), `${ignored} is not in the build context`);
  }
  await run("pnpm", ["install", "--offline", "--frozen-lockfile"], { cwd: context, timeoutMs: 300_000 });
  const out = join(dir, "out");
  await run(join(context, "deploy", "bundle.sh"), [SERVICE, out, "--offline"], { cwd: context, timeoutMs: 600_000 });
  // It loads every module and stops at its settings (exit 2), as in bundle.itest.ts.
  const exit = await execFileP(process.execPath, ["dist/main.js"], { cwd: out, env: { PATH: process.env["PATH"] }, timeout: 30_000 }).then(
    () => ({ code: 0, output: "" }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code, output: `${err.stdout ?? ""}${err.stderr ?? ""}` }),
  );
  assert.equal(exit.code, 2, exit.output);
  assert.match(exit.output, /"CONTAINER_RUNTIME_ENDPOINT must be set","msg":"invalid settings"/);
});
