// Shortened ids for tables a person reads: `aaaaaaaa-…-0000000000ff`, `/subscriptions/…/stciexport`.
// `--wide` and `--json` show them whole.

const GUID = /^([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-([0-9a-f]{12})$/i;

/** A GUID as its first 8 and last 12 digits; anything else as it is. */
export function shortId(id: string): string {
  const m = GUID.exec(id);
  return m ? `${m[1]}-…-${m[2]}` : id;
}

/** An ARM resource id as its root and its own name: `/subscriptions/…/stciexport`. */
export function shortScope(scope: string): string {
  const parts = scope.split("/").filter(Boolean);
  if (scope.startsWith("/subscriptions/") && parts.length > 2) {
    return `/subscriptions/…/${parts[parts.length - 1]}`;
  }
  if (scope.startsWith("/subscriptions/") && parts.length === 2) {
    return `/subscriptions/${shortId(parts[1])}`;
  }
  return scope;
}

/**
 * An ARM resource id as its resource group and its own name, `/subscriptions/…/rg-data/…/stciexport`:
 * for sentences that compare two scopes, where the group may be all that differs.
 */
export function shortScopeWithGroup(scope: string): string {
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/.+\/([^/]+)$/i.exec(scope);
  return m ? `/subscriptions/…/${m[1]}/…/${m[2]}` : shortScope(scope);
}

/** Every GUID and ARM resource id inside a sentence, shortened (resource groups kept). */
export function shortIdsIn(text: string): string {
  return text
    .replace(/\/subscriptions\/[^\s,;)]+/g, (s) => shortScopeWithGroup(s))
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, (s) =>
      shortId(s),
    );
}
