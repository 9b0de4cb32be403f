/**
 * The diff review component, loaded on demand: react-diff-view and its parser stay out of the
 * app's first bundle until someone opens a diff. The component itself is in DiffReview.tsx.
 */
import { lazy, Suspense } from 'react';
import type { SessionDiff } from '../../../../shared/sessions';
import type { PathMark } from './diffModel';

const DiffReview = lazy(() => import('./DiffReview'));

export function DiffView({
  diff,
  protectedPaths,
}: {
  diff: SessionDiff;
  protectedPaths?: readonly PathMark[];
}) {
  return (
    <Suspense fallback={<p className="empty">Loading the diff viewer…</p>}>
      <DiffReview diff={diff} protectedPaths={protectedPaths} />
    </Suspense>
  );
}
