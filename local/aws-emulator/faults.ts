import { COMPLETION_WRITE_FAULTS, type CompletionWriteFault } from './completion-write-faults';

export type Fault =
  | 'throttle'
  | 'unavailable'
  | 'container_error'
  | 'hang'
  | 'duplicate_notification'
  | 'drop_notification'
  | CompletionWriteFault;
export const FAULTS: readonly Fault[] = [
  'throttle',
  'unavailable',
  'container_error',
  'hang',
  'duplicate_notification',
  'drop_notification',
  ...COMPLETION_WRITE_FAULTS,
];

/**
 * `extra_data.simulate.fault` of a staged request, read only by the local emulators; `unknown` is
 * a value that names no switch (a typo would otherwise run the execute as if nothing were asked).
 */
export function faultOf(input: Buffer | undefined): { fault?: Fault; unknown?: string } {
  if (!input) return {};
  try {
    const fault = (JSON.parse(input.toString('utf8')) as { extra_data?: { simulate?: { fault?: unknown } } })
      ?.extra_data?.simulate?.fault;
    if (fault === undefined) return {};
    return FAULTS.includes(fault as Fault)
      ? { fault: fault as Fault }
      : { unknown: String(fault).slice(0, 100) };
  } catch {
    return {};
  }
}
