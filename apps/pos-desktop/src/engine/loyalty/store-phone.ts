import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Db } from '../database';
import { readStoreCountry } from '../settings';

/**
 * The store's country, for phone numbers typed the way people there say them ("06 12 34 56 78" in
 * France): the region of the store's locale (fr-FR → FR). A locale without a region names no country.
 */
export function storeRegion(locale: string): CountryCode | undefined {
  let region: string | undefined;
  try {
    region = new Intl.Locale(locale).region;
  } catch {
    return undefined;
  }
  return region !== undefined && isSupportedCountry(region) ? region : undefined;
}

/**
 * The country national numbers typed at this till belong to: the one HQ set for the store
 * (`pos.store.country`), else the region of the store's locale (a till set up as en-US in Ireland
 * still reads "086 …" as Irish once HQ says the store is in IE).
 */
export function storeCountry(db: Db, locale: string): CountryCode | undefined {
  const country = readStoreCountry(db);
  return country !== undefined && isSupportedCountry(country) ? country : storeRegion(locale);
}

/**
 * A number in the store country's national form as E.164 ("+33612345678"), by libphonenumber's rules for
 * that country (trunk prefixes differ: France drops its 0, Italy keeps it). Undefined for anything that
 * cannot be a number there, and for numbers typed with their country code (the domain reads those itself).
 */
export function nationalPhoneToE164(input: string, region: CountryCode | undefined): string | undefined {
  const trimmed = input.trim();
  if (region === undefined || trimmed.startsWith('+') || trimmed.startsWith('00')) return undefined;
  if (!/^[\d\s\-.()/]+$/.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, region);
  // Possible (the right length for the country) rather than valid (a range in the bundled metadata): a
  // number from a range newer than the app's metadata must still find its customer.
  return parsed?.isPossible() ? parsed.number : undefined;
}
