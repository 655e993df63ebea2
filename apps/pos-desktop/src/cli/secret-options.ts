import { readFileSync } from 'node:fs';
import { UsageError, type CliIo, type ParsedOptions } from './options';

/** The secrets pos-store takes, each from a file, an environment variable or (visible in ps) a flag. */
const SECRETS = [
  { option: 'enroll', file: 'enroll-file', env: 'POS_STORE_ENROLL_CODE' },
  { option: 'manager-pin', file: 'manager-pin-file', env: 'POS_STORE_MANAGER_PIN' },
] as const;

function firstLine(flag: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
  const line = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (line === '') throw new UsageError(`--${flag}: ${path} is empty.`);
  return line;
}

/**
 * Fills `--enroll` and `--manager-pin` from their file or environment variable, so neither has to be
 * typed where every user of the machine can read it (`ps`, shell history). Each secret comes from one
 * place: two at once is a usage error, and the flag itself still works but earns a warning.
 */
export function withSecrets(values: ParsedOptions, io: CliIo): ParsedOptions {
  const resolved: ParsedOptions = { ...values };
  for (const secret of SECRETS) {
    const sources = [
      values[secret.file] === undefined ? undefined : `--${secret.file}`,
      io.env[secret.env] === undefined || io.env[secret.env] === '' ? undefined : secret.env,
      values[secret.option] === undefined ? undefined : `--${secret.option}`,
    ].filter((source) => source !== undefined);
    if (sources.length > 1) {
      throw new UsageError(`--${secret.option}: give it once; ${sources.join(' and ')} were both set.`);
    }
    const file = values[secret.file];
    if (file !== undefined) resolved[secret.option] = firstLine(secret.file, file);
    else if (sources[0] === secret.env) resolved[secret.option] = io.env[secret.env];
    else if (values[secret.option] !== undefined) {
      io.err(
        `pos-store: warning: --${secret.option} shows the secret to every user of this machine (ps, shell history); prefer --${secret.file} FILE or ${secret.env}.`,
      );
    }
  }
  return resolved;
}
