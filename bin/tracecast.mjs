#!/usr/bin/env node
// Entry point of `npx tracecast` and `npm start`: runs the bundle scripts/build.mjs makes, rebuilding it first when a
// source is newer, so every way of starting tracecast runs the same build of the current sources.
import { ensureBuilt, SERVER_ENTRY } from '../scripts/build.mjs';
import { pathToFileURL } from 'node:url';

process.setSourceMapsEnabled(true);
await ensureBuilt();
await import(pathToFileURL(SERVER_ENTRY).href);
