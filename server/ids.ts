/** Ids of runs and sessions: 12 letters and digits, never starting with `-`, so they pass as a CLI argument (`tracecast replay ID`) as they are. */
import { customAlphabet } from 'nanoid';

export const newId: () => string = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 12);
