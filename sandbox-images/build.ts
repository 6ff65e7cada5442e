// CLI: build the sandbox images whose content-hash tag does not exist yet.
//   node --import tsx sandbox-images/build.ts [python|javascript|cpp|all] [--force] [--runtimes DIR]
import { buildImages, LANGS, type Lang } from './images.ts';

const args = process.argv.slice(2);
let which = 'all';
let force = false;
let runtimesDir: string | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--force') force = true;
  else if (a === '--runtimes') runtimesDir = args[++i];
  else if (a === 'all' || (LANGS as readonly string[]).includes(a)) which = a;
  else {
    console.error(`usage: build.ts [${LANGS.join('|')}|all] [--force] [--runtimes DIR]`);
    process.exit(2);
  }
}

// Elapsed times continue scripts/lib.sh's timeline (TC_T0, ns) when run from scripts/setup.sh.
const t0 = process.env.TC_T0 ? Number(BigInt(process.env.TC_T0) / 1_000_000n) : Date.now();
const log = (stage: string, msg: string): void =>
  console.log(`==> [${stage}] ${msg} (${(Math.floor((Date.now() - t0) / 100) / 10).toFixed(1)}s)`);
try {
  const langs: readonly Lang[] = which === 'all' ? LANGS : [which as Lang];
  const res = await buildImages({ langs, force, runtimesDir, log });
  log('images', res.built.length ? `built ${res.built.join(', ')}` : 'all up to date');
  for (const lang of langs) console.log(`${lang}: ${res.images[lang]}`);
} catch (e) {
  console.error(`ERROR: ${(e as Error).message}`);
  process.exit(1);
}
