// A child entry for test/bundle.test.ts: prints its own import.meta.url, which in its bundle
// (test/helpers/bundle.ts) must still be this source file's URL.
process.stdout.write(import.meta.url);
