// @vitest-environment happy-dom
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useActionFeedback, useRowEdit } from './use-action-feedback';

const refusal = { code: 'CONFLICT' as const, message: 'Someone changed it meanwhile.' };

describe('useActionFeedback', () => {
  it('shows a refusal instead of the notice, and a success clears the refusal before saying what was done', () => {
    const { result } = renderHook(() => useActionFeedback());
    act(() => result.current.setNotice('Paused erp.'));
    const done = vi.fn();
    act(() => result.current.report({ ok: false, error: refusal }, done));
    expect(result.current).toMatchObject({ notice: null, error: refusal });
    expect(done).not.toHaveBeenCalled();
    act(() =>
      result.current.report({ ok: true, value: 7 }, (value) => result.current.setNotice(`Got ${value}.`)),
    );
    expect(result.current).toMatchObject({ notice: 'Got 7.', error: null });
  });
});

describe('useRowEdit', () => {
  it('closes the form on cancel, reloads after a stale refusal, and says a save before reloading', () => {
    const reload = vi.fn();
    const { result } = renderHook(() => {
      const feedback = useActionFeedback();
      return { feedback, editor: useRowEdit<{ id: string }>(feedback, reload, (name) => `Saved ${name}.`) };
    });
    act(() => result.current.editor.edit({ id: 'row-1' }));
    expect(result.current.editor.editing).toEqual({ id: 'row-1' });
    act(() => result.current.editor.onCancel());
    expect(result.current.editor.editing).toBeNull();
    expect(reload).not.toHaveBeenCalled();

    act(() => result.current.editor.edit({ id: 'row-1' }));
    act(() => result.current.editor.onReload());
    expect(result.current.editor.editing).toBeNull();
    expect(reload).toHaveBeenCalledTimes(1);

    act(() => result.current.feedback.setError(refusal));
    act(() => result.current.editor.edit({ id: 'row-2' }));
    act(() => result.current.editor.onSaved('erp'));
    expect(result.current.editor.editing).toBeNull();
    expect(result.current.feedback).toMatchObject({ notice: 'Saved erp.', error: null });
    expect(reload).toHaveBeenCalledTimes(2);
  });
});
