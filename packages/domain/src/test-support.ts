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
