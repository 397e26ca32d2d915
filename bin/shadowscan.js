#!/usr/bin/env node
const { main } = await import('../dist/bundle/main.js');
main(process.argv).then((code) => { process.exitCode = code; });
