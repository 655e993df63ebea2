import { useState } from 'react';
import type { StoredValueStatus } from '../../../shared/loyalty-commands';
import { useArea, usePos } from '../../app/pos-context';
import { errorText, t } from '../../i18n/translate';
import { useHubReachable } from './customer';
import { DialogForm } from './sell-dialogs';
import { AmountField, CardBalance, CardNumberField, useCardEntry } from './stored-value';

/** What checking the number found: a card with its balance, or a number HQ (or this till) does not know. */
type Checked =
  | { readonly found: true; readonly status: StoredValueStatus }
  | { readonly found: false; readonly hubAnswered: boolean; readonly sentence: string };

/**
 * Sell, reload or check a gift card (issue 14). Checking asks the node, which asks the hub while it answers
 * (the balance is held there) and its own copy otherwise, said so. Adding an amount puts a load on the sale
 * (`sale-add-gift-card`): the node decides activation or reload, the hub loads the card once the paid sale
 * reaches it. A check alone starts no sale.
 */
export function GiftCardDialog({ onDone }: { onDone: () => void }) {
  const { sale: saleStore } = usePos();
  const busy = useArea(saleStore, (state) => state.busy);
  const hubReachable = useHubReachable();
  const { number, setNumber, validNumber, validAmount } = useCardEntry();
  const [amountText, setAmountText] = useState('');
  const [checked, setChecked] = useState<Checked | null>(null);

  const check = async () => {
    const wanted = validNumber();
    if (wanted === null) return;
    setChecked(null);
    const status = await saleStore.getState().checkStoredValue(wanted);
    if (status) {
      setChecked({ found: true, status });
      return;
    }
    // A number nobody knows is what a new card is: not a failure here, the next step is to load it.
    const error = saleStore.getState().error;
    if (error?.code === 'NOT_FOUND') {
      saleStore.setState({ error: null });
      setChecked({ found: false, hubAnswered: hubReachable, sentence: errorText(error) });
    }
  };
  const submit = async () => {
    const wanted = validNumber();
    if (wanted === null) return;
    const amount = validAmount(amountText, 'giftCard.badAmount');
    if (amount === null) return;
    if (await saleStore.getState().addGiftCard(wanted, amount)) onDone();
  };

  return (
    <DialogForm
      title={t('giftCard.title')}
      onCancel={onDone}
      onSubmit={() => void submit()}
      submitLabel={t('giftCard.add')}
      busy={busy}
    >
      {hubReachable ? null : (
        <p className="banner banner-warning" role="note">
          {t('giftCard.offline')}
        </p>
      )}
      <CardNumberField
        label={t('giftCard.number')}
        value={number}
        busy={busy}
        onChange={(next) => {
          setNumber(next);
          setChecked(null);
        }}
        onCheck={() => void check()}
      />
      {checked ? (
        <div role="status" aria-label={t('stored.check')}>
          {checked.found ? (
            <>
              <CardBalance status={checked.status} hubReachable={hubReachable} />
              <p>{t(checked.status.kind === 'gift_card' ? 'giftCard.reload' : 'giftCard.storeCredit')}</p>
            </>
          ) : checked.hubAnswered ? (
            <p>{t('giftCard.newCard')}</p>
          ) : (
            <>
              <p>{checked.sentence}</p>
              <p>{t('giftCard.unknownOffline')}</p>
            </>
          )}
        </div>
      ) : null}
      <AmountField label={t('giftCard.amount')} value={amountText} onChange={setAmountText} />
    </DialogForm>
  );
}
