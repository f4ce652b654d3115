// Runtime commands the image-manager uses: the CRI ImageService, reached through the
// runtime-adapter (the only process holding the CRI socket).
export const runtimeImageMethods = {} as const;
