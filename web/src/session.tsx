// Who is signed in. The session lives in httpOnly cookies the page cannot read; the page only
// asks the server (GET /v1/session) and keeps the answer in memory. A refresh is tried only
// when the readable hint cookie says a refresh cookie may exist.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { api, refreshSession, type Schemas } from "./api/client";

type User = Schemas["UserOut"];
type Session = {
  user: User | null;
  ready: boolean;
  reload: () => Promise<void>;
  setUser: (user: User | null) => void;
  signOut: () => Promise<void>;
};

const Ctx = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(false);
  const reload = useCallback(async () => {
    const { data } = await api.GET("/v1/session");
    let current = data?.user ?? null;
    // The access cookie may simply have expired: the refresh cookie renews it.
    if (!current && (await refreshSession())) {
      const renewed = await api.GET("/v1/session");
      current = renewed.data?.user ?? null;
    }
    setUser(current);
    setReady(true);
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  const signOut = useCallback(async () => {
    await api.POST("/v1/session/sign-out");
    setUser(null);
  }, []);
  const value = useMemo(
    () => ({ user, ready, reload, setUser, signOut }),
    [user, ready, reload, signOut],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error("useSession outside SessionProvider");
  return ctx;
}
