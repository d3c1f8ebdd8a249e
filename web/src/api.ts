import type { TypedDocumentString } from "./gql/graphql";

// In production the host product hands the app its user's bearer token (window.billingToken);
// in development the sign-in page keeps one minted by POST /dev/token.
declare global {
  interface Window {
    billingToken?: string;
  }
}
const KEY = "billing.devToken";
export const GRAPHQL_URL = "/graphql";

export function currentToken(): string | null {
  return window.billingToken ?? localStorage.getItem(KEY);
}
export function keepToken(token: string | null): void {
  if (token === null) localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, token);
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

export async function request<R, V>(
  document: TypedDocumentString<R, V>,
  ...[variables]: V extends Record<string, never> ? [] | [V] : [V]
): Promise<R> {
  const token = currentToken();
  const response = await fetch(GRAPHQL_URL, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json().catch(() => null)) as {
    data?: R;
    errors?: { message: string; extensions?: { code?: string } }[];
  } | null;
  const error = body?.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code ?? null);
  if (!response.ok || !body?.data) throw new ApiError(`The service answered ${response.status}.`, null);
  return body.data;
}
