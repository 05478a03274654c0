/**
 * V8 flags for every node process of a test run: scripts/run-tests.ts gives them to each
 * test file's process, and the helpers that spawn a site or a script add them too.
 *
 * --liftoff-only: V8 compiles PGlite's 9 MB of WebAssembly quickly (Liftoff), then compiles
 * the hot functions again, optimised (TurboFan), in background threads. A test's process
 * lives for seconds, so that second compile hardly pays off: opening an embedded database
 * cost 1.7 s of CPU and 221 MiB with it, 0.9 s and 153 MiB without, and on two cores the
 * CPU it takes is CPU the other test file lacks. The site itself runs without the flag.
 */
export const TEST_NODE_FLAGS = ['--liftoff-only'];
