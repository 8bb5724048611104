// The writer's native shape tests (native/sx_shapes.c) against what they stand in for. Each must
// decide exactly the texts its regular expression (src/engine/writer/valueShapes.ts) decides, as
// DuckDB's own RE2 functions read that expression: the independent reader here. The texts are
// generated around every edge of each shape (mutations of well-formed values by a seeded generator:
// a character replaced, inserted, dropped or doubled, the text cut short or extended), so a branch the
// C code gets wrong meets a text that shows it. Then the whole cast, native against regex, over hostile
// values of each type: the same value or the same error for every one.

import type { DuckDBConnection } from "@duckdb/node-api";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { seededRandom } from "../../scripts/lib/seededRandom";
import type { ColumnSpec } from "../../src/spec/types";
import { castExpression } from "../../src/engine/writer/columnCasts";
import { DuckSession } from "../../src/engine/writer/duckdbSession";
import {
  checksumFile,
  NATIVE_SHAPES_ENV,
  nativeShapesFile,
  nativeShapesToLoad,
} from "../../src/engine/writer/nativeShapes";
import {
  CANONICAL_GUID_TEXT,
  FAST_DATE_TEXT,
  FAST_LOCAL_TEXT,
  FAST_OFFSET_TEXT,
  NATIVE_SHAPES,
  NOT_PLAIN_INTEGER,
  PLAIN_DOUBLE_LENGTH,
  REGEX_SHAPES,
  plainDecimalText,
} from "../../src/engine/writer/valueShapes";

const ALPHABET = "0123456789012345678901234567890123456789-:T .+Z_eExXbBoOafAF{}é\t/z,";

/** Well-formed texts of every shape, at and beside their edges. */
const SEEDS = [
  "2024-01-31",
  "0002-01-01",
  "9998-12-31",
  "0001-01-01",
  "9999-12-31",
  "2024-01-31T13:45",
  "2024-01-31 13:45:59",
  "2024-01-31T23:59:59.999999",
  "2024-01-31T00:00:00.1",
  "2024-01-31T19:09:00.1234567",
  "2024-01-31T13:45:00Z",
  "2024-01-31T13:45:00+14:00",
  "2024-01-31T13:45:00.123456-1359",
  "2024-01-31T13:45+05",
  "2024-01-31T13:45:00-14",
  "2024-01-31T13:45:00+1400",
  "0b1fc456-8a4b-4c2e-9d3f-1234567890ab",
  "0B1FC456-8A4B-4C2E-9D3F-1234567890AB",
  "{0b1fc4568a4b4c2e9d3f1234567890ab}",
  "123",
  "-2147483648",
  "+7",
  "1_000",
  "0x10",
  "1e3",
  "12.34",
  "-0.5",
  "5.",
  ".5",
  "1.239",
  "0.000001",
  "",
];

function mutate(text: string, random: () => number): string {
  const at = (n: number) => Math.floor(random() * n);
  const char = () => ALPHABET[at(ALPHABET.length)];
  let t = text;
  for (let k = 1 + at(3); k > 0; k--) {
    const i = at(t.length + 1);
    switch (at(6)) {
      case 0:
        t = t.slice(0, i) + char() + t.slice(i + 1);
        break;
      case 1:
        t = t.slice(0, i) + char() + t.slice(i);
        break;
      case 2:
        t = t.slice(0, i) + t.slice(i + 1);
        break;
      case 3:
        t = t.slice(0, i) + t.slice(i, i + 1) + t.slice(i);
        break;
      case 4:
        t = t.slice(0, i);
        break;
      default:
        t = t + char() + char();
    }
  }
  return t;
}

/** The seeds, each mutated many times, and random texts: about 45,000 in all, with a NULL every 97th. */
function corpus(): (string | null)[] {
  return generatedTexts().map((t, i) => (i % 97 === 0 ? null : t));
}

function generatedTexts(): string[] {
  const random = seededRandom(20261204);
  const texts: string[] = ["", ...SEEDS];
  for (const seed of SEEDS) for (let i = 0; i < 1200; i++) texts.push(mutate(seed, random));
  // Every character of every seed swept: a digit through 0-9 (each bound of a year, hour, minute,
  // second or offset), any other through the separators and their look-alikes.
  for (const seed of SEEDS) {
    for (let i = 0; i < seed.length; i++) {
      const others = /[0-9]/.test(seed[i]) ? "0123456789" : "TtZz +-:._/eE";
      for (const d of others) texts.push(seed.slice(0, i) + d + seed.slice(i + 1));
    }
  }
  for (let i = 0; i < 2000; i++) {
    const length = Math.floor(random() * 40);
    let t = "";
    for (let j = 0; j < length; j++) t += ALPHABET[Math.floor(random() * ALPHABET.length)];
    texts.push(t);
  }
  // GUIDs of random digits, and each with one character changed to a hex digit, a capital or a hyphen.
  const hex = "0123456789abcdef";
  for (let i = 0; i < 300; i++) {
    const guid = [8, 4, 4, 4, 12]
      .map((n) => Array.from({ length: n }, () => hex[Math.floor(random() * 16)]).join(""))
      .join("-");
    const at = Math.floor(random() * 36);
    const other = "0123456789abcdefABCDEFg-"[Math.floor(random() * 24)];
    texts.push(guid, guid.slice(0, at) + other + guid.slice(at + 1));
  }
  // A plain number at, below and past the length a double takes by its form.
  for (const n of [PLAIN_DOUBLE_LENGTH - 1, PLAIN_DOUBLE_LENGTH, PLAIN_DOUBLE_LENGTH + 1]) {
    texts.push("9".repeat(n), `0.${"0".repeat(n - 3)}1`, `-${"1".repeat(n - 1)}`);
  }
  return texts;
}

/** An export's own DuckDB session, which must have loaded the extension. */
async function nativeSession(): Promise<DuckSession> {
  const native = nativeShapesToLoad({});
  const session = await DuckSession.open({ nativeShapes: native });
  if (session.shapes !== NATIVE_SHAPES) {
    session.close();
    const why = "refused" in native ? native.refused : `${nativeShapesFile()} is missing`;
    throw new Error(
      `the native shape checks are not built (${why}): run \`npm run build:native\`, which needs a C compiler`,
    );
  }
  return session;
}

describe("the native shape tests decide what their regular expressions decide", function () {
  this.timeout(120_000);
  let session: DuckSession;
  let connection: DuckDBConnection;

  before(async () => {
    session = await nativeSession();
    connection = session.connection;
    await connection.run("CREATE TABLE texts (i INTEGER, v VARCHAR)");
    const appender = await connection.createAppender("texts");
    corpus().forEach((text, i) => {
      appender.appendInteger(i);
      if (text === null) appender.appendNull();
      else appender.appendVarchar(text);
      appender.endRow();
    });
    appender.closeSync();
  });

  after(() => session?.close());

  it("is built for this machine, and an export's DuckDB session loads it", async () => {
    const session = await DuckSession.open({ nativeShapes: nativeShapesToLoad({}) });
    try {
      expect(session.shapes, "the session's shape tests").to.equal(NATIVE_SHAPES);
    } finally {
      session.close();
    }
  });

  it(`falls back to the regular expressions when ${NATIVE_SHAPES_ENV}=off (or OFF, 0, false)`, async () => {
    for (const off of ["off", "OFF", "0", "false"]) {
      expect(nativeShapesToLoad({ [NATIVE_SHAPES_ENV]: off }), off).to.deep.equal({ absent: true });
    }
    const session = await DuckSession.open({ nativeShapes: { absent: true } });
    expect(session.shapes).to.equal(REGEX_SHAPES);
    session.close();
  });

  it("never loads a file that is not the one the build checked (a cut-short copy would crash the process in LOAD), and says so once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sx-native-"));
    try {
      const built = fs.readFileSync(nativeShapesFile());
      const copy = path.join(dir, "sx_shapes.duckdb_extension");
      fs.writeFileSync(copy, built);
      expect(nativeShapesToLoad({}, copy), "without its checksum").to.have.property("refused");
      fs.copyFileSync(checksumFile(nativeShapesFile()), checksumFile(copy));
      expect(nativeShapesToLoad({}, copy), "intact").to.deep.equal({ file: copy });
      // What crashed it: the library cut short, DuckDB's footer (its last 534 bytes) kept.
      fs.writeFileSync(copy, Buffer.concat([built.subarray(0, 4000), built.subarray(-534)]));
      const refused = nativeShapesToLoad({}, copy);
      expect(refused).to.have.property("refused").that.contains("SHA-256 differs");

      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on("warning", onWarning);
      try {
        for (let i = 0; i < 2; i++) {
          const session = await DuckSession.open({ nativeShapes: refused });
          expect(session.shapes).to.equal(REGEX_SHAPES);
          session.close();
        }
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off("warning", onWarning);
      }
      expect(warnings.filter((w) => w.includes(copy))).to.have.length(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const cases: [string, string, string][] = [
    ["fastDate", NATIVE_SHAPES.fastDate("v"), `regexp_full_match(v, '${FAST_DATE_TEXT}')`],
    ["fastLocal", NATIVE_SHAPES.fastLocal("v"), `regexp_full_match(v, '${FAST_LOCAL_TEXT}')`],
    ["fastOffset", NATIVE_SHAPES.fastOffset("v"), `regexp_full_match(v, '${FAST_OFFSET_TEXT}')`],
    [
      "canonicalGuid",
      NATIVE_SHAPES.canonicalGuid("v"),
      `regexp_full_match(v, '${CANONICAL_GUID_TEXT}')`,
    ],
    [
      "notPlainInteger",
      NATIVE_SHAPES.notPlainInteger("v"),
      `regexp_matches(v, '${NOT_PLAIN_INTEGER}')`,
    ],
    ...[0, 1, 2, 6, 38].map((scale): [string, string, string] => [
      `plainDecimal, scale ${scale}`,
      NATIVE_SHAPES.plainDecimal("v", scale),
      `regexp_full_match(v, '${plainDecimalText(scale)}')`,
    ]),
    [
      "plainDouble",
      NATIVE_SHAPES.plainDouble!("v"),
      `(length(v) <= ${PLAIN_DOUBLE_LENGTH} AND regexp_full_match(v, '[+-]?[0-9]+([.][0-9]*)?'))`,
    ],
  ];
  for (const [name, native, regex] of cases) {
    it(`${name}: the same answer for every text`, async () => {
      const rows = (
        await connection.runAndReadAll(
          `SELECT v, ${native} AS native, ${regex} AS regex FROM texts ORDER BY i`,
        )
      ).getRowObjectsJS();
      expect(rows.length, "texts compared (README says some 45,000)").to.be.greaterThan(45_000);
      const differ = rows.filter((r) => r.native !== r.regex);
      expect(differ.slice(0, 10), `texts ${name} decides otherwise than ${regex}`).to.deep.equal(
        [],
      );
      // Both answers occur often, so the comparison can tell a function that always says one thing.
      const yes = rows.filter((r) => r.regex === true).length;
      const no = rows.filter((r) => r.regex === false).length;
      expect(yes, "texts of the shape").to.be.greaterThan(100);
      expect(no, "texts not of it").to.be.greaterThan(100);
      // NULL in every vector of 2048 rows, past the first 64 of each (the validity words).
      expect(rows.filter((r) => r.regex === null)).to.have.length(Math.ceil(rows.length / 97));
    });
  }

  const COLUMNS: [ColumnSpec, string[]][] = [
    [{ name: "c", type: "date" }, ["2024-01-31", "0002-01-01", "0001-01-01", "2024-02-30"]],
    [
      { name: "c", type: "dateTime" },
      ["2024-01-31T13:45", "2024-01-31T23:59:59.999999", "2024-01-31T13:45:00+05"],
    ],
    [
      { name: "c", type: "dateTimeOffset" },
      ["2024-01-31T13:45:00+14:00", "2024-01-31T13:45:00.123456-1359", "2024-01-31T13:45"],
    ],
    [
      { name: "c", type: "guid" },
      ["0b1fc456-8a4b-4c2e-9d3f-1234567890ab", "{0B1FC4568A4B4C2E9D3F1234567890AB}"],
    ],
    [{ name: "c", type: "int32" }, ["123", "-2147483648", "2147483648", "+7"]],
    [{ name: "c", type: "int64" }, ["-9223372036854775808", "1e3"]],
    [{ name: "c", type: "decimal", precision: 18, scale: 2 }, ["12.34", "1.239", "5.", "-0.50"]],
    [
      { name: "c", type: "decimal", precision: 38, scale: 0 },
      ["12345678901234567890123456789012345678", "1.0"],
    ],
    [
      { name: "c", type: "double" },
      ["1.5", "-0", "1e-400", "9".repeat(299), `0.${"0".repeat(297)}1`],
    ],
  ];
  for (const [column, seeds] of COLUMNS) {
    const label =
      column.type + (column.scale === undefined ? "" : `(${column.precision},${column.scale})`);
    it(`a ${label} column's cast lands the same value or fails the same way either way`, async () => {
      const random = seededRandom(column.type.length * 7919 + (column.scale ?? 0));
      const values = [...seeds];
      for (const seed of seeds) for (let i = 0; i < 60; i++) values.push(mutate(seed, random));
      const binding = { column, sourceName: "v", sourceType: "VARCHAR" } as const;
      const outcome = async (sql: string, value: string) => {
        const prepared = await connection.prepare(
          `SELECT CAST(${sql} AS VARCHAR) AS out FROM (SELECT $1::VARCHAR AS v)`,
        );
        prepared.bindVarchar(1, value);
        try {
          return `value ${String((await prepared.runAndReadAll()).getRows()[0][0])}`;
        } catch (error) {
          // The first line: DuckDB goes on to quote the statement around the failing cast, which differs.
          return `error ${(error as Error).message.split("\n")[0]}`;
        }
      };
      const native = castExpression(binding, NATIVE_SHAPES);
      const regex = castExpression(binding, REGEX_SHAPES);
      expect(native, "the native cast asks the native tests").to.match(/sx_/);
      const differ: string[] = [];
      let landed = 0;
      for (const value of values) {
        const [n, r] = [await outcome(native, value), await outcome(regex, value)];
        if (n !== r) differ.push(`${JSON.stringify(value)}: native ${n}, regex ${r}`);
        if (r.startsWith("value")) landed++;
      }
      expect(differ.slice(0, 10)).to.deep.equal([]);
      expect(landed, "values that land").to.be.greaterThan(0);
      expect(landed, "values that fail").to.be.lessThan(values.length);
    });
  }
});
