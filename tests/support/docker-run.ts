/** Runs a command in a sandbox image with stdin, for reference programs in tests (no network, read-only). */
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';

export async function runInImage(image: string, cmd: string[], stdin: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const docker = new Docker();
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    User: '10001:10001',
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,noexec,size=16m' }, Memory: 256 * 1024 * 1024 },
  });
  try {
    const stream = await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks: Buffer[] = [];
    const errChunks: Buffer[] = [];
    out.on('data', (c) => chunks.push(c));
    err.on('data', (c) => errChunks.push(c));
    container.modem.demuxStream(stream, out, err);
    await container.start();
    stream.end(stdin);
    const { StatusCode } = await container.wait();
    await new Promise((r) => setTimeout(r, 50));
    return { stdout: Buffer.concat(chunks).toString(), stderr: Buffer.concat(errChunks).toString(), exitCode: StatusCode };
  } finally {
    await container.remove({ force: true });
  }
}
