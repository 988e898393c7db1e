import type { CombinedError } from '@urql/core';
import { errorText } from '../errors.js';

/** A failed request's message, announced to screen readers. */
export function ErrorMessage({ error, id }: { error: CombinedError | string; id?: string }) {
  return (
    <p className="error" role="alert" id={id}>
      {typeof error === 'string' ? error : errorText(error)}
    </p>
  );
}
