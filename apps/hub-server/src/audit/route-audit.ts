/**
 * The audit entry an admin operation leaves when its handler does not write one itself. Every HQ write
 * route is audited: the route registry records what was asked (method, path, body without secrets) and by
 * whom once the handler succeeded. Routes whose change needs its before/after state in the same
 * transaction (staff, store config, exception decisions) write their own entry and say so.
 */

export type RouteAudit =
  /** The handler records its own entry, in the transaction of the change. */
  | 'in-handler'
  /** Not an admin action (an e-commerce order placed with an API key is business traffic, not HQ's). */
  | { readonly skip: string }
  | { readonly action?: string; readonly subjectKind?: string };

/** Fields whose values are secrets or credentials: never copied into the log. */
const SECRET_FIELD = /^(pin|password|secret|token|key|apiKey|signingSecret|rawKey|newPin)$/i;
/** An entry stays readable in a list; a price list of 16 MB is summarised instead of copied. */
const MAX_RECORDED_CHARS = 16_000;

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([name, field]) => [
        name,
        SECRET_FIELD.test(name) ? '[redacted]' : redactSecrets(field, depth + 1),
      ]),
    );
  }
  return value;
}

export function boundedForAudit(value: unknown): unknown {
  const redacted = redactSecrets(value);
  const text = JSON.stringify(redacted) ?? 'null';
  if (text.length <= MAX_RECORDED_CHARS) return redacted;
  return {
    summarised: true,
    chars: text.length,
    items: Array.isArray(redacted) ? redacted.length : undefined,
    fields:
      redacted !== null && typeof redacted === 'object' ? Object.keys(redacted).slice(0, 50) : undefined,
  };
}

const VERB_BY_METHOD: Record<string, string> = {
  POST: 'create',
  PUT: 'set',
  PATCH: 'update',
  DELETE: 'delete',
};

/**
 * `POST /api/devices/:deviceId/revoke` → `devices.revoke`; `PUT /api/price-books/:id/prices` →
 * `price-books.prices.set`; `POST /api/api-keys` → `api-keys.create`.
 */
export function auditActionOf(method: string, url: string): string {
  const segments = url.split('/').filter((segment) => segment !== '' && segment !== 'api');
  const names = segments.filter((segment) => !segment.startsWith(':'));
  const last = segments.at(-1) ?? '';
  const followsParam = segments.length >= 2 && (segments.at(-2) ?? '').startsWith(':');
  // A POST to `/things/:id/<word>` names its verb in the path (revoke, cancel, receive, resolve).
  if (method === 'POST' && followsParam && !last.startsWith(':') && names.length >= 2)
    return `${names.slice(0, -1).join('.')}.${last}`;
  return `${names.join('.')}.${VERB_BY_METHOD[method] ?? method.toLowerCase()}`;
}

/** The id a creation answered with: `{ nodeId }`, or one level down (`{ key, apiKey: { keyId } }`). */
function idFromResult(value: unknown, depth = 0): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const fields = Object.entries(value as Record<string, unknown>);
  for (const [name, field] of fields) {
    if ((name === 'id' || name.endsWith('Id')) && typeof field === 'string') return field;
  }
  if (depth > 0) return undefined;
  for (const [, field] of fields) {
    const nested = idFromResult(field, depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** `devices:<deviceId>`: what the operation was done to, from the path or else the id it created. */
export function auditSubjectOf(
  url: string,
  params: Record<string, unknown> | undefined,
  result: unknown,
  subjectKind?: string,
): string {
  const segments = url.split('/').filter((segment) => segment !== '' && segment !== 'api');
  const kind = subjectKind ?? segments.find((segment) => !segment.startsWith(':')) ?? 'hub';
  const paramValues = Object.values(params ?? {}).filter(
    (value): value is string | number => typeof value === 'string' || typeof value === 'number',
  );
  const id = paramValues.length > 0 ? paramValues.join('/') : (idFromResult(result) ?? '*');
  return `${kind}:${id}`;
}
