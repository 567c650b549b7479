#!/usr/bin/env node
// npm links the bins of dependencies into node_modules/.bin but not the project's own; link
// ours too, so `node_modules/.bin/gupsim` works like any installed tool (CI scripts call it).
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';

mkdirSync('node_modules/.bin', { recursive: true });
rmSync('node_modules/.bin/gupsim', { force: true });
symlinkSync('../../bin/gupsim.js', 'node_modules/.bin/gupsim');
