#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through the
// `prepare` script). During development use `npx tsx harness/main.ts`.
import '../dist/harness/main.js';
