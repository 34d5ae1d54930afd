#!/usr/bin/env node
// Keel runs its TypeScript sources directly through tsx (a runtime dependency), so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
