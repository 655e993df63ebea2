import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { errorBodyOf, retryAfterSecondsOf, statusOf } from '../api/http-errors';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './database-errors';

const serverError = (code: string, message: string) => {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
};
const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('storage/database-errors', () => {
  describe('isDatabaseUnavailable', () => {
    it('reads a restart, a terminated backend, a refused or dropped connection as the database being away', () => {
      for (const error of [
        serverError('57P01', 'terminating connection due to administrator command'),
        serverError('57P02', 'terminating connection because of crash of another server process'),
        serverError('57P03', 'the database system is starting up'),
        serverError('08006', 'connection failure'),
        serverError('53300', 'sorry, too many clients already'),
        systemError('ECONNREFUSED'),
        systemError('ECONNRESET'),
        new Error('Connection terminated unexpectedly'),
        new Error('Connection terminated due to connection timeout'),
        new Error('Client has encountered a connection error and is not queryable'),
        new Error('timeout exceeded when trying to connect'),
        new Error('query failed', { cause: systemError('EPIPE') }),
      ]) {
        expect([error.message, isDatabaseUnavailable(error)]).toEqual([error.message, true]);
      }
    });

    it('leaves every other failure alone: bad SQL, constraint violations, conflicts, domain errors', () => {
      for (const error of [
        serverError('23505', 'duplicate key value violates unique constraint'),
        serverError('40001', 'could not serialize access'),
        serverError('42P01', 'relation "nope" does not exist'),
        new DomainError('INVALID_INPUT', 'Connection terminated is not a domain error'),
        new TypeError('x is undefined'),
        'Connection terminated',
        undefined,
      ]) {
        expect(isDatabaseUnavailable(error)).toBe(false);
      }
    });
  });

  describe('errorBodyOf', () => {
    it('answers a lost database with the retryable HUB_UNAVAILABLE, a 503 and a retry hint', () => {
      const body = errorBodyOf(serverError('57P01', 'terminating connection due to administrator command'));
      expect(body).toMatchObject({
        code: 'HUB_UNAVAILABLE',
        message: expect.stringMatching(/Nothing was half-saved; try again in a few seconds/),
        details: { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
      });
      expect(statusOf(body.code)).toBe(503);
      expect(retryAfterSecondsOf(body)).toBe(DATABASE_RETRY_AFTER_SECONDS);
    });

    it('keeps domain errors as they are and hides anything else behind INTERNAL', () => {
      expect(errorBodyOf(new DomainError('NOT_FOUND', 'No such SKU.'))).toEqual({
        code: 'NOT_FOUND',
        message: 'No such SKU.',
      });
      expect(errorBodyOf(new TypeError('secret internals')).code).toBe('INTERNAL');
      expect(retryAfterSecondsOf({ code: 'INTERNAL', message: 'x' })).toBeUndefined();
    });
  });
});
