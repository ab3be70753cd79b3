/**
 * Execute statuses and the only moves allowed between them. DynamoDB condition expressions
 * enforce the same table (see the execute store), so a late or duplicated notification can
 * never move a finished record.
 */
export const EXECUTE_STATUSES = ['created', 'running', 'success', 'failed', 'cancelled'] as const;
export type ExecuteStatus = (typeof EXECUTE_STATUSES)[number];

export const TERMINAL_STATUSES: readonly ExecuteStatus[] = ['success', 'failed', 'cancelled'];

const ALLOWED_TRANSITIONS: Record<ExecuteStatus, readonly ExecuteStatus[]> = {
  created: ['running', 'success', 'failed', 'cancelled'],
  running: ['success', 'failed', 'cancelled'],
  success: [],
  failed: [],
  cancelled: [],
};

export function isTerminal(status: ExecuteStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function canTransition(from: ExecuteStatus, to: ExecuteStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** The statuses a record may be in for a move to `to` to be legal. */
export function statusesThatMayBecome(to: ExecuteStatus): ExecuteStatus[] {
  return EXECUTE_STATUSES.filter((from) => canTransition(from, to));
}

export function isExecuteStatus(value: unknown): value is ExecuteStatus {
  return typeof value === 'string' && (EXECUTE_STATUSES as readonly string[]).includes(value);
}
