import type { ErrorBody } from '@retail/domain';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CatalogItem } from '../../shared/commands';
import { useFormat, usePos } from '../app/pos-context';
import { t } from '../i18n/translate';

/** Search waits this long after a keystroke: a scanner types a whole code faster, so it never searches. */
export const SEARCH_DELAY_MS = 120;

export interface CatalogSearch {
  readonly results: readonly CatalogItem[];
  readonly highlight: number;
  /** The result ↓/↑ moved to, if any. */
  readonly highlighted: CatalogItem | undefined;
  /** The field's text changed: search it once the typing pauses. */
  typed(text: string): void;
  /** ↓ (+1) or ↑ (−1) through the results; false when there are none to move through. */
  move(step: 1 | -1): boolean;
  clear(): void;
}

/**
 * Instant product search for a scan field: prefix search over names and SKU codes as the cashier types,
 * only the answer to the latest text shown (earlier answers arrive late and are stale).
 */
export function useCatalogSearch(onError: (error: ErrorBody) => void): CatalogSearch {
  const { api } = usePos();
  const [results, setResults] = useState<readonly CatalogItem[]>([]);
  const [highlight, setHighlight] = useState(-1);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(0);
  const reportError = useRef(onError);
  reportError.current = onError;
  useEffect(() => () => clearTimeout(timer.current), []);

  const clear = useCallback(() => {
    clearTimeout(timer.current);
    latest.current += 1;
    setResults([]);
    setHighlight(-1);
  }, []);
  const typed = useCallback(
    (text: string) => {
      clearTimeout(timer.current);
      setHighlight(-1);
      const query = text.trim();
      if (query.length < 2) {
        latest.current += 1;
        setResults([]);
        return;
      }
      timer.current = setTimeout(() => {
        const mine = ++latest.current;
        void api.call('catalog-search', { query, limit: 8 }).then((result) => {
          if (mine !== latest.current) return;
          if (result.ok) setResults(result.value.items);
          else reportError.current(result.error);
        });
      }, SEARCH_DELAY_MS);
    },
    [api],
  );
  return {
    results,
    highlight,
    highlighted: highlight >= 0 ? results[highlight] : undefined,
    typed,
    clear,
    move(step) {
      if (results.length === 0) return false;
      setHighlight((index) => Math.max(-1, Math.min(results.length - 1, index + step)));
      return true;
    },
  };
}

/** The result list under a scan field: name, SKU and price (per kg for weighed goods). */
export function SearchResults({
  id,
  search,
  onPick,
}: {
  id: string;
  search: CatalogSearch;
  onPick: (item: CatalogItem) => void;
}) {
  const format = useFormat();
  if (search.results.length === 0) return null;
  return (
    <ul id={id} role="listbox" className="search-results" aria-label={t('sell.searchResults')}>
      {search.results.map((item, index) => (
        <li
          key={item.sku}
          id={`${id}-${index}`}
          role="option"
          aria-selected={index === search.highlight}
          className={index === search.highlight ? 'highlight' : undefined}
          onMouseDown={(event) => {
            // Keep the focus in the scan field: the pick happens on press, before any blur.
            event.preventDefault();
            onPick(item);
          }}
        >
          <span>{item.name}</span>
          <span className="muted">{item.sku}</span>
          <span>
            {item.price
              ? `${format.money(item.price.unitPrice)}${item.unit === 'kg' ? ` ${t('cart.perKg')}` : ''}`
              : t('sell.noPrice')}
          </span>
        </li>
      ))}
    </ul>
  );
}
