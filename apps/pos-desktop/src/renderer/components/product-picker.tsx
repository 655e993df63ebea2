import type { ErrorBody } from '@retail/domain';
import { useEffect, useEffectEvent, useId, useState } from 'react';
import type { CatalogItem } from '../../shared/commands';
import { useFormat, usePos } from '../app/pos-context';
import { SearchResults, useCatalogSearch } from './catalog-search';
import { ErrorBanner } from './error-banner';

/** What was picked: the item and, for a scale label, the weight it carried. */
export interface PickedProduct {
  readonly item: CatalogItem;
  readonly weightGrams: number | null;
}

/**
 * Finds a product by scanning its barcode (Enter) or by typing words of its name or SKU, for the screens
 * that are not selling (stock movements, returns without a receipt).
 */
export function ProductPicker({ label, onPick }: { label: string; onPick: (picked: PickedProduct) => void }) {
  const { api } = usePos();
  const listId = useId();
  const [text, setText] = useState('');
  const [error, setError] = useState<ErrorBody | null>(null);
  const search = useCatalogSearch(setError);

  const pick = (item: CatalogItem, weightGrams: number | null) => {
    search.clear();
    setText('');
    setError(null);
    onPick({ item, weightGrams });
  };
  const submit = async () => {
    if (search.highlighted) {
      pick(search.highlighted, null);
      return;
    }
    const code = text.trim();
    if (code === '') return;
    const result = await api.call('catalog-scan', { code });
    if (result.ok) pick(result.value.item, result.value.scan.weightGrams);
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
          aria-expanded={search.results.length > 0}
          aria-controls={listId}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            search.typed(event.target.value);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              void submit();
            } else if (
              (event.key === 'ArrowDown' || event.key === 'ArrowUp') &&
              search.move(event.key === 'ArrowDown' ? 1 : -1)
            ) {
              event.preventDefault();
            }
          }}
        />
      </label>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <SearchResults id={listId} search={search} onPick={(item) => pick(item, null)} />
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
  const showOutsideValue = useEffectEvent((next: number) => {
    setText((current) => (parseQty(current, unit, format.parseKilograms) === next ? current : shown(next)));
  });
  useEffect(() => showOutsideValue(value), [value]);
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
