/** The browser SDK, served at /sdk/tracecast.js and imported by the viewer: tracecast's client, codec, schemas, codes, TraceState and the languages table as one ES module. */
export * from '../../protocol/index.ts';
export { LANGUAGES } from '../../protocol/languages.ts';
export { TracecastClient, toWsUrl, type ClientOptions, type WebSocketConstructor, type WebSocketLike } from '../../protocol/client.ts';
