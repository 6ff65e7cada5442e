/** Structured JSON logging to stderr: one object per line, with a level, a message and context. */

export type Logger = {
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
};

function serialize(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export function createLogger(base: Record<string, unknown> = {}, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const emit = (level: string, msg: string, ctx?: Record<string, unknown>) => {
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, msg, ...base };
    if (ctx) for (const [k, v] of Object.entries(ctx)) record[k] = serialize(v);
    write(JSON.stringify(record) + '\n');
  };
  return {
    info: (msg, ctx) => emit('info', msg, ctx),
    warn: (msg, ctx) => emit('warn', msg, ctx),
    error: (msg, ctx) => emit('error', msg, ctx),
  };
}
