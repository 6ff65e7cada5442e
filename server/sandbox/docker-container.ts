/** Container operations shared by the Docker sandbox's process kinds. */
import type Docker from 'dockerode';

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
