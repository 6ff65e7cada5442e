/** Instructor sessions: open with a join code and an owner key, check ownership, rename, close. */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { nanoid } from 'nanoid';
import { newId } from '../ids.ts';
import { DuplicateJoinCode, type SessionRecord, type Store } from '../store/store.ts';

/** No 0/O, 1/I/L: a join code read aloud or from a projector is unambiguous. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CODE_LENGTH = 6;

export type OwnerCheck = 'ok' | 'not_found' | 'forbidden' | 'closed';

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

export class Sessions {
  constructor(private readonly store: Store) {}

  /** `owner`: the opening user, who may then act on it without the key (from another connection, after a reconnect). */
  async open(title: string, owner: string | null = null): Promise<{ record: SessionRecord; ownerKey: string }> {
    const ownerKey = nanoid(32);
    for (let attempt = 0; ; attempt++) {
      const record: SessionRecord = { id: newId(), joinCode: newJoinCode(), ownerKeyHash: hash(ownerKey), title, createdAt: new Date(), closedAt: null, owner };
      try {
        await this.store.createSession(record);
        return { record, ownerKey };
      } catch (err) {
        if (!(err instanceof DuplicateJoinCode) || attempt >= 5) throw err;
      }
    }
  }

  get(id: string): Promise<SessionRecord | null> {
    return this.store.getSession(id);
  }

  byCode(code: string): Promise<SessionRecord | null> {
    return this.store.sessionByCode(code);
  }

  /** Whether the owner key, or the caller's user (`user`), owns the session. */
  async checkOwner(id: string, ownerKey: string | undefined, user: string | null = null): Promise<{ check: OwnerCheck; record: SessionRecord | null }> {
    const record = await this.store.getSession(id);
    if (!record) return { check: 'not_found', record };
    const given = Buffer.from(hash(ownerKey ?? ''));
    const byUser = user !== null && record.owner === user;
    if (!byUser && !timingSafeEqual(given, Buffer.from(record.ownerKeyHash))) return { check: 'forbidden', record };
    if (record.closedAt) return { check: 'closed', record };
    return { check: 'ok', record };
  }

  rename(id: string, title: string): Promise<void> {
    return this.store.updateSession(id, { title });
  }

  close(id: string): Promise<void> {
    return this.store.updateSession(id, { closedAt: new Date() });
  }
}
