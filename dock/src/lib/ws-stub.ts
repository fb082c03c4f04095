/**
 * isomorphic-ws for the dock: the browser's WebSocket. The package's browser build probes MozWebSocket, `global`
 * and `self` for engines OBS never embeds; obs-websocket-js only needs the constructor.
 */
export default WebSocket;
