import type { ErrorBody } from '@retail/domain';
import { useEffect, useId, useRef, useState } from 'react';
import type { CatalogItem } from '../../shared/commands';
import { useFormat, usePos } from '../app/pos-context';
import { t } from '../i18n/translate';
import { ErrorBanner } from './error-banner';

/** What was picked: the item and, for a scale label, the weight it carried. */
export interface PickedProduct {
  readonly item: CatalogItem;
  readonly weightGrams: number | null;
}

const SEARCH_DELAY_MS = 120;

/**
 * Finds a product by scanning its barcode (Enter) or by typing words of its name or SKU, for the screens
 * that are not selling (stock movements, returns without a receipt).
 */
export function ProductPicker({ label, onPick }: { label: string; onPick: (picked: PickedProduct) => void }) {
  const { api } = usePos();
  const format = useFormat();
  const listId = useId();
  const [text, setText] = useState('');
  const [results, setResults] = useState<readonly CatalogItem[]>([]);
  const [highlight, setHighlight] = useState(-1);
  const [error, setError] = useState<ErrorBody | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const searchSeq = useRef(0);
  useEffect(() => () => clearTimeout(timer.current), []);

  const reset = () => {
    clearTimeout(timer.current);
    searchSeq.current += 1;
    setText('');
    setResults([]);
    setHighlight(-1);
  };
  const pick = (item: CatalogItem, weightGrams: number | null) => {
    reset();
    setError(null);
    onPick({ item, weightGrams });
  };
  const submit = async () => {
    const picked = highlight >= 0 ? results[highlight] : undefined;
    if (picked) {
      pick(picked, null);
      return;
    }
    const code = text.trim();
    if (code === '') return;
    const result = await api.call('catalog-scan', { code });
    if (result.ok) pick(result.value.item, result.value.scan.weightGrams);
    else setError(result.error);
  };
  const search = async (query: string) => {
    const seq = ++searchSeq.current;
    const result = await api.call('catalog-search', { query, limit: 8 });
    if (seq !== searchSeq.current) return;
    if (result.ok) setResults(result.value.items);
    else setError(result.error);
  };
  return (
    <div className="product-picker">
      <label className="field">
        <span>{label}</span>
        <input
          autoComplete="off"
          spellCheck={false}
          role="combobox"
          aria-expanded={results.length > 0}
          aria-controls={listId}
          value={text}
          onChange={(event) => {
            const next = event.target.value;
            setText(next);
            setHighlight(-1);
            clearTimeout(timer.current);
            if (next.trim().length < 2) {
              searchSeq.current += 1;
              setResults([]);
              return;
            }
            timer.current = setTimeout(() => void search(next.trim()), SEARCH_DELAY_MS);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              void submit();
            } else if (event.key === 'ArrowDown' && results.length > 0) {
              event.preventDefault();
              setHighlight((index) => Math.min(results.length - 1, index + 1));
            } else if (event.key === 'ArrowUp' && results.length > 0) {
              event.preventDefault();
              setHighlight((index) => Math.max(-1, index - 1));
            }
          }}
        />
      </label>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {results.length > 0 ? (
        <ul id={listId} role="listbox" className="search-results" aria-label={t('sell.searchResults')}>
          {results.map((item, index) => (
            <li
              key={item.sku}
              role="option"
              aria-selected={index === highlight}
              className={index === highlight ? 'highlight' : undefined}
              onMouseDown={(event) => {
                event.preventDefault();
                pick(item, null);
              }}
            >
              <span>{item.name}</span>
              <span className="muted">{item.sku}</span>
              <span>{item.price ? format.money(item.price.unitPrice) : t('sell.noPrice')}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A quantity field in the item's unit: pieces, or kilograms turned into grams. */
export function QuantityInput({
  label,
  unit,
  value,
  onChange,
}: {
  label: string;
  unit: 'each' | 'kg';
  value: number;
  onChange: (qty: number) => void;
}) {
  const format = useFormat();
  const shown = (qty: number) => (unit === 'kg' ? format.kilogramsInput(qty) : String(qty));
  const [text, setText] = useState(shown(value));
  // A value set from outside ("All", a rescan) replaces what was typed; typing itself never loops back here.
  useEffect(() => {
    setText((current) => (parseQty(current, unit, format.parseKilograms) === value ? current : shown(value)));
  }, [value]);
  return (
    <label className="field field-qty">
      <span>{label}</span>
      <input
        inputMode={unit === 'kg' ? 'decimal' : 'numeric'}
        value={text}
        aria-invalid={text !== '' && parseQty(text, unit, format.parseKilograms) === null}
        onChange={(event) => {
          setText(event.target.value);
          const qty = parseQty(event.target.value, unit, format.parseKilograms);
          if (qty !== null) onChange(qty);
        }}
      />
    </label>
  );
}

function parseQty(
  text: string,
  unit: 'each' | 'kg',
  parseKilograms: (text: string) => number | null,
): number | null {
  if (unit === 'kg') return text.trim() === '' || text.trim() === '0' ? 0 : parseKilograms(text);
  return /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null;
}
