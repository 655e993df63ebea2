import type { ErrorBody } from '@retail/domain';
import { useState } from 'react';
import type { ApiResult } from '../api/hub-api';

/**
 * A form's request to the hub: `working` while it is out (the form disables its submit button meanwhile)
 * and the hub's refusal, or the form's own, in `error`. `send` resolves to the answer's value, or to null
 * once a refusal is in `error`; clearing `error` after a success is the form's choice.
 */
export function useSubmit() {
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const send = async <T>(request: () => Promise<ApiResult<T>>): Promise<T | null> => {
    setWorking(true);
    const result = await request();
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return null;
    }
    return result.value;
  };
  return { working, error, setError, send };
}
