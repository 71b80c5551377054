#!/usr/bin/env node
// The `mcp-warden-audit-verify` command. A committed shim, so that the bin exists before the
// build (package managers link bins at install time); the command itself is built into dist/.
import '../dist/bin/mcp-warden-audit-verify.js'
