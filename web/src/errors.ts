import type { CombinedError } from '@urql/core';

/** What a person reads for a failed request: the server's own message(s), never a blank page. */
export function errorText(error: CombinedError): string {
  if (error.graphQLErrors.length > 0) return error.graphQLErrors.map((e) => e.message).join(' ');
  return error.networkError ? `The shop could not be reached (${error.networkError.message}).` : error.message;
}

/** The `extensions.code` and `extensions.reason` of the first GraphQL error, if any. */
export function errorCode(error: CombinedError | undefined): { code?: string; reason?: string } {
  const extensions = error?.graphQLErrors[0]?.extensions;
  const pick = (key: string) => (typeof extensions?.[key] === 'string' ? extensions[key] : undefined);
  return { code: pick('code'), reason: pick('reason') };
}
