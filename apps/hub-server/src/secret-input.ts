import { readFileSync } from 'node:fs';

/** Where a secret may come from, by the names the CLI documents. */
export interface SecretSources {
  /** A flag taking the secret itself: kept for scripts, but visible to every user in `ps`. */
  readonly flag?: { readonly name: string; readonly value: string | undefined };
  /** A flag naming a file that holds the secret (its first line). */
  readonly file: { readonly name: string; readonly value: string | undefined };
  readonly env: { readonly name: string; readonly value: string | undefined };
}

export class SecretInputError extends Error {}

/**
 * Reads one secret from exactly one of its sources. A file or an environment variable keeps it out of
 * process listings and shell history; a flag still works but earns a warning saying so.
 */
export function readSecret(sources: SecretSources, warn: (line: string) => void): string | undefined {
  const given = [sources.file, sources.env, ...(sources.flag === undefined ? [] : [sources.flag])].filter(
    (source) => source.value !== undefined && source.value !== '',
  );
  if (given.length > 1) {
    throw new SecretInputError(
      `Give the secret once: ${given.map((source) => source.name).join(' and ')} were both set.`,
    );
  }
  const [source] = given;
  if (source === undefined) return undefined;
  if (source === sources.file) {
    let text: string;
    try {
      text = readFileSync(source.value as string, 'utf8');
    } catch (error) {
      throw new SecretInputError(
        `${source.name}: cannot read ${source.value}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      );
    }
    const firstLine = text.split(/\r?\n/)[0] ?? '';
    if (firstLine === '') throw new SecretInputError(`${source.name}: ${source.value} is empty.`);
    return firstLine;
  }
  if (source === sources.flag) {
    warn(
      `${source.name} shows the secret to every user of this machine (ps, shell history); prefer ${sources.file.name} or ${sources.env.name}.`,
    );
  }
  return source.value;
}
