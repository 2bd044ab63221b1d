import { useCallback, useEffect, useState } from 'react';
import type { components } from '../../clients/muster-api';
import { api, problemOf, unwrap } from './api/client';
import type { ApiProblem } from './lib/api-error';

export type Me = components['schemas']['Me'];

export type SessionState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'signed-in'; readonly me: Me }
  | { readonly kind: 'error'; readonly problem: ApiProblem };

/** Who is signed in (`GET /v1/me`): a 401 means no session yet, anything else failed is shown as it is. */
export function useSession(): { session: SessionState; reload: () => void } {
  const [session, setSession] = useState<SessionState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((value) => value + 1), []);
  useEffect(() => {
    let current = true;
    void attempt;
    setSession({ kind: 'loading' });
    unwrap(api.GET('/v1/me'))
      .then((me) => current && setSession({ kind: 'signed-in', me }))
      .catch((error: unknown) => {
        if (!current) return;
        const problem = problemOf(error);
        setSession(problem.status === 401 ? { kind: 'signed-out' } : { kind: 'error', problem });
      });
    return () => {
      current = false;
    };
  }, [attempt]);
  return { session, reload };
}
