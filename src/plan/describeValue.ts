// How a source value is shown in an error message. Pure: the runner's misfit messages and the
// server-side check's failure (renderCetas.ts) show values the same way.

/** Long values are cut in messages; JSON quoting shows quotes, newlines and spaces as they are. */
export function describeValue(value: string): string {
  const chars = [...value];
  return chars.length > 120
    ? `${JSON.stringify(chars.slice(0, 120).join(""))}… (${chars.length} characters, ${Buffer.byteLength(value, "utf8")} bytes in UTF-8)`
    : JSON.stringify(value);
}
