/** Opens the store the configuration names (server start-up and the `problems` command share it). */
import type { Config } from '../config.ts';
import type { Store } from './store.ts';
import { MemoryStore } from './store-memory.ts';
import { openPgliteStore } from './store-pglite.ts';
import { PostgresStore } from './store-postgres.ts';

export async function openStore(config: Pick<Config, 'store' | 'databaseUrl' | 'dataDir'>): Promise<Store> {
  switch (config.store) {
    case 'postgres':
      return PostgresStore.open(config.databaseUrl!);
    case 'pglite':
      return openPgliteStore(config.dataDir);
    case 'memory':
      return new MemoryStore();
  }
}
