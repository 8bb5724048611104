// Who may query the export database, as SQL principals: one server login and one database user per
// reader (and per contributor on a shared connection), all members of one database role of ours that
// holds SELECT on the views' schema. Pure: the SQL plan renders these, `plan` shows them.
//
// Why logins and users, and why by name:
// - Serverless SQL has no contained users: a Microsoft Entra principal gets `CREATE LOGIN [x] FROM
//   EXTERNAL PROVIDER` in master, then `CREATE USER [x] FROM LOGIN [x]` in the database
//   (https://learn.microsoft.com/azure/synapse-analytics/sql/overview-features, "contained users are
//   not supported"; https://learn.microsoft.com/azure/synapse-analytics/security/how-to-set-up-access-control).
// - The Azure Synapse syntax of CREATE LOGIN is `FROM EXTERNAL PROVIDER | WITH <option_list>`: there
//   is no `WITH OBJECT_ID` (that option is SQL Database / Managed Instance only,
//   https://learn.microsoft.com/sql/t-sql/statements/create-login-transact-sql, "Syntax for Azure
//   Synapse Analytics"). Serverless finds the principal by its name alone: a user's UPN, a group's or
//   an application's display name. So every reader needs that exact name, and two principals of one
//   name cannot both be logins: such a spec is refused here, not half-applied by the server.
// - A name alone could match another principal: a user deleted and re-created with the same UPN, or a
//   group or application of the same display name made after the login. So every login is checked by
//   its SID too, the binary form of a user's or group's object id and of an application's client id
//   (https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-server-principals-transact-sql,
//   column `sid`): a login of that name with another SID is refused (renderTsql.ts). An application's
//   client id is not its object id, so a service principal reader needs `appId` too.
// - Users we create are marked by their default schema, our marker schema (serverless has no extended
//   properties): when a reader leaves the spec, only a user so marked is dropped; a user someone else
//   created and added to our role is only taken out of the role.
//
// The access model is caller pass-through (docs/architecture.md, "Readers and the lake"): the data
// source has no credential, so a reader's query reads the lake as the reader, and the seed's Storage
// Blob Data Reader grant is what makes it work. No REFERENCES on a credential is needed or granted.

import type { PrincipalType, ReaderPrincipal, Spec } from "../spec/types";
import type { SqlAccessSpec } from "./specSlices";
import { childPath, SpecError, type SpecIssue } from "../spec/specError";

/** The database role of ours whose members may read every view (SELECT on schema dbo). */
export const READER_ROLE = "synapse_export_readers";

export interface SqlLogin {
  /** The Entra name serverless resolves: a user's UPN, a group's or application's display name. */
  name: string;
  objectId: string;
  type: PrincipalType;
  /** The GUID whose binary form is the login's SID: the object id, or an application's client id. */
  sid: string;
  /** Why it is there, for the plan: `reader` or `contributor` (on a shared connection). */
  as: "reader" | "contributor";
}

/** Where a principal's login name is missing or taken twice: field path and what to do. */
export function sqlLoginIssues(spec: SqlAccessSpec): SpecIssue[] {
  return collect(spec).issues;
}

/**
 * Who may read, as `<name> <objectId>` lines, without refusing a missing name: what makes a change of
 * readers an update of the export database, so `pulumi preview` shows it.
 */
export function sqlReaderKeys(spec: SqlAccessSpec): string[] {
  return collect(spec).logins.map((l) => `${l.name} ${l.objectId}`);
}

/** The logins of a spec; throws a SpecError naming each reader without a usable name. */
export function planSqlLogins(spec: SqlAccessSpec): SqlLogin[] {
  const { logins, issues } = collect(spec);
  if (issues.length > 0) throw new SpecError(issues);
  return logins;
}

function collect(spec: SqlAccessSpec): { logins: SqlLogin[]; issues: SpecIssue[] } {
  const lists: { as: SqlLogin["as"]; path: string; principals: readonly ReaderPrincipal[] }[] = [
    { as: "reader", path: "principals.readers", principals: spec.principals.readers },
  ];
  // Contributors matter only on a shared connection (the seed: "Allow contributors to use a connection").
  if (spec.connection.usableBy === "administrators-and-contributors") {
    lists.push({
      as: "contributor",
      path: "principals.contributors",
      principals: spec.principals.contributors,
    });
  }
  const logins: SqlLogin[] = [];
  const issues: SpecIssue[] = [];
  const byName = new Map<string, { objectId: string; path: string }>();
  for (const list of lists) {
    list.principals.forEach((p, i) => {
      const path = childPath(list.path, i);
      if (p.type === "ServicePrincipal" && p.appId === undefined) {
        issues.push({
          path: childPath(path, "appId"),
          message: `is required for service principal ${p.objectId}: serverless SQL gives an application's login the SID of its application (client) id, which the export compares to refuse a login of another principal of the same name`,
        });
        return;
      }
      if (p.name === undefined || p.name.trim() === "") {
        issues.push({
          path: childPath(path, "name"),
          message: `is required: serverless SQL creates the login of ${p.type} ${p.objectId} by its Entra name (${nameHint(p.type)}), and cannot take an object id`,
        });
        return;
      }
      // No Entra name holds a control character, and `plan` prints the name in a `--` comment, which a
      // line break would end: the rest of the name would stand as a line of SQL of its own.
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(p.name)) {
        issues.push({
          path: childPath(path, "name"),
          message: `contains a line break or another control character (${JSON.stringify(p.name.slice(0, 40))}); an Entra name has none`,
        });
        return;
      }
      // sysname is nvarchar(128), and names are compared case-insensitively by the server.
      if (p.name.length > 128) {
        issues.push({
          path: childPath(path, "name"),
          message: `'${p.name.slice(0, 40)}...' is ${p.name.length} characters; a login name has at most 128`,
        });
        return;
      }
      const key = p.name.toLowerCase();
      const seen = byName.get(key);
      if (seen && seen.objectId !== p.objectId) {
        issues.push({
          path: childPath(path, "name"),
          message: `'${p.name}' is also the name of ${seen.path} (object id ${seen.objectId}): a serverless login is found by name only, so two principals cannot share one; rename one of them in Entra ID`,
        });
        return;
      }
      if (seen) return; // the same principal as reader and contributor: one login is enough
      byName.set(key, { objectId: p.objectId, path });
      const sid = p.type === "ServicePrincipal" ? p.appId! : p.objectId;
      logins.push({ name: p.name, objectId: p.objectId, type: p.type, sid, as: list.as });
    });
  }
  return { logins, issues };
}

function nameHint(type: PrincipalType): string {
  if (type === "User") return "the user principal name, e.g. ada@contoso.com";
  if (type === "Group") return "the group's display name";
  return "the application's display name";
}

/** A member of our reader role, as the database lists it. */
export interface ReaderRoleMember {
  name: string;
  /** Its default schema is our marker schema: a user this tool created (see the header). */
  ours: boolean;
}

/**
 * Members of our role that the spec no longer names: users we created are dropped, so they lose
 * access; users someone else created are only taken out of the role, never dropped. Logins stay (a
 * login gives no access to this database, and may serve other databases).
 */
export function removedReaderUsers(
  roleMembers: readonly ReaderRoleMember[],
  logins: readonly SqlLogin[],
): { drop: string[]; unassign: string[] } {
  const wanted = new Set(logins.map((l) => l.name.toLowerCase()));
  const gone = roleMembers.filter((m) => !wanted.has(m.name.toLowerCase()));
  return {
    drop: gone
      .filter((m) => m.ours)
      .map((m) => m.name)
      .sort(),
    unassign: gone
      .filter((m) => !m.ours)
      .map((m) => m.name)
      .sort(),
  };
}

/** A principal's Entra name as the directory returned it, and how many principals carry it. */
export interface ResolvedLoginName {
  objectId: string;
  name: string;
  /** A service principal's application (client) id: its login's SID. */
  appId?: string;
  /** Object ids of every principal of that type with that name (a UPN is unique; display names are not). */
  sameName: readonly string[];
}

/**
 * The spec with each reader's and contributor's login name filled in from the directory (a name the
 * spec gives wins). A display name two principals share is refused: serverless finds a login by name
 * only and would refuse it too (33131, "has a duplicate display name").
 */
export function withLoginNames(spec: Spec, resolved: readonly ResolvedLoginName[]): Spec {
  const byId = new Map(resolved.map((r) => [r.objectId, r]));
  const issues: SpecIssue[] = [];
  const fill = (list: readonly ReaderPrincipal[], path: string): ReaderPrincipal[] =>
    list.map((p, i) => {
      const found = byId.get(p.objectId);
      if (found && found.sameName.some((id) => id !== p.objectId)) {
        issues.push({
          path: childPath(childPath(path, i), "name"),
          message: `'${found.name}' is the Entra name of ${found.sameName.length} principals (${[...found.sameName].sort().join(", ")}): serverless SQL creates logins by name only, so give ${p.objectId} a unique display name in Entra ID`,
        });
      }
      if (!found) return p;
      const appId = p.appId ?? (p.type === "ServicePrincipal" ? found.appId : undefined);
      return { ...p, name: p.name || found.name, ...(appId ? { appId } : {}) };
    });
  const principals = {
    ...spec.principals,
    readers: fill(spec.principals.readers, "principals.readers"),
    contributors: fill(spec.principals.contributors, "principals.contributors"),
  };
  if (issues.length > 0) throw new SpecError(issues);
  return { ...spec, principals };
}
