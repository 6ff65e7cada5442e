// Builds the viewer (web/src) and the browser SDK (the protocol client) into static files the gateway serves.
//
//   node web/build.mjs            → .build/web
//   import { buildWeb } from './web/build.mjs'; await buildWeb({ outDir })
//
// Output: index.html (the shell of every page: no inline script), assets/<name>-<hash>.{js,css,svg} (immutable:
// the hash changes when the content does) and sdk/tracecast.js, byte for byte the hashed SDK module the viewer
// itself imports, at a stable address for other front-ends. The build goes to a fresh folder that then replaces
// outDir, so a server starting meanwhile never reads a half-written build.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

// A build script finds its own sources; the server finds the output through server/paths.ts (`paths.web`).
const WEB = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(WEB);
const SRC = path.join(WEB, 'src');
const SDK_ENTRY = path.join(SRC, 'sdk.ts');

const hashOf = (bytes) => createHash('sha256').update(bytes).digest('base64url').slice(0, 10);

/** Browsers from the last few years: ES2020 modules; nothing older runs ES modules with these APIs anyway. */
const common = { absWorkingDir: ROOT, bundle: true, format: 'esm', platform: 'browser', target: ['es2022'], minify: true, legalComments: 'none', logLevel: 'silent' };

/**
 * The viewer reaches protocol/ only through src/sdk.ts, which becomes the one shared SDK module: a value import of
 * protocol/ from anywhere else would bundle a second copy, so it fails the build.
 */
function sdkAsModule(sdkUrl) {
  return {
    name: 'tracecast-sdk',
    setup(build) {
      build.onResolve({ filter: /sdk\.ts$/ }, (args) => (path.resolve(args.resolveDir, args.path) === SDK_ENTRY ? { path: sdkUrl, external: true } : undefined));
      build.onResolve({ filter: /protocol\// }, (args) => ({
        errors: [{ text: `${path.relative(ROOT, args.importer)} imports ${args.path}: import protocol values through web/src/sdk.ts (types: \`import type\`)` }],
      }));
    },
  };
}

/**
 * Bundles the viewer and the SDK into `outDir` (replaced). Returns the files written (relative to outDir) and the
 * source files read (absolute; besides web/ they include protocol/ and the server modules the viewer imports, so a
 * caller deciding when to rebuild should watch these, not web/ alone).
 */
export async function buildWeb({ outDir }) {
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  const files = new Map(); // relative path → bytes

  const sdk = await esbuild.build({ ...common, entryPoints: [SDK_ENTRY], write: false, outfile: 'sdk.js', metafile: true });
  const sdkBytes = sdk.outputFiles[0].contents;
  const sdkName = `assets/tracecast-${hashOf(sdkBytes)}.js`;
  files.set(sdkName, sdkBytes);
  files.set('sdk/tracecast.js', sdkBytes);

  const app = await esbuild.build({
    ...common,
    entryPoints: { app: path.join(SRC, 'main.tsx') },
    outdir: path.join(staging, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    loader: { '.svg': 'file' },
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    metafile: true,
    plugins: [sdkAsModule(`/${sdkName}`)],
  });
  for (const f of app.outputFiles) files.set(path.relative(staging, f.path).split(path.sep).join('/'), f.contents);
  const named = (ext) => [...files.keys()].find((k) => k.startsWith('assets/app-') && k.endsWith(ext));
  const icon = await readFile(path.join(SRC, 'icon.svg'));
  const iconName = `assets/icon-${hashOf(icon)}.svg`;
  files.set(iconName, icon);

  files.set('index.html', Buffer.from(shell({ js: named('.js'), css: named('.css'), sdk: sdkName, icon: iconName })));

  await rm(staging, { recursive: true, force: true });
  for (const [rel, bytes] of files) {
    const to = path.join(staging, rel);
    await mkdir(path.dirname(to), { recursive: true });
    await writeFile(to, bytes);
  }
  // Two renames: a server loading the build meanwhile finds the old one or the new one, not an empty folder.
  const old = `${outDir}.old-${process.pid}-${Date.now()}`;
  await mkdir(path.dirname(outDir), { recursive: true });
  await rename(outDir, old).catch((err) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await rename(staging, outDir);
  await rm(old, { recursive: true, force: true });
  const inputs = new Set([fileURLToPath(import.meta.url), path.join(SRC, 'icon.svg')]);
  for (const meta of [sdk.metafile, app.metafile]) {
    for (const f of Object.keys(meta.inputs)) if (!f.includes('node_modules/')) inputs.add(path.resolve(ROOT, f));
  }
  return { outputs: [...files.keys()].sort(), inputs: [...inputs].sort() };
}

/** The one HTML document: every page (/, /s/CODE, /r/RUN, /embed) is this shell; src/main.tsx routes by path. */
function shell({ js, css, sdk, icon }) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>tracecast</title>
<link rel="icon" href="/${icon}" type="image/svg+xml">
<link rel="stylesheet" href="/${css}">
<link rel="modulepreload" href="/${sdk}">
<script type="module" src="/${js}"></script>
</head>
<body>
<div id="app"><noscript>tracecast's viewer needs JavaScript.</noscript></div>
</body>
</html>
`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = path.join(ROOT, '.build', 'web');
  const t0 = performance.now();
  const { outputs } = await buildWeb({ outDir });
  console.log(`web: ${outputs.length} files in ${path.relative(process.cwd(), outDir) || outDir} (${Math.round(performance.now() - t0)} ms)`);
}
