import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, getToken, onUnauthorized, setToken } from '../api/http';
import type { Agent } from '../api/types';

interface AuthState {
  token: string | null;
  agent: Agent | undefined;
  agentLoading: boolean;
  agentError: unknown;
  isAdmin: boolean;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export const EXPIRED_MESSAGE = 'Your session expired, sign in again';

const REASON_KEY = 'keel.signin.reason';
export type SignInReason = 'expired' | 'signedOut';

/** Why the sign-in page is showing (kept in sessionStorage so redirects cannot lose it). */
export function signInReason(): SignInReason | null {
  const r = sessionStorage.getItem(REASON_KEY);
  return r === 'expired' || r === 'signedOut' ? r : null;
}

function setSignInReason(reason: SignInReason | null): void {
  if (reason) sessionStorage.setItem(REASON_KEY, reason);
  else sessionStorage.removeItem(REASON_KEY);
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setTokenState] = useState<string | null>(() => getToken());
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  useEffect(() => {
    // The API refused the token: the guard below sends the agent to the sign-in page, remembering where they were.
    onUnauthorized(() => {
      setSignInReason('expired');
      setTokenState(null);
      queryClient.clear();
    });
    return () => onUnauthorized(null);
  }, [queryClient]);

  const me = useQuery({
    queryKey: ['me', token],
    queryFn: ({ signal }) => api<Agent>('/api/Agent/me', { signal }),
    enabled: Boolean(token),
    staleTime: 5 * 60_000,
    retry: false,
  });

  const signIn = useCallback(
    async (username: string, password: string) => {
      const res = await api<{ access_token: string }>('/auth/token', {
        method: 'POST',
        body: { grant_type: 'password', username, password },
      });
      queryClient.clear();
      setSignInReason(null);
      setToken(res.access_token);
      setTokenState(res.access_token);
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST' });
    } catch {
      // Signing out must always work locally, even when the server is unreachable.
    }
    setSignInReason('signedOut');
    setToken(null);
    setTokenState(null);
    queryClient.clear();
    navigate('/signin', { replace: true });
  }, [navigate, queryClient]);

  const value = useMemo<AuthState>(
    () => ({
      token,
      agent: me.data,
      agentLoading: me.isLoading,
      agentError: me.error,
      isAdmin: me.data?.role === 'admin',
      signIn,
      signOut,
    }),
    [token, me.data, me.isLoading, me.error, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
