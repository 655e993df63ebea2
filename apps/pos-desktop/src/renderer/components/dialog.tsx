import { useEffect, useId, useRef, type ReactNode } from 'react';

/** Input types whose text can be selected (select() throws or does nothing on the others). */
const SELECTABLE_TYPES: ReadonlySet<string> = new Set([
  'text',
  'search',
  'tel',
  'password',
  'number',
  'email',
]);

interface DialogProps {
  readonly title: string;
  readonly onCancel: () => void;
  readonly children: ReactNode;
  /** A wide dialog for lists (parked sales, reports). */
  readonly wide?: boolean;
}

/**
 * A modal dialog: named by its title, Escape cancels, and the first field (or button) gets the focus so a
 * cashier can type straight away. A field that opens with a value (the line's quantity, its price) has that
 * value selected, so what the cashier types replaces it instead of being appended to it ("1" + "3" is 3,
 * not 13).
 */
export function Dialog({ title, onCancel, children, wide }: DialogProps) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>(
      'input, select, textarea, button:not([data-close])',
    );
    first?.focus();
    if (first instanceof HTMLInputElement && SELECTABLE_TYPES.has(first.type)) first.select();
  }, []);
  return (
    <div className="dialog-backdrop">
      <div
        ref={ref}
        className={wide ? 'dialog dialog-wide' : 'dialog'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            onCancel();
          }
        }}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** True while any modal dialog is open: screens leave the keyboard to it. */
export function isDialogOpen(doc: Document = document): boolean {
  return doc.querySelector('[role="dialog"]') !== null;
}
