/** Shown while a page's data loads. */
export function Loading({ what = 'Loading…' }: { what?: string }) {
  return (
    <p className="loading" aria-busy="true">
      {what}
    </p>
  );
}
