/** node-media-server 4.4 ships no types; ingest.ts describes the few members it uses. */
declare module 'node-media-server' {
  const NodeMediaServer: unknown;
  export default NodeMediaServer;
}
