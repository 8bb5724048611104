// Quoting of names and text that reach SQL, with generated input that is mostly the characters
// that break out of a quote: `]`, `'`, `"`, `;` and `--`. A uniform string generator almost never
// produces `]` (2 in 5,000 samples), so a quoting that forgot to double it would pass.
//
// The expected values are read back by readers that are not the code under test: for T-SQL, a
// scanner written here from the QUOTENAME and string-literal rules
// (https://learn.microsoft.com/sql/t-sql/functions/quotename-transact-sql: "]" inside a bracketed
// name is written "]]"; https://learn.microsoft.com/sql/t-sql/data-types/constants-transact-sql:
// a quote inside a string constant is written twice); for DuckDB, DuckDB's own parser.

import { expect } from "chai";
import fc from "fast-check";
import {
  quoteDuckdbIdentifier,
  quoteDuckdbLiteral,
  quoteTsqlIdentifier,
  quoteTsqlLiteral,
  quoteTsqlName,
} from "../../src/plan/sqlQuote";

const BREAKOUTS = ["]", "'", '"', ";", "--"] as const;

/** Text made mostly of breakout characters, with some arbitrary graphemes between them. */
const hostileText = (minPieces: number) =>
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...BREAKOUTS) },
        {
          weight: 1,
          arbitrary: fc.string({ minLength: 1, maxLength: 4, unit: "grapheme" }),
        },
      ),
      { minLength: minPieces, maxLength: 30 },
    )
    .map((pieces) => pieces.join("").split("\u0000").join("?")); // NUL is refused, tested elsewhere

/**
 * Reads one quoted token from the start of `sql`: the opening character, then characters up to the
 * closing one, where the closing character written twice stands for itself. Returns the value and
 * what follows the token, or throws when the token never closes.
 */
function readQuoted(sql: string, open: string, close: string): { value: string; rest: string } {
  if (!sql.startsWith(open)) throw new Error(`does not start with ${open}: ${sql}`);
  let value = "";
  for (let i = open.length; i < sql.length; i++) {
    if (sql[i] !== close) {
      value += sql[i];
    } else if (sql[i + 1] === close) {
      value += close;
      i++;
    } else {
      return { value, rest: sql.slice(i + 1) };
    }
  }
  throw new Error(`never closed: ${sql}`);
}

const RUNS = 300;

describe("quoting with hostile generated names (property)", () => {
  it("the generator puts each breakout character in most samples", () => {
    const seen = Object.fromEntries(BREAKOUTS.map((b) => [b, 0]));
    fc.assert(
      fc.property(hostileText(10), (s) => {
        for (const b of BREAKOUTS) if (s.includes(b)) seen[b]++;
      }),
      { numRuns: RUNS },
    );
    for (const b of BREAKOUTS)
      expect(seen[b] / RUNS, `share of samples with ${b}`).to.be.above(0.5);
  });

  it("keeps any name one T-SQL bracketed identifier that reads back as the name", () => {
    fc.assert(
      fc.property(hostileText(1), (s) => {
        const quoted = quoteTsqlIdentifier(s);
        const { value, rest } = readQuoted(quoted, "[", "]");
        expect(value).to.equal(s);
        expect(rest, "nothing after the closing bracket").to.equal("");
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps a two-part T-SQL name two identifiers joined by one dot", () => {
    fc.assert(
      fc.property(hostileText(1), hostileText(1), (schema, object) => {
        const first = readQuoted(quoteTsqlName(schema, object), "[", "]");
        expect(first.value).to.equal(schema);
        const second = readQuoted(first.rest.slice(1), "[", "]");
        expect(first.rest[0]).to.equal(".");
        expect(second).to.deep.equal({ value: object, rest: "" });
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps any text one T-SQL Unicode string literal that reads back as the text", () => {
    fc.assert(
      fc.property(hostileText(0), (s) => {
        const { value, rest } = readQuoted(quoteTsqlLiteral(s), "N'", "'");
        expect(value).to.equal(s);
        expect(rest).to.equal("");
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps any name and text what DuckDB's own parser reads back (a column alias and its value)", async function () {
    this.timeout(60_000);
    const { DuckSession } = await import("../../src/engine/writer/duckdbSession");
    const session = await DuckSession.open({ threads: 1 });
    try {
      await fc.assert(
        fc.asyncProperty(hostileText(1), async (s) => {
          const rows = await session.query(
            `SELECT ${quoteDuckdbLiteral(s)} AS ${quoteDuckdbIdentifier(s)}, 1 AS sentinel`,
          );
          // One row, two columns: the hostile text did not end the statement or comment out the rest.
          expect(rows).to.have.length(1);
          expect(Object.keys(rows[0])).to.deep.equal([s, "sentinel"]);
          expect(rows[0][s]).to.equal(s);
        }),
        { numRuns: 100 },
      );
    } finally {
      session.close();
    }
  });
});
