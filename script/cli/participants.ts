import { connectCloud } from '../cloud/cloud.js';
import { CHANNEL_OPTIONS, channelFromFlags } from './channel-flags.js';
import { stringFlag, type Command } from './command.js';

export const participantsCommand: Command = {
  name: 'participants',
  summary: 'List the users online in a channel (DescribeChannelParticipants, every page).',
  usage: '--app-id A --channel-id C [--json]',
  help: `Options:
  --app-id <id>       ARTC application ID
  --channel-id <id>   channel ID
  --json              print {"requestId","users":[...],"total":N}

Example:
  artc-ingest participants --app-id myApp --channel-id room1`,
  options: { ...CHANNEL_OPTIONS, json: { type: 'boolean' } },
  async run({ values, io }) {
    const params = channelFromFlags(values);
    const { client } = await connectCloud({
      sandbox: values.sandbox === true,
      endpoint: stringFlag(values, 'endpoint'),
      env: io.env,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    const p = await client.describeChannelParticipants(params);
    if (values.json) {
      io.stdout(JSON.stringify({ requestId: p.requestId, users: p.users, total: p.total }) + '\n');
    } else {
      io.stdout(`${p.total} user(s) in ${params.AppId}/${params.ChannelId}${p.users.length ? ':' : '.'}\n`);
      for (const u of p.users) io.stdout(`  ${u}\n`);
      io.stdout(`RequestId: ${p.requestIds.join(', ')}\n`);
    }
    return 0;
  },
};
