import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionProvider, useSession } from "./session";

// The app calls same-origin paths as a browser does; Node's Request needs an origin to resolve
// them, and the API client takes Request when it is created (at import), hence hoisted.
vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" && input.startsWith("/") ? `http://app${input}` : input, init);
    }
  };
});

type Call = { method: string; path: string };

/** A fake server for the session endpoints; records what the page asked for. */
function serve(signedIn: { afterRefresh: boolean; refreshOk: boolean }) {
  const calls: Call[] = [];
  let refreshed = false;
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: Request | string, init?: RequestInit) => {
      const request = typeof input === "string" ? new Request(`http://app${input}`, init) : input;
      const path = new URL(request.url).pathname;
      calls.push({ method: request.method, path });
      const json = (status: number, body: unknown) =>
        new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
      if (path === "/v1/session/refresh") {
        refreshed = signedIn.refreshOk;
        return signedIn.refreshOk
          ? json(200, { user: null, csrf_token: "x" })
          : json(401, { code: "unauthenticated", title: "Unauthenticated", status: 401 });
      }
      const user =
        refreshed && signedIn.afterRefresh
          ? { id: "usr_1", email: "a@example.com", name: "A", role: "customer", language: "en" }
          : null;
      return json(200, { user, csrf_token: "x" });
    }),
  );
  return calls;
}

function Who() {
  const { user, ready } = useSession();
  return <p>{ready ? (user ? `signed in as ${user.email}` : "signed out") : "…"}</p>;
}

function clearCookies() {
  for (const name of ["mq_signed_in", "mq_csrf"]) document.cookie = `${name}=; Max-Age=0; path=/`;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  clearCookies();
});

describe("SessionProvider", () => {
  it("a first visit (no hint cookie) never asks for a refresh", async () => {
    const calls = serve({ afterRefresh: true, refreshOk: true });
    render(
      <SessionProvider>
        <Who />
      </SessionProvider>,
    );
    await screen.findByText("signed out");
    expect(calls.map((c) => c.path)).not.toContain("/v1/session/refresh");
    expect(calls.some((c) => c.path === "/v1/session")).toBe(true);
  });

  it("with the hint cookie an expired access cookie is renewed from the refresh cookie", async () => {
    document.cookie = "mq_signed_in=1; path=/";
    const calls = serve({ afterRefresh: true, refreshOk: true });
    render(
      <SessionProvider>
        <Who />
      </SessionProvider>,
    );
    await screen.findByText("signed in as a@example.com");
    expect(calls.filter((c) => c.path === "/v1/session/refresh")).toHaveLength(1);
  });

  it("a refused refresh forgets the hint, so the next visit does not ask again", async () => {
    document.cookie = "mq_signed_in=1; path=/";
    const calls = serve({ afterRefresh: false, refreshOk: false });
    const first = render(
      <SessionProvider>
        <Who />
      </SessionProvider>,
    );
    await screen.findByText("signed out");
    expect(calls.filter((c) => c.path === "/v1/session/refresh")).toHaveLength(1);
    await waitFor(() => expect(document.cookie).not.toContain("mq_signed_in=1"));
    first.unmount();
    render(
      <SessionProvider>
        <Who />
      </SessionProvider>,
    );
    await screen.findByText("signed out");
    expect(calls.filter((c) => c.path === "/v1/session/refresh")).toHaveLength(1);
  });
});
