import { describe, expect, it } from 'vitest';
import { isFetchableAddress } from '../../../lambda/domain/inputs/address-policy';

describe('which addresses URL inputs and webhooks may reach', () => {
  it.each([
    ['93.184.216.34', true],
    ['2606:2800:220:1:248:1893:25c8:1946', true],
    ['10.0.0.1', false],
    ['169.254.169.254', false],
    ['::1', false],
    ['::', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:a9fe:a9fe', false],
    // IPv4-compatible (::/96, deprecated): the hex spelling hides 10.0.0.1 and the metadata service.
    ['::a00:1', false],
    ['::a9fe:a9fe', false],
    ['::10.0.0.1', false],
    ['::8.8.8.8', false],
    ['64:ff9b::a00:1', false],
    ['2002:a00:1::1', false],
    ['fd00::1', false],
    ['fe80::1', false],
  ])('%s → %s', (address, fetchable) => {
    expect(isFetchableAddress(address)).toBe(fetchable);
  });
});
