import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory under the system temp dir, named so leftovers are easy to attribute. */
export function makeTempDir(component: string): string {
  return mkdtempSync(join(tmpdir(), `natslet-${component}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
