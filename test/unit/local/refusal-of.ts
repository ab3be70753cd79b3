import { AccessDeniedError } from '../../../local/iam-emulation/access-denied';

/** What IAM answers the call `check` makes: undefined when allowed, else the refusal (other errors thrown). */
export function refusalOf(check: () => void): AccessDeniedError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof AccessDeniedError) return error;
    throw error;
  }
}
