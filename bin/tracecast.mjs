#!/usr/bin/env node
// Entry point for `npx tracecast`: loads the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/cli.ts');
