import { describe, expect, it } from 'vitest';
import {
  canTransition,
  EXECUTE_STATUSES,
  isTerminal,
  statusesThatMayBecome,
  TERMINAL_STATUSES,
} from '../../../lambda/domain/execute-status';

describe('execute status transitions', () => {
  it('moves forward only: created → running → success | failed | cancelled', () => {
    expect(canTransition('created', 'running')).toBe(true);
    expect(canTransition('running', 'success')).toBe(true);
    expect(canTransition('running', 'created')).toBe(false);
    expect(canTransition('created', 'created')).toBe(false);
  });

  it('never leaves a terminal status, whatever arrives late', () => {
    for (const from of TERMINAL_STATUSES) {
      expect(isTerminal(from)).toBe(true);
      for (const to of EXECUTE_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('lists the statuses a record may hold for a move to be legal (the condition expression)', () => {
    expect(statusesThatMayBecome('success')).toEqual(['created', 'running']);
    expect(statusesThatMayBecome('running')).toEqual(['created']);
    expect(statusesThatMayBecome('created')).toEqual([]);
  });
});
