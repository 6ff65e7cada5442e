/** bench/scale's own part: a worktree of an earlier commit, to run the code before a change beside this checkout. */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nanoid } from 'nanoid';
import { paths } from '../../server/paths.ts';

export const ROOT = paths.root;

/**
 * A worktree of `commit` to run the code before a change: this checkout's node_modules, and its tracer runtimes
 * and image inputs copied in, so that both sides ask for the same sandbox images whatever is edited meanwhile.
 */
export function addTree(commit: string): { tree: string; remove: () => void } {
  const tree = path.join(realpathSync(os.tmpdir()), `tc-bench-scale-${process.pid}-${nanoid(4).replace(/[^A-Za-z0-9]/g, 'x')}`);
  const git = (...args: string[]) => execFileSync('git', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  git('-C', ROOT, 'worktree', 'add', '--detach', tree, commit);
  const remove = () => git('-C', ROOT, 'worktree', 'remove', '--force', tree);
  try {
    for (const dir of [paths.tracerRuntimes, paths.sandboxImages]) {
      const to = path.join(tree, path.relative(ROOT, dir));
      rmSync(to, { recursive: true, force: true });
      cpSync(dir, to, { recursive: true });
    }
    // What the copied image inputs import that an older tree lacks (the tag computation, not the server's code).
    for (const file of ['protocol/languages.ts']) {
      if (!existsSync(path.join(tree, file))) cpSync(path.join(ROOT, file), path.join(tree, file));
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  } catch (err) {
    remove();
    throw err;
  }
  return { tree, remove };
}
