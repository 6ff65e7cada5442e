/** The wire contract: messages, codes, the MessagePack codec, the compact form of steps, the trace model and its state rebuilder. */
export * from './codes.ts';
export * from './messages.ts';
export * from './codec.ts';
export * from './steps-wire.ts';
export * from './trace.ts';
export * from './trace-state.ts';
