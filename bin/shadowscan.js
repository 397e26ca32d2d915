#!/usr/bin/env node
// Less inlining in V8's optimizing compiler: each matcher thread compiles the hot matching code for itself, and with
// the default budget that took more CPU than two threads could spare (scan node_modules -j 2: 3.16 -> 3.01 s, -j 1
// unchanged; README, Measurements). Set before any code runs, for every thread of the process.
import v8 from 'node:v8';
v8.setFlagsFromString('--max-inlined-bytecode-size-cumulative=300');
const { main } = await import('../dist/bundle/main.js');
main(process.argv).then((code) => { process.exitCode = code; });
