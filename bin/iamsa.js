#!/usr/bin/env node
// Source maps make --verbose stack traces name src/ files; they cost startup time, so only then.
if (process.argv.includes('--verbose')) process.setSourceMapsEnabled(true);
await import('../dist/main.js');
