#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../dist/cli/launch.js';

const bundle = loadBundle(fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url)));
bundle.exports.main(process.argv).then((code) => {
  process.exitCode = code;
  bundle.saveCodeCache();
});
