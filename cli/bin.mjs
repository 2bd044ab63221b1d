#!/usr/bin/env node
// The `muster` command (package.json `bin`): runs the TypeScript entry through tsx, in this process.
import { register } from 'tsx/esm/api';

register();
await import('./muster.ts');
