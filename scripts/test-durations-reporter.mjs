/**
 * A node:test reporter, beside the usual one, that adds up how long each test file's
 * top-level tests and suites took (hooks included; the file's imports not) and writes it as
 * one JSON object, file to milliseconds, for scripts/run-tests.ts to list the slowest.
 * Plain JavaScript: node loads reporters before the tsx loader that --import brings.
 */
export default async function* fileDurations(source) {
  const byFile = {};
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { nesting, file, details } = event.data;
    if (nesting === 0 && file) byFile[file] = (byFile[file] ?? 0) + details.duration_ms;
  }
  yield JSON.stringify(byFile);
}
