import { requireViewer, type Viewer } from '@little-ecom/auth';
import { ForbiddenError } from '@little-ecom/errors';
import type { Scope } from '@little-ecom/scope';

export const isAdmin = (viewer: Viewer) => viewer.role === 'ADMIN';

/** Personal data (carts, orders of a user) is for its owner and admins only. */
export function requireOwnerOrAdmin(scope: Scope, userId: string): Viewer {
  const viewer = requireViewer(scope.auth);
  if (viewer.userId !== userId && !isAdmin(viewer)) throw new ForbiddenError('Only the user and admins can see this');
  return viewer;
}
