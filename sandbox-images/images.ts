// Sandbox images without a registry: a Debian trixie base made with debootstrap and
// `docker import`, then one image per language built FROM it with a normal Dockerfile.
// Tags are content hashes of the inputs, so the server computes the same tag with
// imageTag() and a build whose tag already exists is skipped.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync,
  renameSync, rmSync, statSync, symlinkSync, writeFileSync, createWriteStream,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { paths } from '../server/paths.ts';
import { LANGUAGES, LANGUAGE_NAMES, type Language } from '../protocol/languages.ts';

export type Lang = Language;
export const LANGS: readonly Lang[] = LANGUAGE_NAMES;
/**
 * Root filesystems made with debootstrap: `base` (base/packages.txt) for python and
 * javascript; `cpp-base` (cpp/packages.txt: Python for the runner plus g++, no Node) for cpp,
 * so g++'s ~250 MB stays out of the other images and their tags.
 */
export type Rootfs = 'base' | 'cpp-base';
const ROOTFS_OF = (lang: Lang): Rootfs => LANGUAGES[lang].rootfs;
const PACKAGES_FILE: Record<Rootfs, string> = { base: 'base/packages.txt', 'cpp-base': 'cpp/packages.txt' };

const HERE = paths.sandboxImages;
const ROOT = paths.root;
export const CACHE_DIR = '/var/cache/tracecast';
export const SUITE = 'trixie';
/** Label put on every tracecast image (base and languages). */
export const IMAGE_LABEL = 'tracecast.image';
/** Bump when the way the base is made changes (debootstrap flags, clean-up, import changes). */
const BASE_RECIPE = 'debootstrap --variant=minbase; cleanup v1; import v1';
const IMPORT_CHANGES = [
  `LABEL ${IMAGE_LABEL}=1`,
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'CMD ["/bin/bash"]',
];
const MAIN_FILE = (lang: Lang): string => LANGUAGES[lang].main;

export interface ImageOptions {
  /** Directory holding python/ and javascript/ runtimes; default <repo>/tracer-runtimes. */
  runtimesDir?: string;
}

interface Input { dest: string; src: string } // dest: path under /opt/tracecast

// What stays out of the images (and so out of the tags): caches, tests, corpora, docs.
const SKIP_DIR = /^(__pycache__|node_modules|tests?|fixtures|examples|.*corpus.*)$/;
const SKIP_FILE = /(\.pyc|\.md|^test_.*\.py|_test\.py|\.test\.[cm]?[jt]s)$/;

const sha = (parts: (string | Buffer)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) { h.update(String(Buffer.byteLength(p))); h.update(':'); h.update(p); }
  return h.digest('hex').slice(0, 12);
};

export function basePackages(rootfs: Rootfs = 'base'): string[] {
  return readFileSync(path.join(HERE, PACKAGES_FILE[rootfs]), 'utf8')
    .split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean)
    .flatMap((l) => l.split(/[\s,]+/));
}

export function baseTag(rootfs: Rootfs = 'base'): string {
  return `tracecast/${rootfs}:${sha([BASE_RECIPE, SUITE, ...basePackages(rootfs)])}`;
}

/** Files copied into /opt/tracecast of a language image (sorted by destination). */
export function runtimeInputs(lang: Lang, opts: ImageOptions = {}): Input[] {
  const dir = path.join(opts.runtimesDir ?? paths.tracerRuntimes, lang);
  const out: Input[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(dir, rel);
    if (!existsSync(abs)) return;
    for (const name of readdirSync(abs).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const isDir = statSync(path.join(dir, r)).isDirectory();
      if (name.startsWith('.') || (isDir ? SKIP_DIR : SKIP_FILE).test(name)) continue;
      if (isDir) walk(r);
      else out.push({ dest: r, src: path.join(dir, r) });
    }
  };
  walk('');
  if (lang === 'cpp') { // the C++ runner writes its frames with the Python runtime's channel module
    out.push({ dest: 'channel.py', src: path.join(opts.runtimesDir ?? paths.tracerRuntimes, 'python', 'channel.py') });
  }
  if (lang === 'javascript') {
    const acornCjs = createRequire(path.join(ROOT, 'package.json')).resolve('acorn'); // .../acorn/dist/acorn.js
    out.push({ dest: 'vendor/acorn.mjs', src: path.join(path.dirname(acornCjs), 'acorn.mjs') });
  }
  return out.sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));
}

/** e.g. `tracecast/python:3f2a9c01be4d`: hash of the base tag, the Dockerfile and every copied file. */
export function imageTag(lang: Lang, opts: ImageOptions = {}): string {
  const parts: (string | Buffer)[] = [baseTag(ROOTFS_OF(lang)), readFileSync(path.join(HERE, lang, 'Dockerfile'))];
  for (const f of runtimeInputs(lang, opts)) parts.push(f.dest, readFileSync(f.src));
  return `tracecast/${lang}:${sha(parts)}`;
}

export interface BuildOptions extends ImageOptions {
  langs?: readonly Lang[];
  /** Rebuild even when the tag exists (the base rootfs cache is still used). */
  force?: boolean;
  docker?: Docker;
  log?: (stage: string, msg: string) => void;
}

export interface BuildResult { base: string; images: Record<Lang, string>; built: string[] }

export async function buildImages(opts: BuildOptions = {}): Promise<BuildResult> {
  const t0 = Date.now();
  const log = opts.log ?? ((stage: string, msg: string) =>
    console.log(`==> [${stage}] ${msg} (${((Date.now() - t0) / 1000).toFixed(1)}s)`));
  const docker = opts.docker ?? new Docker();
  await docker.ping().catch((e: Error) => {
    throw new Error(`no Docker engine answers (${e.message}); run scripts/ensure-docker.sh`);
  });
  const langs = opts.langs ?? LANGS;
  const result: BuildResult = { base: baseTag(), images: {} as Record<Lang, string>, built: [] };
  const basesReady = new Set<Rootfs>();
  for (const lang of langs) {
    const rootfs = ROOTFS_OF(lang);
    const base = baseTag(rootfs);
    const tag = imageTag(lang, opts);
    result.images[lang] = tag;
    if (!opts.force && (await imageExists(docker, tag))) { log(lang, `${tag} exists, skipping`); continue; }
    const main = runtimeInputs(lang, opts).find((f) => f.dest === MAIN_FILE(lang));
    if (!main) {
      const dir = path.join(opts.runtimesDir ?? paths.tracerRuntimes, lang);
      throw new Error(`${lang}: ${path.join(dir, MAIN_FILE(lang))} is missing: cannot build ${tag}`);
    }
    if (!basesReady.has(rootfs)) { await ensureBase(docker, rootfs, base, !!opts.force, log, result); basesReady.add(rootfs); }
    log(lang, `building ${tag} FROM ${base}`);
    await buildLang(docker, lang, tag, base, opts, log);
    result.built.push(tag);
    log(lang, `built ${tag}: ${await smokeTest(docker, lang, tag)}`);
  }
  if (result.built.length) { // drop the untagged images that rebuilt tags left behind
    await docker.pruneImages({ filters: { dangling: ['true'], label: [`${IMAGE_LABEL}=1`] } }).catch(() => undefined);
  }
  return result;
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try { await docker.getImage(tag).inspect(); return true; } catch { return false; }
}

async function tagLatest(docker: Docker, tag: string): Promise<void> {
  await docker.getImage(tag).tag({ repo: tag.slice(0, tag.lastIndexOf(':')), tag: 'latest' });
}

// ---------------------------------------------------------------- base image

async function ensureBase(docker: Docker, name: Rootfs, tag: string, force: boolean,
  log: (s: string, m: string) => void, result: BuildResult): Promise<void> {
  if (!force && (await imageExists(docker, tag))) { log(name, `${tag} exists, skipping`); return; }
  const hash = tag.split(':')[1]!;
  const rootfs = await ensureRootfs(name, hash, log);
  log(name, `importing ${rootfs} as ${tag}`);
  const tar = spawn('tar', ['--numeric-owner', '--exclude=./dev/*', '--exclude=./proc/*',
    '--exclude=./sys/*', '-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tarDone = exitOf(tar, 'tar');
  const stream = await docker.importImage(tar.stdout as unknown as string, {
    repo: `tracecast/${name}`, tag: hash, message: `tracecast ${name} ${hash} (${SUITE})`, changes: IMPORT_CHANGES,
  } as Record<string, unknown>);
  await Promise.all([readJsonStream(stream as Readable), tarDone]);
  await tagLatest(docker, tag);
  result.built.push(tag);
  log(name, `imported ${tag}`);
}

/**
 * debootstrap the rootfs into /var/cache/tracecast/rootfs-<hash> (`cpp-base-rootfs-<hash>`
 * for cpp-base) unless it is cached there.
 */
async function ensureRootfs(name: Rootfs, hash: string, log: (s: string, m: string) => void): Promise<string> {
  const prefix = name === 'base' ? '' : `${name}-`; // base keeps its original cache names
  const dir = path.join(CACHE_DIR, `${prefix}rootfs-${hash}`);
  const link = path.join(CACHE_DIR, `${name}-rootfs`);
  if (existsSync(path.join(dir, 'etc/debian_version'))) {
    log(name, `using cached rootfs ${dir}`);
  } else {
    if (process.getuid?.() !== 0) throw new Error('building the base rootfs needs root (debootstrap)');
    mkdirSync(CACHE_DIR, { recursive: true });
    if (!commandExists('debootstrap')) {
      log(name, 'installing debootstrap');
      run('bash', ['-c', `. "${path.join(ROOT, 'scripts/lib.sh')}" && need_apt debootstrap`]);
    }
    const mirror = debianMirror();
    const pkgs = basePackages(name);
    const tmp = `${dir}.tmp`;
    removeTree(tmp);
    const logFile = path.join(CACHE_DIR, `${prefix}debootstrap-${hash}.log`);
    log(name, `debootstrap --variant=minbase --include=${pkgs.join(',')} ${SUITE} ${mirror} (log: ${logFile})`);
    await debootstrap(['--variant=minbase', `--include=${pkgs.join(',')}`, SUITE, tmp, mirror], logFile, log);
    trimRootfs(tmp);
    renameSync(tmp, dir);
    log(name, `rootfs ready: ${dir} (${duMb(dir)} MB)`);
    for (const old of readdirSync(CACHE_DIR)) { // keep one rootfs per kind: each is ~300 MB
      if (new RegExp(`^${prefix}rootfs-[0-9a-f]{12}$`).test(old) && !old.endsWith(hash)) removeTree(path.join(CACHE_DIR, old));
      if (new RegExp(`^${prefix}debootstrap-[0-9a-f]{12}\\.log$`).test(old) && !old.includes(hash)) rmSync(path.join(CACHE_DIR, old));
    }
  }
  const tmpLink = `${link}.${process.pid}`;
  rmSync(tmpLink, { force: true });
  symlinkSync(path.basename(dir), tmpLink);
  renameSync(tmpLink, link);
  return dir;
}

/** The URI apt uses for bookworm's main component (deb822 .sources first, then one-line .list). */
export function debianMirror(): string {
  if (process.env.TRACECAST_DEBIAN_MIRROR) return process.env.TRACECAST_DEBIAN_MIRROR;
  const dir = '/etc/apt/sources.list.d';
  const files = existsSync(dir) ? readdirSync(dir).sort().map((f) => path.join(dir, f)) : [];
  files.push('/etc/apt/sources.list');
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (k: string): string[] =>
          (stanza.match(new RegExp(`^${k}:[ \\t]*(.*)$`, 'mi'))?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
        if (field('Enabled')[0] === 'no' || !field('Types').includes('deb')) continue;
        if (field('Suites').includes('bookworm') && field('Components').includes('main') && field('URIs')[0]) {
          return field('URIs')[0]!;
        }
      }
    } else if (file.endsWith('.list') || file === '/etc/apt/sources.list') {
      for (const line of text.split('\n')) {
        const m = line.replace(/#.*/, '').replace(/\[[^\]]*\]/, ' ').trim().split(/\s+/);
        if (m[0] === 'deb' && m[2] === 'bookworm' && m.slice(3).includes('main') && m[1]) return m[1];
      }
    }
  }
  throw new Error('no bookworm main mirror found in /etc/apt/sources.list{,.d}; set TRACECAST_DEBIAN_MIRROR');
}

/** Runs debootstrap, logging everything to logFile and one progress line per phase. */
function debootstrap(args: string[], logFile: string, log: (s: string, m: string) => void): Promise<void> {
  const child = spawn('debootstrap', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(logFile);
  const seen = new Set<string>(); // print the first line of each phase, then a heartbeat every 10 s
  let last = '';
  let lastShown = Date.now();
  let pending = '';
  const onData = (chunk: Buffer): void => {
    out.write(chunk);
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const verb = /^I: (\S+)/.exec(line)?.[1];
      if (verb) last = line.slice(3);
      if ((verb && !seen.has(verb)) || /^[WE]: /.test(line)) {
        if (verb) seen.add(verb);
        log('base', `  ${verb ? last : line}`);
        lastShown = Date.now();
      }
    }
  };
  const beat = setInterval(() => {
    if (Date.now() - lastShown >= 10_000) { log('base', `  ... ${last}`); lastShown = Date.now(); }
  }, 1000);
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return exitOf(child, 'debootstrap').finally(() => { clearInterval(beat); out.end(); }).catch((e: Error) => {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
    throw new Error(`${e.message}\n--- last lines of ${logFile}:\n${tail}`);
  });
}

/** Drops what a sandbox never needs: docs, man pages, translations, apt's caches. */
function trimRootfs(root: string): void {
  assertNoMounts(root);
  for (const d of ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale',
    'var/cache/apt', 'var/lib/apt/lists', 'var/log', 'tmp']) {
    const abs = path.join(root, d);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs)) rmSync(path.join(abs, name), { recursive: true, force: true });
  }
  mkdirSync(path.join(root, 'var/lib/apt/lists/partial'), { recursive: true });
  chmodSync(path.join(root, 'tmp'), 0o1777);
}

function mountsUnder(dir: string): string[] {
  const prefix = path.resolve(dir) + '/';
  return readFileSync('/proc/mounts', 'utf8').split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((m) => m === prefix.slice(0, -1) || m.startsWith(prefix));
}

function assertNoMounts(dir: string): void {
  const m = mountsUnder(dir);
  if (m.length) throw new Error(`refusing to touch ${dir}: mounted inside it: ${m.join(', ')}`);
}

/** rm -rf that never crosses into a mount a failed debootstrap may have left (e.g. /proc). */
function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const m of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', m]);
  run('rm', ['-rf', '--one-file-system', dir]);
}

// ---------------------------------------------------------------- language images

async function buildLang(docker: Docker, lang: Lang, tag: string, base: string, opts: ImageOptions,
  log: (s: string, m: string) => void): Promise<void> {
  const ctx = mkdtempSync(path.join(os.tmpdir(), `tracecast-build-${lang}-`));
  try {
    copyFileSync(path.join(HERE, lang, 'Dockerfile'), path.join(ctx, 'Dockerfile'));
    for (const f of runtimeInputs(lang, opts)) {
      const dest = path.join(ctx, 'runtime', f.dest);
      mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
      writeFileSync(dest, readFileSync(f.src), { mode: 0o644 });
      chmodSync(dest, 0o644);
    }
    const tar = spawn('tar', ['--owner=0', '--group=0', '--numeric-owner', '--mode=go+rX,go-w', '-C', ctx, '-c', '.'],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const tarDone = exitOf(tar, 'tar');
    const stream = await docker.buildImage(tar.stdout as unknown as string, {
      t: tag, buildargs: { BASE: base }, rm: true, forcerm: true,
      labels: { [IMAGE_LABEL]: '1', 'tracecast.lang': lang, 'tracecast.hash': tag.split(':')[1]! },
    });
    await Promise.all([readJsonStream(stream as Readable, (ev) => {
      const s = typeof ev.stream === 'string' ? ev.stream.trim() : '';
      if (/^Step \d+\/\d+ : /.test(s)) log(lang, `  ${s}`);
    }), tarDone]);
    if (!(await imageExists(docker, tag))) throw new Error(`${lang}: build finished but ${tag} does not exist`);
    await tagLatest(docker, tag);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

/** Runs the image once (no network) and returns its runtime's version line. */
async function smokeTest(docker: Docker, lang: Lang, tag: string): Promise<string> {
  const cmd = lang === 'python'
    ? ['python3', '-c', 'import sys, json; print("python", sys.version.split()[0])']
    : lang === 'cpp'
      ? ['sh', '-c', 'echo "g++ $(g++ -dumpfullversion) python $(python3 -c "import sys; print(sys.version.split()[0])")"; test -f /opt/tracecast/lib/tracecast_init.o']
      : ['node', '-e', 'import("/opt/tracecast/vendor/acorn.mjs").then((a) => console.log("node", process.version, "acorn", a.version))'];
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => { text += c.toString(); });
  const [res, container] = await docker.run(tag, cmd, out, {
    HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true }, Tty: true,
  }) as [{ StatusCode: number }, Docker.Container];
  if (!out.readableEnded) await new Promise((r) => { out.once('end', r); setTimeout(r, 1000); }); // drain output
  await container.remove({ force: true }).catch(() => undefined);
  if (res.StatusCode !== 0) throw new Error(`${lang}: smoke test of ${tag} exited ${res.StatusCode}: ${text.trim()}`);
  return text.trim();
}

// ---------------------------------------------------------------- helpers

/** Reads a Docker JSON-lines progress stream; rejects on an `error` event. */
function readJsonStream(stream: Readable, onEvent?: (ev: Record<string, unknown>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let failed: string | undefined;
    const handle = (line: string): void => {
      if (!line.trim()) return;
      let ev: Record<string, unknown>;
      try { ev = JSON.parse(line); } catch { return; }
      if (ev.error) failed ??= String(ev.error);
      onEvent?.(ev);
    };
    stream.on('data', (c: Buffer) => {
      buf += c.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      lines.forEach(handle);
    });
    stream.on('error', reject);
    stream.on('end', () => { handle(buf); failed ? reject(new Error(failed.trim())) : resolve(); });
  });
}

function exitOf(child: ReturnType<typeof spawn>, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${name} failed (${signal ?? `exit ${code}`})`)));
  });
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function duMb(dir: string): string {
  const r = spawnSync('du', ['-sm', dir], { encoding: 'utf8' });
  return r.stdout.split('\t')[0] ?? '?';
}
