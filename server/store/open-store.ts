/** Opens the store the configuration names (server start-up and the `problems` command share it). */
import type { Config } from '../config.ts';
import type { Store } from './store.ts';

// Each adapter is imported only when chosen: PGlite's WebAssembly Postgres and the pg driver cost tens of MB of
// resident memory in a gateway that uses neither.
export async function openStore(config: Pick<Config, 'store' | 'databaseUrl' | 'dataDir'>): Promise<Store> {
  switch (config.store) {
    case 'postgres':
      return (await import('./store-postgres.ts')).PostgresStore.open(config.databaseUrl!);
    case 'pglite':
      return (await import('./store-pglite.ts')).openPgliteStore(config.dataDir);
    case 'memory':
      return new (await import('./store-memory.ts')).MemoryStore();
  }
}
