/** Where to go after logging in: a same-site path from `?next=`, else the shop (no open redirects). */
export function nextPath(params: URLSearchParams): string {
  const next = params.get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
