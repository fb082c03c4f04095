import { describe, expect, it } from 'vitest';
import {
  CreateParams,
  ParticipantsParams,
  ParticipantsResponse,
  computeExpiry,
  flattenUserList,
  formatIssues,
} from '../../shared/cloud-schemas.js';

const valid = { AppId: 'app_1-X', ChannelId: 'room-1', UserId: 'obs_user', DisplayName: 'Studio A' };

function problem(input: unknown): string {
  const r = CreateParams.safeParse(input);
  return r.success ? 'ok' : formatIssues(r.error);
}

describe('CreateParams: the doc rules', () => {
  it('accepts the doc example and edge lengths', () => {
    expect(problem(valid)).toBe('ok');
    expect(problem({ ...valid, AppId: 'a'.repeat(64), ChannelId: 'C', UserId: '_-' })).toBe('ok');
    expect(problem({ ...valid, DisplayName: '直'.repeat(40) })).toBe('ok');
    expect(problem({ ...valid, DisplayName: '🎥'.repeat(40) })).toBe('ok');
    expect(problem({ ...valid, DisplayName: 'a b * ~ ! (x)' })).toBe('ok');
    expect(problem({ ...valid, ExpireTime: 1 })).toBe('ok');
    expect(problem({ ...valid, ExpireTime: 43200 })).toBe('ok');
  });

  for (const field of ['AppId', 'ChannelId', 'UserId'] as const) {
    it(`${field}: 1-64 of A-Za-z0-9_-`, () => {
      expect(problem({ ...valid, [field]: 'a'.repeat(65) })).toBe(`${field}: ${field} must be at most 64 characters`);
      expect(problem({ ...valid, [field]: '' })).toMatch(new RegExp(`^${field}: ${field} is required`));
      expect(problem({ ...valid, [field]: 'has space' })).toBe(
        `${field}: ${field} may contain only letters, digits, "_" and "-"`,
      );
      expect(problem({ ...valid, [field]: 'dot.ted' })).toMatch(`${field}: `);
      expect(problem({ ...valid, [field]: 'é' })).toMatch(`${field}: `);
      const { [field]: _, ...missing } = valid;
      expect(problem(missing)).toMatch(`${field}: `);
    });
  }

  it('DisplayName: 1-40 characters, no control characters', () => {
    expect(problem({ ...valid, DisplayName: 'a'.repeat(41) })).toBe(
      'DisplayName: DisplayName must be at most 40 characters',
    );
    expect(problem({ ...valid, DisplayName: '直'.repeat(41) })).toMatch('at most 40');
    expect(problem({ ...valid, DisplayName: '' })).toMatch('DisplayName: DisplayName is required');
    expect(problem({ ...valid, DisplayName: 'a\nb' })).toMatch('control characters');
  });

  it('ExpireTime: positive whole seconds', () => {
    expect(problem({ ...valid, ExpireTime: 0 })).toMatch('ExpireTime: ExpireTime must be a positive');
    expect(problem({ ...valid, ExpireTime: -5 })).toMatch('positive');
    expect(problem({ ...valid, ExpireTime: 1.5 })).toMatch('whole number');
    expect(problem({ ...valid, ExpireTime: '3600' })).toMatch('ExpireTime: ');
    expect(problem({ ...valid, ExpireTime: 36_000_000 })).toMatch('at most');
  });
});

describe('ParticipantsParams and response', () => {
  it('validates paging options', () => {
    expect(
      ParticipantsParams.safeParse({ AppId: 'a', ChannelId: 'c', PageNum: 2, PageSize: 10, Order: 'asc' }).success,
    ).toBe(true);
    expect(ParticipantsParams.safeParse({ AppId: 'a', ChannelId: 'c', PageNum: 0 }).success).toBe(false);
    expect(ParticipantsParams.safeParse({ AppId: 'a', ChannelId: 'c', Order: 'random' }).success).toBe(false);
  });
  it('parses the doc sample, with numbers as strings too', () => {
    const r = ParticipantsResponse.parse({
      RequestId: 'x',
      Times: '1557909133',
      TotalNum: 3,
      TotalPage: '1',
      UserList: ['27f9,bb87,df82'],
    });
    expect(r).toEqual({ RequestId: 'x', Times: 1557909133, TotalNum: 3, TotalPage: 1, UserList: ['27f9,bb87,df82'] });
    expect(ParticipantsResponse.parse({ RequestId: 'x' })).toEqual({
      RequestId: 'x',
      TotalNum: 0,
      TotalPage: 0,
      UserList: [],
    });
    expect(ParticipantsResponse.safeParse({ RequestId: 'x', UserList: 'a,b' }).success).toBe(false);
  });
  it('flattens the comma-joined UserList', () => {
    expect(flattenUserList(['27f9,bb87,df82'])).toEqual(['27f9', 'bb87', 'df82']);
    expect(flattenUserList(['a', 'b, c', '', 'a'])).toEqual(['a', 'b', 'c']);
  });
});

it('computes expiry as request time + ExpireTime (default 36000 s)', () => {
  expect(computeExpiry(1_000, 60)).toBe(61_000);
  expect(computeExpiry(0)).toBe(36_000_000);
});
