// Hostile review of 7f933c5..HEAD (rv-1203): the lake-resident CSV forms of `run --local`
// (plan/serverlessCsvText.ts, serverSide/localLakeStatements.ts), the per-file header read of a lake
// CSV, and the runner's %z offset check (writer/columnCasts.ts). Each test failed on the code it
// reviewed and names the input, what happened then, what should happen and where that comes from.
// Expected values are worked out from the source text, not taken from the code under test.

import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EntitySpec } from "../../src/spec/types";
import { errorText } from "../helpers/errorText";
import { runSource } from "../engine/support/exportSource";
import {
  ID_NAME_COLUMNS,
  lakeCsvEntity,
  makeSpec,
  removeTempDirs,
  runLocalLakeEntity,
  runLocalTarget,
  tempDir,
  writeFiles,
} from "../engine/support/fixtures";

const show = (x: unknown) =>
  JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? `${v}n` : (v as unknown)));

const runLake = runLocalLakeEntity;

describe("review rv-1203: hostile input against 7f933c5..25eba5a, fixed", function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it("run --local exports a decimal(38,0) lake CSV column (every value failed on an invalid regular expression)", async () => {
    // Input: o/a.csv "c\n5\n", column c decimal precision 38 scale 0 (the widest decimal, common for ids).
    // Happened: failed, kind data, 'https://otherlake.../raw/o/a.csv: invalid repetition size: {1,0}':
    //   serverlessCsvForm gives room = 38 - (38 - 0) = 0 fraction digits and renders `[.][0-9]{1,0}`,
    //   which RE2 refuses; the error is then blamed on the file. No decimal(38,0) value can be exported.
    // Should: export 5. Serverless's check (renderCetas.ts badValue) casts '5' to decimal(38,0) twice
    //   (narrow and exact are the same type), the two agree, and there is no '.', so it counts no misfit;
    //   CAST from varchar takes a plain integer text into decimal
    //   (https://learn.microsoft.com/sql/t-sql/functions/cast-and-convert-transact-sql).
    const r = await runLake(
      lakeCsvEntity("o/*.csv", [{ name: "c", type: "decimal", precision: 38, scale: 0 }]),
      { "raw/o/a.csv": "c\n5\n-9007199254740991\n" },
    );
    expect(r.error, "the valid file is blamed for a regular expression").to.not.contain(
      "repetition",
    );
    expect(r.status, r.error).to.equal("exported");
    // hyparquet reads a decimal as a number: both values are exact in a double.
    expect(r.rows.map((x) => Number(x.c)).sort((a, b) => a - b)).to.deep.equal([
      -9007199254740991, 5,
    ]);
  });

  it("a header lake CSV whose file name has a backslash and [ is read or refused as data, never kind internal", async () => {
    // Input: o/** over o/a\[1].csv "id,name\n1,Ann\n" and o/zz.csv "id,name\n2,Bob\n" (Linux allows
    //   both characters in a file name; the lake path's listing does too).
    // Happened: failed, kind internal: listedFiles passes the listed file to literalDuckdbPath, which
    //   throws a plain Error ("DuckDB cannot read raw/o/a\[1].csv as it is ..."). The same files with
    //   header: false are exported, (1, Ann) and (2, Bob), through the folder's glob.
    // Should: the rows (1, Ann), (2, Bob), or a failure of kind data/lake naming the file (the brief:
    //   never kind internal); the file's name is the user's data, not an internal fault.
    const r = await runLake(lakeCsvEntity("o/**", ID_NAME_COLUMNS), {
      "raw/o/a\\[1].csv": "id,name\n1,Ann\n",
      "raw/o/zz.csv": "id,name\n2,Bob\n",
    });
    expect(r.kind, r.error).to.not.equal("internal");
    if (r.status === "exported") {
      expect(r.rows.map((x) => `${x.id}:${x.name}`).sort()).to.deep.equal(["1:Ann", "2:Bob"]);
    } else {
      expect(r.error).to.contain("a\\[1].csv");
    }
  });

  it("a header lake CSV file removed after its header was read fails as data naming the file, not kind internal", async () => {
    // Input: o/*.csv over a.csv "id,name\n1,Ann\n" and b.csv "id,name\n2,Bob\n"; a.csv is deleted right
    //   after the headers are read (the listing and header reads saw it), before the check query.
    // Happened: failed, kind internal, 'IO Error: No files found that match the pattern
    //   ".../raw/o/a.csv"' with DuckDB's LINE 8 caret: listedFiles reads exactly the listed files and
    //   localReadFailure maps only Invalid Input / Conversion errors.
    // Should: a failure of kind data (or lake) naming a.csv, as the header read itself reports a file
    //   gone after the listing ('... was rewritten or removed after it was listed ... run the export
    //   again', lakeSourceHeaders.ts) and as the second listing reports a changed file (kind data).
    const dir = await tempDir("rv1203");
    await writeFiles(dir, {
      "raw/o/a.csv": "id,name\n1,Ann\n",
      "raw/o/b.csv": "id,name\n2,Bob\n",
    });
    const spec = makeSpec(path.join(dir, "spec"), [lakeCsvEntity("o/*.csv", ID_NAME_COLUMNS)]);
    let reads = 0;
    const record = (
      await runLocalTarget(spec, dir, (t) => {
        const read = t.serverSide!.readSourceRange!;
        t.serverSide!.readSourceRange = async (file, offset, count) => {
          const bytes = await read(file, offset, count);
          // Both headers are read by now (one read each): a.csv goes before the check query.
          if (++reads === 2) fs.rmSync(path.join(dir, "raw", "o", "a.csv"));
          return bytes;
        };
      })
    ).entities[0];
    expect(reads, "the header reads ran").to.equal(2);
    expect(record.status).to.equal("failed");
    expect(record.error?.kind, errorText(record)).to.not.equal("internal");
    expect(errorText(record)).to.contain("a.csv");
  });

  it('run --local does not drop the space before a lake CSV field\'s opening quote (1, "Ann" landed Ann)', async () => {
    // Input: o/a.csv "id,name\n1, \"Ann\"\n" (a space, then a quoted field).
    // Happened: exported (1, "Ann"): DuckDB's reader drops one space outside a field's quotes without a
    //   word, and the lake path (localLakeStatements.ts) never runs the quoting scan
    //   (sources/csvQuoting.ts) the runner runs beside its COPY. The runner refuses the very same bytes.
    // Should: fail naming the file and its line 2, as README ("A space just outside a field's quotes is
    //   refused with its line: ... `1, "x"` would land `x`; RFC 4180 keeps spaces as part of a field")
    //   says; RFC 4180 has no blanks outside quotes, so "Ann" is not what the file holds.
    const r = await runLake(lakeCsvEntity("o/*.csv", ID_NAME_COLUMNS), {
      "raw/o/a.csv": 'id,name\n1, "Ann"\n',
    });
    expect(r.rows, `landed ${show(r.rows)}`).to.deep.equal([]);
    expect(r.status).to.equal("failed");
    expect(r.error).to.contain("a.csv").and.to.contain("line 2");
  });

  const offsetEntity = (type: "dateTime" | "dateTimeOffset", format?: string): EntitySpec => ({
    name: "E",
    source: { path: "e.csv", format: "csv" },
    columns: [
      { name: "id", type: "int32" },
      { name: "at", type, ...(format === undefined ? {} : { format }) },
    ],
  });

  it("a %z format's offset past ±14:00 fails even when a blank follows it or its minutes are 60", async () => {
    // Input: e.csv column at dateTimeOffset, format '%Y%m%d%H%M%z', values (each its own run):
    //   "202401311345+1500 " (a blank after the offset), "202401311345+1460" (+14:60),
    //   "202401311345+14:00:30" (14 hours and 30 seconds).
    // Happened: all exported: strptime takes the trailing blank and reads +1500 as 15 hours (landed
    //   2024-01-30T22:45Z), +1460 as 15:00 (22:45Z), +14:00:30 as 14h00m30s (23:44:30Z):
    //   FORMAT_OFFSET_PAST_14_TEXT wants the offset at the very end and minutes 01-59 after 14.
    // Should: fail with "its offset from -14:00 to +14:00", as +9900 does (README: "one past ±14:00
    //   ... fails instead of being applied"); datetimeoffset holds offsets from -14:00 to +14:00 with
    //   mm from 00 to 59 (https://learn.microsoft.com/sql/t-sql/data-types/datetimeoffset-transact-sql).
    const landed: string[] = [];
    for (const value of ["202401311345+1500 ", "202401311345+1460", "202401311345+14:00:30"]) {
      const r = await runSource(
        { "e.csv": `id,at\n1,${value}\n` },
        offsetEntity("dateTimeOffset", "%Y%m%d%H%M%z"),
      );
      if (!(r.error ?? "").includes("its offset from -14:00 to +14:00")) {
        landed.push(`${JSON.stringify(value)} -> ${r.error ?? show(r.exported?.rows)}`);
      }
    }
    expect(landed, "values that did not fail on their offset").to.deep.equal([]);
  });

  it("an ISO dateTimeOffset whose offset minutes are 60 or more, or has seconds past +14:00, fails", async () => {
    // Input: e.csv column at dateTimeOffset (no format), values (each its own run):
    //   "2024-01-31T13:45:00+14:60", "2024-01-31T13:45:00+1460", "2024-01-31T13:45:00+14:00:30",
    //   "2024-01-31T13:45:00+00:99".
    // Happened: all exported: DuckDB's TIMESTAMPTZ cast reads +14:60 and +1460 as +15:00 (landed
    //   2024-01-30T22:45Z), +14:00:30 as 14h00m30s, +00:99 as +01:39 (12:06Z). OFFSET_PAST_14_TEXT
    //   only looks at 14 followed by minutes 01-59.
    // Should: fail: none is an offset datetimeoffset holds (-14:00 to +14:00, mm 00 to 59:
    //   https://learn.microsoft.com/sql/t-sql/data-types/datetimeoffset-transact-sql), and the
    //   runner's own message promises "its offset from -14:00 to +14:00".
    const landed: string[] = [];
    for (const value of [
      "2024-01-31T13:45:00+14:60",
      "2024-01-31T13:45:00+1460",
      "2024-01-31T13:45:00+14:00:30",
      "2024-01-31T13:45:00+00:99",
    ]) {
      const r = await runSource({ "e.csv": `id,at\n1,${value}\n` }, offsetEntity("dateTimeOffset"));
      if (!(r.error ?? "").includes("its offset from -14:00 to +14:00")) {
        landed.push(`${JSON.stringify(value)} -> ${r.error ?? show(r.exported?.rows)}`);
      }
    }
    expect(landed, "values that did not fail on their offset").to.deep.equal([]);
  });
});
