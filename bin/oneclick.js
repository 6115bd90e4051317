#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx's loader: no build step between an edit and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
const code = await main(process.argv);
// Commands await their own cleanup; exiting here stops stray library timers from holding the process open.
process.exit(code);
