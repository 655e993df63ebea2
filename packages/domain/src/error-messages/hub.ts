/**
 * English sentences of the errors thrown in apps/hub-server, grouped by error code, keyed by a stable id
 * (`area.whatWentWrong`), written in ICU message syntax: `{name}` is a parameter the throw site passes,
 * already formatted as the sentence shows it. See docs/conventions.md, "Errors".
 */
export const HUB_ERROR_MESSAGES = {} as const;
