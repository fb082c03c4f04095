import { describe, expect, it } from 'vitest';
import { maskStreamKey, splitRtmpAddress } from '../../shared/rtmp-address.js';

const DOC_SAMPLE =
  'rtmp://rtcpush****.rtmp.alivecdn.com/rtcdev****/H4sIAAAA****_6pWSlayUipJLS5R0lEqRTBTEMwiJSul1CRTMxNjsyQTM****-PUZCMz8yTDZLNkAwMDA6M0I0ulWgA****__wEAAP__a_e7YkkAAAA?auth_key=1700492701-6e33-0-c6d7e3a93dc2dbe3af42f6259ccd****';

describe('splitRtmpAddress', () => {
  it('splits the doc sample at the last slash before the query, token in the key', () => {
    const { server, streamKey } = splitRtmpAddress(DOC_SAMPLE);
    expect(server).toBe('rtmp://rtcpush****.rtmp.alivecdn.com/rtcdev****');
    expect(streamKey.startsWith('H4sIAAAA')).toBe(true);
    expect(streamKey).toContain('?auth_key=1700492701-6e33-0-');
    expect(server).not.toContain('auth_key');
    expect(`${server}/${streamKey}`).toBe(DOC_SAMPLE);
  });

  it('keeps a multi-segment app and a port, and accepts rtmps', () => {
    expect(splitRtmpAddress('rtmps://h:1936/a/b/s?auth_key=1-2-3-x')).toEqual({
      server: 'rtmps://h:1936/a/b',
      streamKey: 's?auth_key=1-2-3-x',
    });
    expect(splitRtmpAddress('rtmp://h/app/s')).toEqual({ server: 'rtmp://h/app', streamKey: 's' });
  });

  it.each([
    ['http://h/app/s?auth_key=x', 'rtmp'],
    ['rtmp://h/s?auth_key=x', 'app'],
    ['rtmp://h/app/?auth_key=x', 'stream'],
    ['rtmp://h//s', 'app'],
    ['rtmp:///app/s', 'rtmp'],
    ['rtmp://user@h/app/s', 'host'],
    [' rtmp://h/app/s', 'spaces'],
    ['', 'rtmp'],
  ])('rejects %j', (input, word) => {
    expect(() => splitRtmpAddress(input)).toThrow(new RegExp(word));
  });
});

describe('maskStreamKey', () => {
  it('hides the token and most of the stream name', () => {
    const masked = maskStreamKey('H4sIAAAAabcdef?auth_key=1700492701-6e33-0-c6d7');
    expect(masked).not.toContain('1700492701');
    expect(masked).toBe('H4sIAA…?auth_key=••••');
  });
});
