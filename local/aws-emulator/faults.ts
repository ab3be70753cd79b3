import { COMPLETION_WRITE_FAULTS, type CompletionWriteFault } from './completion-write-faults';

export type Fault =
  | 'throttle'
  | 'unavailable'
  | 'container_error'
  | 'hang'
  | 'duplicate_notification'
  | 'drop_notification'
  | CompletionWriteFault;
const FAULTS: readonly Fault[] = [
  'throttle',
  'unavailable',
  'container_error',
  'hang',
  'duplicate_notification',
  'drop_notification',
  ...COMPLETION_WRITE_FAULTS,
];

/** `extra_data.simulate.fault` of a staged request, read only by the local emulators. */
export function faultOf(input: Buffer | undefined): Fault | undefined {
  if (!input) return undefined;
  try {
    const fault = (JSON.parse(input.toString('utf8')) as { extra_data?: { simulate?: { fault?: unknown } } })
      ?.extra_data?.simulate?.fault;
    return FAULTS.includes(fault as Fault) ? (fault as Fault) : undefined;
  } catch {
    return undefined;
  }
}
