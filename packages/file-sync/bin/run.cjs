#!/usr/bin/env node
// CommonJS on purpose: the whole start is one bundle read through V8's code cache, no ES module loader
require('../dist/launch.cjs').launch(require('node:path').join(__dirname, '../dist/cli.cjs'));
