// Builds tools/compose-check (Go) once per version of its sources into the cache outside the
// repo, so a test run pays `go build` (~20 s cold) only when the tool or its go.sum changed.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { cacheDir, repoRoot, run } from "@natslet/testkit";

const execFileP = promisify(execFile);
const toolDir = join(repoRoot, "tools", "compose-check");

/** The path of the built compose-check binary (built now if this version is not cached). */
export async function composeCheckBinary(): Promise<string> {
  const hash = createHash("sha256");
  hash.update(await run("go", ["env", "GOVERSION"]));
  for (const name of readdirSync(toolDir).sort()) {
    if (name === "go.mod" || name === "go.sum" || name.endsWith(".go")) {
      hash.update(name).update(readFileSync(join(toolDir, name)));
    }
  }
  const binary = cacheDir(`compose-check-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir(), { recursive: true });
  // Built beside and renamed: two test processes never see half a binary.
  const partial = `${binary}.${process.pid}.tmp`;
  await run("go", ["build", "-trimpath", "-o", partial, "."], { cwd: toolDir, timeoutMs: 600_000 });
  renameSync(partial, binary);
  // Older versions of the tool are of no further use.
  for (const name of readdirSync(cacheDir())) {
    if (/^compose-check-[0-9a-f]{16}$/.test(name) && name !== basename(binary)) rmSync(cacheDir(name), { force: true });
  }
  return binary;
}

export interface CheckResult {
  code: number;
  output: string;
}

/** Runs compose-check on the repository, optionally on another compose file. */
export async function composeCheck(composeFile?: string): Promise<CheckResult> {
  const args = ["-repo", repoRoot, ...(composeFile === undefined ? [] : ["-file", composeFile])];
  try {
    const { stdout } = await execFileP(await composeCheckBinary(), args, { timeout: 120_000 });
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}
