#!/usr/bin/env node
// The package's `bin`: Node 24 runs the TypeScript entry point directly.
import '../src/main.ts';
