// Loaded with `node --require` by `npm run mutate` only (never by the product or `npm test`).
// Why: StrykerJS 9 is the last release that runs on Node 20 (10 needs Node 22), and its mocha runner
// requires mocha's internals by extension-less paths (`mocha/lib/cli/run-helpers`), which mocha 12
// renamed to `.cjs`. Node's CommonJS resolver tries the extensions registered here, so registering
// `.cjs` (loaded exactly as `.js` already loads it) lets those paths resolve. Remove this file when the
// project moves to Node 22 and StrykerJS 10, whose runner resolves mocha 12 itself.
"use strict";
const Module = require("node:module");
if (!Module._extensions[".cjs"]) Module._extensions[".cjs"] = Module._extensions[".js"];
