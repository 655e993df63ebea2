import { DomainError } from '@retail/domain';

export interface JsonRecord {
  /** 1-based line where the record starts. */
  readonly line: number;
  readonly value: unknown;
}

const MAX_RECORD_CHARS = 1_000_000;

/**
 * Splits a JSON document into its records without holding more than one record in memory: either one
 * top-level array of objects (`[{…}, {…}]`) or newline-delimited JSON (`{…}\n{…}`). Each record is
 * parsed on its own, so a bad one is reported with its line and the rest are still read.
 */
export async function* jsonRecords(
  chunks: AsyncIterable<string | Buffer>,
): AsyncGenerator<JsonRecord | { line: number; error: string }> {
  let line = 1;
  let started = false;
  let inArray = false;
  let ended = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let currentLine = 0;

  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (let index = 0; index < text.length; index += 1) {
      const char = text[index]!;
      if (depth > 0) {
        current += char;
        if (current.length > MAX_RECORD_CHARS) {
          throw new DomainError(
            'INVALID_INPUT',
            'hub.catalog.recordTooLarge',
            { currentLine },
            {
              line: currentLine,
            },
          );
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (char === '\\') escaped = true;
          else if (char === '"') inString = false;
        } else if (char === '"') {
          inString = true;
        } else if (char === '{' || char === '[') {
          depth += 1;
        } else if (char === '}' || char === ']') {
          depth -= 1;
          if (depth === 0) {
            yield parseRecord(current, currentLine);
            current = '';
          }
        }
        if (char === '\n') line += 1;
        continue;
      }
      if (char === '\n') {
        line += 1;
        continue;
      }
      if (char === ' ' || char === '\t' || char === '\r' || char === '\ufeff') continue;
      if (ended) {
        throw new DomainError('INVALID_INPUT', 'hub.catalog.lineNothingMayFollow', { line }, { line });
      }
      if (!started && char === '[') {
        started = true;
        inArray = true;
        continue;
      }
      started = true;
      if (inArray && char === ',') continue;
      if (inArray && char === ']') {
        ended = true;
        continue;
      }
      if (char === '{' || char === '[') {
        depth = 1;
        current = char;
        currentLine = line;
        continue;
      }
      throw new DomainError(
        'INVALID_INPUT',
        'hub.catalog.lineExpectedJsonObject',
        { line, char: JSON.stringify(char) },
        {
          line,
        },
      );
    }
  }
  if (depth > 0) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.catalog.recordCutOff',
      { currentLine },
      {
        line: currentLine,
      },
    );
  }
  if (inArray && !ended) {
    throw new DomainError('INVALID_INPUT', 'hub.catalog.fileEndedBeforeClosing', {}, { line });
  }
}

function parseRecord(text: string, line: number): JsonRecord | { line: number; error: string } {
  try {
    return { line, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { line, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
