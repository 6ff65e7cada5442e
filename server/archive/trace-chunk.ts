/** A stored trace chunk: log entries (position + frame bytes as sent) packed with MessagePack, then gzip. */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { Packr } from 'msgpackr';
import type { LogEntry } from '../log/log.ts';

const packr = new Packr({ useRecords: false });
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** [id, frame] pairs, flattened: [id0, frame0, id1, frame1, …]. */
export async function packChunk(entries: readonly LogEntry[]): Promise<Uint8Array> {
  const flat: Array<string | Uint8Array> = [];
  for (const e of entries) flat.push(e.id, e.frame);
  return gzipAsync(packr.pack(flat));
}

export async function unpackChunk(data: Uint8Array): Promise<LogEntry[]> {
  const flat = packr.unpack(await gunzipAsync(data)) as Array<string | Uint8Array>;
  const entries: LogEntry[] = [];
  for (let k = 0; k < flat.length; k += 2) entries.push({ id: flat[k] as string, frame: flat[k + 1] as Uint8Array });
  return entries;
}
