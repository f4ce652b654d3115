// The hostPath `type` checks (kubelet: hostpath.checkType). Pure: the caller stats the path.

export type HostPathType = "" | "DirectoryOrCreate" | "Directory" | "FileOrCreate" | "File" | "Socket" | "CharDevice" | "BlockDevice";
/** What is at the path, as lstat/stat tells it. */
export type FileKind = "missing" | "directory" | "file" | "socket" | "char" | "block" | "other";

export type HostPathDecision =
  | { action: "use" }
  | { action: "create"; kind: "directory" | "file" }
  | { action: "refuse"; message: string };

/** What to do with a hostPath of `type` where `kind` was found. */
export function checkHostPathType(path: string, type: HostPathType | undefined, kind: FileKind): HostPathDecision {
  const refuse = (what: string): HostPathDecision => ({ action: "refuse", message: `hostPath type check failed: ${path} is not ${what}` });
  switch (type ?? "") {
    case "":
      // No check: the runtime creates a missing directory (kubelet behaviour for the empty type).
      return { action: "use" };
    case "DirectoryOrCreate":
      if (kind === "missing") return { action: "create", kind: "directory" };
      return kind === "directory" ? { action: "use" } : refuse("a directory");
    case "Directory":
      return kind === "directory" ? { action: "use" } : refuse("a directory");
    case "FileOrCreate":
      if (kind === "missing") return { action: "create", kind: "file" };
      return kind === "file" ? { action: "use" } : refuse("a file");
    case "File":
      return kind === "file" ? { action: "use" } : refuse("a file");
    case "Socket":
      return kind === "socket" ? { action: "use" } : refuse("a socket file");
    case "CharDevice":
      return kind === "char" ? { action: "use" } : refuse("a character device");
    case "BlockDevice":
      return kind === "block" ? { action: "use" } : refuse("a block device");
  }
  return { action: "refuse", message: `hostPath type ${type ?? ""} is not supported` };
}
