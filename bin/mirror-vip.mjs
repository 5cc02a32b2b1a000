#!/usr/bin/env node
// The mirror-vip CLI: the bundled dist/cli.mjs when built, else the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const bundle = new URL('../dist/cli.mjs', import.meta.url);
if (existsSync(bundle)) {
  const { main } = await import(bundle.href);
  await main(process.argv.slice(2));
} else {
  const { tsImport } = await import('tsx/esm/api');
  const { main } = await tsImport('../cli/main.ts', import.meta.url);
  await main(process.argv.slice(2));
}
