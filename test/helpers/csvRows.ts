// The tests' own reader of small CSV texts (header first, one record a line): split on commas
// outside quotes, "" inside quotes, an empty unquoted field is NULL. Written apart from the product's
// readers so that expected rows never come from the code under test.

/** The data rows of a CSV text (its first line is the header). */
export function csvRows(text: string): (string | null)[][] {
  return text
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const fields: (string | null)[] = [];
      let field = "";
      let quoted = false;
      let wasQuoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quoted && c === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') {
          quoted = !quoted;
          wasQuoted = true;
        } else if (c === "," && !quoted) {
          fields.push(field === "" && !wasQuoted ? null : field);
          field = "";
          wasQuoted = false;
        } else field += c;
      }
      fields.push(field === "" && !wasQuoted ? null : field);
      return fields;
    });
}
