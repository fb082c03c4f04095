import { connectCloud } from '../cloud/cloud.js';
import { PUBLISHER_OPTIONS, publisherFromFlags } from './channel-flags.js';
import { stringFlag, type Command } from './command.js';
import { maskStreamKey } from '../../shared/rtmp-address.js';

export const urlCommand: Command = {
  name: 'url',
  summary: 'Create an RTMP ingest URL (CreateRoomRealTimeStreamAddress) and split it into OBS Server / Stream key.',
  usage: '--app-id A --channel-id C --user-id U --display-name D [--expire-time S] [--json]',
  help: `Options:
  --app-id <id>         ARTC application ID (1-64 of A-Z a-z 0-9 _ -)
  --channel-id <id>     channel ID (1-64 of A-Z a-z 0-9 _ -)
  --user-id <id>        the RTMP publisher's user ID, unique in the channel (1-64 of A-Z a-z 0-9 _ -)
  --display-name <name> the stream's display name (1-40 characters)
  --expire-time <sec>   validity of the URL in seconds (default 36000 = 10 h)
  --json                print {"requestId","rtmpAddress","server","streamKey","expiresAt"}

Examples:
  artc-ingest url --app-id myApp --channel-id room1 --user-id obs-1 --display-name "Studio A"
  artc-ingest url --sandbox --app-id demo --channel-id room1 --user-id obs-1 --display-name Demo --json`,
  options: { ...PUBLISHER_OPTIONS, json: { type: 'boolean' } },
  async run({ values, io }) {
    const params = publisherFromFlags(values);
    const { client } = await connectCloud({
      sandbox: values.sandbox === true,
      endpoint: stringFlag(values, 'endpoint'),
      env: io.env,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    const url = await client.createRoomRealTimeStreamAddress(params);
    const expiresAt = new Date(url.expiresAt).toISOString();
    if (values.json) {
      io.stdout(
        JSON.stringify({
          requestId: url.requestId,
          rtmpAddress: url.rtmpAddress,
          server: url.server,
          streamKey: url.streamKey,
          expiresAt,
        }) + '\n',
      );
    } else {
      io.stdout(
        [
          `Server:     ${url.server}`,
          `Stream key: ${url.streamKey}`,
          `Expires:    ${expiresAt} (${Math.round((url.expiresAt - url.requestedAt) / 60_000)} min)`,
          `RequestId:  ${url.requestId}`,
          '',
          `In OBS: Settings > Stream > Service "Custom...", paste Server and Stream key (${maskStreamKey(url.streamKey)}).`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  },
};
