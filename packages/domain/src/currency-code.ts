import { z } from 'zod';
import { SUPPORTED_CURRENCIES, isSupportedCurrency } from './money';

/**
 * A supported ISO 4217 currency code. The check is the money module's own; the list is attached for JSON
 * Schema (and so the published API) to state the rule, since a refinement does not show there.
 */
export function currencyCodeSchema(message = 'The currency must be a supported ISO 4217 code.') {
  return z
    .string()
    .refine(isSupportedCurrency, { error: message })
    .meta({ enum: [...SUPPORTED_CURRENCIES], description: 'A supported ISO 4217 currency code.' });
}
