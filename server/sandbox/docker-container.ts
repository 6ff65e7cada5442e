/** Container operations shared by the Docker sandbox's process kinds. */
import type Docker from 'dockerode';
import type { SandboxExit } from './sandbox.ts';

export async function setMemory(container: Docker.Container, memoryMb: number): Promise<void> {
  const bytes = memoryMb * 1024 * 1024;
  // Swap equal to memory: none.
  await container.update({ Memory: bytes, MemorySwap: bytes });
}

/** Removes the container and everything in it; gone already is fine. */
export async function removeContainer(container: Docker.Container): Promise<void> {
  await container.remove({ force: true }).catch((err: { statusCode?: number }) => {
    if (err.statusCode !== 404) throw err;
  });
}

/** How the container's main process ended, once it has (Docker's exit code and OOM flag). */
export async function containerExit(container: Docker.Container): Promise<SandboxExit> {
  await container.wait();
  const info = await container.inspect();
  return { exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled };
}

/** Kills everything in the container at once; its output not yet read is dropped (no draining Docker's backlog). */
export async function killContainer(container: Docker.Container, stream: { destroy(): void }): Promise<void> {
  stream.destroy();
  await container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
}
