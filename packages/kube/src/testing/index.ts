// Test helpers (not for production code): a fake clock, a scripted ListerWatcher, real pods.
export { FakeClock } from "./fake-clock.js";
export { ScriptedListerWatcher, type ListStep, type WatchStep } from "./scripted-list-watch.js";
export { Mirror, uidOf } from "./mirror.js";
export { TestPods, type PodRef } from "./pods.js";
