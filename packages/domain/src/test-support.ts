import { DomainError } from './errors';

/** Runs `action` and returns the DomainError it throws; fails the test if it throws anything else or nothing. */
export function errorOf(action: () => unknown): DomainError {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/**
 * fast-check runs for a property: `ci` when the CI variable is set (the suite's real depth), `local`
 * otherwise so a developer's run stays quick. The domain has no Node types, hence the guarded lookup.
 */
export function propertyRuns(ci: number, local: number): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.CI ? ci : local;
}
