import type { ErrorBody } from '@retail/domain';
import { useState } from 'react';
import type { ApiResult } from '../api/hub-api';

/**
 * What a table's row actions (revoke, pause, rotate, …) last said: the hub's refusal in `error`, or what
 * was done in `notice`, never both at once. `report` shows an answer: a refusal replaces the notice; a
 * success clears the refusal and lets `done` say what was done. `succeed` is that for a form that already
 * handled its own answer. The screen shows both with `<ActionFeedback feedback={…} />`.
 */
export function useActionFeedback() {
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);
  const report = <T>(result: ApiResult<T>, done: (value: T) => void): void => {
    if (!result.ok) {
      setNotice(null);
      setError(result.error);
      return;
    }
    setError(null);
    done(result.value);
  };
  const succeed = (text: string): void => {
    setError(null);
    setNotice(text);
  };
  return { notice, setNotice, error, setError, report, succeed };
}

export type ActionFeedbackState = ReturnType<typeof useActionFeedback>;

/**
 * The row an edit form is open for (`editing`, opened with `edit`) and the form's three endings: cancelled
 * (closes it), refused because the row changed meanwhile (closes it and reloads the list to decide again),
 * saved (closes it, says `savedNotice` through `feedback` and reloads the list).
 */
export function useRowEdit<T>(
  feedback: ActionFeedbackState,
  reload: () => void,
  savedNotice: (name: string) => string,
) {
  const [editing, setEditing] = useState<T | null>(null);
  return {
    editing,
    edit: (row: T) => setEditing(row),
    onCancel: () => setEditing(null),
    onReload: () => {
      setEditing(null);
      reload();
    },
    onSaved: (name: string) => {
      setEditing(null);
      feedback.succeed(savedNotice(name));
      reload();
    },
  };
}
