// Bundles each function into one minified ESM file under dist/ and prints its size.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** ESM bundles of CommonJS SDKs need require, __filename and __dirname (see shared sdk-notes). */
const banner = [
  "import{createRequire as __cr}from'node:module';",
  "import{fileURLToPath as __f}from'node:url';",
  "import{dirname as __d}from'node:path';",
  'const require=__cr(import.meta.url);const __filename=__f(import.meta.url);const __dirname=__d(__filename);',
].join('');

export const BUNDLES = [
  { name: 'aws', entry: 'functions/aws/handler.ts', out: 'dist/aws/handler.mjs' },
  // split into chunks: each command loads only its own code (notify on a member starts without the SDKs)
  {
    name: 'cli',
    entry: 'cli/main.ts',
    out: 'dist/cli.mjs',
    chunks: 'cli-chunks',
    external: ['@azure/functions-core'],
  },
  { name: 'gcp', entry: 'functions/gcp/index.ts', out: 'dist/gcp/index.mjs' },
  // the Functions host provides @azure/functions-core to the worker; it is not an npm package (sdk-notes)
  {
    name: 'azure',
    entry: 'functions/azure/index.ts',
    out: 'dist/azure/index.mjs',
    external: ['@azure/functions-core'],
  },
  { name: 'oci', entry: 'functions/oci/index.ts', out: 'dist/oci/func.mjs' },
] as const;

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

for (const b of BUNDLES) {
  const t0 = performance.now();
  const split = 'chunks' in b;
  if (split) rmSync(join(dirname(b.out), b.chunks), { recursive: true, force: true });
  await build({
    entryPoints: split ? { [b.name]: b.entry } : [b.entry],
    ...(split
      ? {
          outdir: dirname(b.out),
          splitting: true,
          chunkNames: `${b.chunks}/[name]-[hash]`,
          outExtension: { '.js': '.mjs' },
        }
      : { outfile: b.out }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: false,
    legalComments: 'none',
    banner: { js: banner },
    logLevel: 'warning',
    external: 'external' in b ? [...b.external] : [],
  });
  const size = statSync(b.out).size;
  const gz = gzipSync(readFileSync(b.out)).length;
  const dir = split ? join(dirname(b.out), b.chunks) : undefined;
  const chunks = dir ? readdirSync(dir).map((f) => statSync(join(dir, f)).size) : [];
  const more = dir ? ` + ${chunks.length} chunks ${kb(chunks.reduce((a, n) => a + n, 0))} in ${dir}/` : '';
  console.log(
    `${b.out.padEnd(24)} ${kb(size).padStart(8)} (${kb(gz)} gzip)${more} in ${(performance.now() - t0).toFixed(0)} ms`,
  );
}
