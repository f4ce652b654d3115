// Runtime commands the node-api uses: CRI streaming URLs (exec, attach, port-forward) and stats,
// reached through the runtime-adapter (the only process holding the CRI socket).
export const runtimeNodeApiMethods = {} as const;
