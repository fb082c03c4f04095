/**
 * The emulator's gateway: every error path with its status and body, on a fake clock with no port.
 */
import { describe, expect, it } from 'vitest';
import { formatAcsDate } from '../../script/cloud/sign-v3.js';
import { T0, setup } from '../helpers/emulator-fixture.js';
import { CREATE, expectError, strip, withBody, withHeader } from '../helpers/emulator-requests.js';

describe('gateway errors', () => {
  const cases: Array<[string, (f: ReturnType<typeof setup>) => Request, number, string]> = [
    [
      'no x-acs-action',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-action'),
      400,
      'MissingParameter',
    ],
    [
      'an unknown action',
      (f) => withHeader(f.signed('DescribeChannelParticipants', {}), 'x-acs-action', 'DescribeLiveStreams'),
      404,
      'InvalidAction.NotFound',
    ],
    [
      'no x-acs-version',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-version'),
      400,
      'MissingParameter',
    ],
    [
      'another version',
      (f) => withHeader(f.signed('DescribeChannelParticipants', {}), 'x-acs-version', '2014-05-26'),
      400,
      'InvalidVersion',
    ],
    [
      'the other method',
      (f) => f.signed('CreateRoomRealTimeStreamAddress', CREATE, { method: 'POST' }),
      400,
      'UnsupportedHTTPMethod',
    ],
    [
      'no Authorization',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'authorization'),
      400,
      'IncompleteSignature',
    ],
    [
      'a malformed Authorization',
      (f) => withHeader(f.signed('DescribeChannelParticipants', {}), 'authorization', 'ACS3-HMAC-SHA256 Credential=x'),
      400,
      'IncompleteSignature',
    ],
    [
      'an unsigned x-acs-* header',
      (f) => withHeader(f.signed('DescribeChannelParticipants', {}), 'x-acs-extra', '1'),
      400,
      'IncompleteSignature',
    ],
    ['no x-acs-date', (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-date'), 400, 'MissingParameter'],
    [
      'no x-acs-signature-nonce',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-signature-nonce'),
      400,
      'MissingParameter',
    ],
    [
      'no x-acs-content-sha256',
      (f) => strip(f.signed('DescribeChannelParticipants', {}), 'x-acs-content-sha256'),
      400,
      'MissingParameter',
    ],
    [
      'an unknown AccessKeyId',
      (f) =>
        f.signed(
          'DescribeChannelParticipants',
          {},
          { credentials: { accessKeyId: 'LTAIunknown', accessKeySecret: 's' } },
        ),
      404,
      'InvalidAccessKeyId.NotFound',
    ],
    [
      'a malformed x-acs-date',
      (f) => f.signed('DescribeChannelParticipants', {}, { date: '2026-11-25 12:00:00' }),
      400,
      'InvalidTimeStamp.Format',
    ],
    [
      'a date 16 min behind',
      (f) => f.signed('DescribeChannelParticipants', {}, { date: formatAcsDate(T0 - 16 * 60_000) }),
      400,
      'InvalidTimeStamp.Expired',
    ],
    [
      'a date 16 min ahead',
      (f) => f.signed('DescribeChannelParticipants', {}, { date: formatAcsDate(T0 + 16 * 60_000) }),
      400,
      'InvalidTimeStamp.Expired',
    ],
    [
      'a body that does not match x-acs-content-sha256',
      (f) => withBody(f.signed('DescribeChannelParticipants', {}), 'x'),
      400,
      'SignatureDoesNotMatch',
    ],
    [
      'a repeated parameter',
      (f) =>
        new Request(f.signed('DescribeChannelParticipants', { AppId: 'a' }).url + '&AppId=b', {
          method: 'POST',
          headers: f.signed('DescribeChannelParticipants', { AppId: 'a' }).headers,
        }),
      400,
      'InputInvalid',
    ],
  ];
  it.each(cases)('%s', async (_name, make, status, code) => {
    const f = setup();
    expectError(await f.call(make(f)), status, code);
  });

  it('accepts a date 14 min off either way', async () => {
    const f = setup();
    for (const skew of [-14, 14]) {
      expect(
        (
          await f.call(
            f.signed(
              'DescribeChannelParticipants',
              { AppId: 'a', ChannelId: 'c' },
              { date: formatAcsDate(T0 + skew * 60_000) },
            ),
          )
        ).status,
      ).toBe(200);
    }
  });

  it('refuses a reused nonce for 30 min, and does not burn the nonce of a refused request', async () => {
    const f = setup();
    const q = { AppId: 'a', ChannelId: 'c' };
    const forged = { accessKeyId: f.emu.credentials.accessKeyId, accessKeySecret: 'wrong' };
    expectError(
      await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N', credentials: forged })),
      400,
      'SignatureDoesNotMatch',
    );
    expect((await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N' }))).status).toBe(200);
    expectError(await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N' })), 400, 'SignatureNonceUsed');
    f.clock.advance(29 * 60_000);
    expectError(await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N' })), 400, 'SignatureNonceUsed');
    f.clock.advance(2 * 60_000);
    expect((await f.call(f.signed('DescribeChannelParticipants', q, { nonce: 'N' }))).status).toBe(200);
  });

  it('STS: a missing or wrong security token is refused', async () => {
    const f = setup({ sts: true });
    const c = f.emu.credentials;
    expectError(
      await f.call(
        f.signed('DescribeChannelParticipants', {}, { credentials: { ...c, securityToken: undefined } as never }),
      ),
      400,
      'InvalidSecurityToken.Malformed',
    );
    expectError(
      await f.call(
        f.signed('DescribeChannelParticipants', {}, { credentials: { ...c, securityToken: `${c.securityToken}x` } }),
      ),
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
    );
  });
});
