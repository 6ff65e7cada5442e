/** The browser SDK, served at /sdk/tracecast.js and imported by the viewer: tracecast's client, codec, schemas, codes and TraceState as one ES module. */
export * from '../../protocol/index.ts';
export { TracecastClient, toWsUrl, type ClientOptions, type WebSocketConstructor, type WebSocketLike } from '../../protocol/client.ts';
