import { execFile } from "node:child_process";

/** Runs a short command to completion; rejects with its stderr on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${command} ${args.join(" ")}: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
