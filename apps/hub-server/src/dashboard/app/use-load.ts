import type { ErrorBody } from '@retail/domain';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiResult } from '../api/hub-api';

export type LoadState<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly value: T }
  | { readonly status: 'failed'; readonly error: ErrorBody };

/**
 * Loads what a screen shows and reloads it on demand. An answer that arrives after the inputs changed
 * (a filter was switched meanwhile) is dropped, so a slow old answer never overwrites a newer one.
 */
export function useLoad<T>(
  load: () => Promise<ApiResult<T>>,
  deps: readonly unknown[],
): { state: LoadState<T>; reload: () => void } {
  const [state, setState] = useState<LoadState<T>>({ status: 'loading' });
  const generation = useRef(0);
  // The caller names what the load depends on; a new closure alone does not mean new inputs. The lint
  // checks each caller's list against its closure (`additionalHooks` in eslint.config.js).
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stableLoad = useCallback(load, deps);
  const run = useCallback(() => {
    const mine = ++generation.current;
    void stableLoad().then((result) => {
      if (mine !== generation.current) return;
      setState(
        result.ok ? { status: 'ready', value: result.value } : { status: 'failed', error: result.error },
      );
    });
  }, [stableLoad]);
  useEffect(() => {
    setState({ status: 'loading' });
    run();
    return () => {
      generation.current += 1;
    };
  }, [run]);
  return { state, reload: run };
}
