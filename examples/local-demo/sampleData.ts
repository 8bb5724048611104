// Customer Insights-like sample data for the local demo: unified customer profiles, unified
// activities, customer measures and segment membership. Everything comes from one seeded PRNG and a
// fixed reference date (never the clock), so the same seed gives the same bytes on every machine: that
// is what lets a second export find every entity unchanged.

import * as fs from "node:fs";
import * as path from "node:path";
import { seededRandom } from "../../scripts/lib/seededRandom";

export const DEFAULT_SEED = 20240630;
/** 14,000 customers give about 100,000 rows across the four entities. */
export const DEFAULT_CUSTOMERS = 14_000;

/** Measures and segments are computed "as of" this day, as a Customer Insights refresh would. */
const AS_OF = Date.UTC(2024, 5, 30);
const DAY_MS = 86_400_000;

export interface SampleDataOptions {
  seed?: number;
  customers?: number;
}

export interface SampleFile {
  entity: string;
  /** Relative to the data folder, with `/`. */
  relPath: string;
  format: "csv" | "jsonl";
  rows: number;
  content: string;
}

const FIRST_NAMES = (
  "Ada Alan Amara Ana Ben Chen Chloe David Elena Emeka Fatima Grace " +
  "Hana Ines Ivan Jonas Kai Lars Leila Lucas Maria Mateo Mei Nadia " +
  "Noah Olga Omar Priya Rafael Sara Sven Tariq Yuki Zoe"
).split(" ");
const LAST_NAMES = (
  "Andersen,Bauer,Costa,Dubois,Eriksson,Fischer,García,Hopper,Ito," +
  "Jensen,Kowalski,Lovelace,Müller,Nakamura,Novak,O'Brien,Okafor,Patel," +
  "Rossi,Santos,Schmidt,Silva,Tanaka,Turing,Van der Berg,Wang,Yilmaz"
).split(",");
/** City, country/region and a postal code prefix (codes keep their leading zeros: they are text). */
const CITIES: [string, string, string][] = [
  ["Amsterdam", "NL", "10"],
  ["Berlin", "DE", "10"],
  ["Chicago", "US", "60"],
  ["Dublin", "IE", "D0"],
  ["Helsinki", "FI", "00"],
  ["Lisbon", "PT", "11"],
  ["London", "GB", "EC"],
  ["Madrid", "ES", "28"],
  ["Milan", "IT", "20"],
  ["Paris", "FR", "75"],
  ["Seattle", "US", "98"],
  ["Tokyo", "JP", "10"],
  ["Toronto", "CA", "M5"],
  ["Washington, D.C.", "US", "20"],
];
const ACTIVITY_TYPES: { type: string; source: string; weight: number; subjects: string[] }[] = [
  {
    type: "Purchase",
    source: "eCommerceOrders",
    weight: 40,
    subjects: ["Online order", "Store purchase"],
  },
  {
    type: "WebVisit",
    source: "WebLogs",
    weight: 25,
    subjects: ["Product page", "Checkout", "Home page"],
  },
  {
    type: "EmailOpen",
    source: "MarketingEmails",
    weight: 20,
    subjects: ["Spring sale", "Newsletter", "Loyalty news"],
  },
  {
    type: "SupportCase",
    source: "ServiceCases",
    weight: 10,
    subjects: ["Delivery question", "Warranty claim"],
  },
  { type: "Return", source: "eCommerceOrders", weight: 5, subjects: ["Returned item"] },
];
const CHANNELS = ["Web", "Mobile", "Store", "Email", "Phone"];

interface Customer {
  id: string;
  createdOn: number;
  newsletter: boolean;
  loyalty: boolean;
}

interface Purchases {
  count: number;
  cents: number;
  last?: number;
}

export function generateSampleData(options: SampleDataOptions = {}): SampleFile[] {
  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  const count = options.customers ?? DEFAULT_CUSTOMERS;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const word = () =>
    Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  // A version 4 GUID: the version nibble is 4 and the variant nibble one of 8, 9, a, b.
  const guid = () => {
    const h = word() + word() + word() + word();
    const variant = "89ab"[parseInt(h[16], 16) & 3];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
  };

  const customers: Customer[] = [];
  const customerLines = [
    "CustomerId,FirstName,LastName,FullName,Email,City,CountryRegion,PostalCode,BirthDate,CreatedOn",
  ];
  for (let i = 0; i < count; i++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const [city, country, postal] = pick(CITIES);
    const id = guid();
    const createdOn = AS_OF - int(30, 4 * 365) * DAY_MS - int(0, DAY_MS / 1000 - 1) * 1000;
    // Some profiles have no e-mail (an empty field is null) and no birth date, as unified data does.
    const email =
      random() < 0.9 ? `${ascii(first)}.${ascii(last)}${i}@example.com`.toLowerCase() : "";
    const birth = random() < 0.85 ? isoDate(Date.UTC(int(1945, 2005), int(0, 11), int(1, 28))) : "";
    customerLines.push(
      [
        id,
        first,
        last,
        `${first} ${last}`,
        email,
        city,
        country,
        `${postal}${String(int(0, 999)).padStart(3, "0")}`,
        birth,
        isoDateTime(createdOn).replace("T", " "),
      ]
        .map(csvField)
        .join(","),
    );
    customers.push({ id, createdOn, newsletter: random() < 0.3, loyalty: random() < 0.2 });
  }

  const totalWeight = ACTIVITY_TYPES.reduce((n, a) => n + a.weight, 0);
  const activityLines: string[] = [];
  const purchases = new Map<string, Purchases>();
  for (const c of customers) {
    const p: Purchases = { count: 0, cents: 0 };
    purchases.set(c.id, p);
    // Skewed: most customers have a few activities, some have many.
    const n = 1 + Math.floor(random() * random() * 13);
    for (let k = 0; k < n; k++) {
      let w = random() * totalWeight;
      const kind = ACTIVITY_TYPES.find((a) => (w -= a.weight) < 0) ?? ACTIVITY_TYPES[0];
      const time = c.createdOn + Math.floor(random() * (AS_OF - c.createdOn));
      const cents =
        kind.type === "Purchase"
          ? int(500, 40_000)
          : kind.type === "Return"
            ? -int(500, 10_000)
            : undefined;
      if (cents !== undefined) {
        p.cents += cents;
        if (kind.type === "Purchase") {
          p.count++;
          p.last = Math.max(p.last ?? 0, time);
        }
      }
      activityLines.push(
        JSON.stringify({
          ActivityId: guid(),
          CustomerId: c.id,
          ActivityType: kind.type,
          ActivityTime: isoDateTime(time) + "Z",
          Amount: cents === undefined ? null : cents / 100,
          Channel: pick(CHANNELS),
          Subject: pick(kind.subjects),
          SourceEntity: kind.source,
        }),
      );
    }
  }

  const measureLines = [
    "CustomerId,LifetimeValue,TransactionCount,AverageOrderValue,LastPurchaseDate,ChurnScore",
  ];
  const segmentLines = ["SegmentName,CustomerId,AddedOn"];
  const sortedByValue = [...customers].sort(
    (a, b) => purchases.get(b.id)!.cents - purchases.get(a.id)!.cents,
  );
  const highValue = new Set(sortedByValue.slice(0, Math.ceil(count * 0.1)).map((c) => c.id));
  const asOf = isoDate(AS_OF);
  for (const c of customers) {
    const p = purchases.get(c.id)!;
    const lifetime = Math.max(0, p.cents);
    const daysSince = p.last === undefined ? undefined : Math.floor((AS_OF - p.last) / DAY_MS);
    const churn = daysSince === undefined ? 0.9 : Math.min(0.99, daysSince / 400 + random() * 0.1);
    measureLines.push(
      [
        c.id,
        (lifetime / 100).toFixed(2),
        String(p.count),
        p.count === 0 ? "" : (lifetime / p.count / 100).toFixed(2),
        p.last === undefined ? "" : isoDate(p.last),
        churn.toFixed(4),
      ].join(","),
    );
    const segments: string[] = [];
    if (highValue.has(c.id)) segments.push("High value");
    if (daysSince !== undefined && daysSince <= 30) segments.push("Recent buyers");
    if (churn >= 0.7 && p.count > 0) segments.push("Churn risk");
    if (daysSince !== undefined && daysSince > 180) segments.push("Lapsed buyers");
    if (c.newsletter) segments.push("Newsletter subscribers");
    if (c.loyalty) segments.push("Loyalty members");
    for (const s of segments) segmentLines.push([s, c.id, asOf].join(","));
  }

  const csv = (entity: string, lines: string[]): SampleFile => ({
    entity,
    relPath: `${entity}.csv`,
    format: "csv",
    rows: lines.length - 1,
    content: lines.join("\n") + "\n",
  });
  return [
    csv("Customer", customerLines),
    {
      entity: "UnifiedActivity",
      relPath: "UnifiedActivity.jsonl",
      format: "jsonl",
      rows: activityLines.length,
      content: activityLines.join("\n") + "\n",
    },
    csv("CustomerMeasure", measureLines),
    csv("Segments", segmentLines),
  ];
}

/**
 * Writes the files into `dir`, leaving a file that already holds the same bytes untouched: its
 * modification time stays, so the export can reuse the hash it recorded instead of reading it again.
 */
export function writeSampleData(dir: string, files: readonly SampleFile[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const file = path.join(dir, f.relPath);
    const bytes = Buffer.from(f.content, "utf8");
    const existing = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    if (existing && existing.equals(bytes)) continue;
    fs.writeFileSync(file, bytes);
  }
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isoDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function ascii(name: string): string {
  return name.normalize("NFD").replace(/[^A-Za-z]/g, "");
}

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
