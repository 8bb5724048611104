// The words of `--help`, for the command as a whole and for each command (`synapse-export run --help`).

export const EXIT_CODES = `Exit codes:
  0  success
  1  invalid spec or usage
  2  the run failed for at least one entity (the others still ran), or could not start
  3  permissions diff: a grant is broader than the export needs, or differs from the spec's plan`;

const COMMON = `Instead of <spec>, --stack <name> reads the spec of stacks/Pulumi.<name>.yaml
(--stacks-dir <dir> for another folder than stacks).

Options:
  --json        one JSON document on stdout, nothing else (errors too: { "ok": false, "error": ... })
  --verbose     show the stack of an unexpected error
  --help        this text (also per command: synapse-export run --help)
  --version, -V the version of synapse-export`;

export const HELP = `synapse-export: export Customer Insights entity data to Azure Synapse Analytics

Usage:
  synapse-export validate <spec>                      check a spec; every error with its field path
  synapse-export plan <spec> [--local <dir>] [--json] grants, lake layout and SQL; touches nothing
  synapse-export run <spec> [--local <dir>] [--entities A,B] [--lock-wait <seconds>] [--rehash] [--json]
                                                      run the export now (Azure, or a local directory);
                                                      waits up to 30 s (--lock-wait) for another export
                                                      of the same target
  synapse-export permissions plan <spec> [--format table|json|mermaid] [--signed-in]
  synapse-export permissions diff [preview.json] [--spec <spec>] [--wide] [--json]
                                                      permission changes in \`pulumi preview --json\`
                                                      (stdin if no file); exit 3 if one is too broad

${COMMON}

${EXIT_CODES}
`;

export const COMMAND_HELP: Record<string, string> = {
  validate: `synapse-export validate <spec> [--json]

Checks a spec without touching anything: exit 0, or 1 with every error and its field path.
  --stack <name>       instead of <spec>: the spec of stacks/Pulumi.<name>.yaml
  --stacks-dir <dir>   where --stack looks (default stacks)
  --json               exactly one JSON document on stdout`,
  plan: `synapse-export plan <spec> [--local <dir>] [--json]

Prints the grants, the lake layout, the columns (inferred ones are read from the sources) and the
T-SQL the export will run. Touches nothing in Azure.
  --local <dir>  read a lake model.json entity's columns and partitions from <dir>/<container>/<path>,
                 as run --local reads them (without it they are read when the export runs)
  --stack <name> instead of <spec>: the spec of stacks/Pulumi.<name>.yaml (--stacks-dir <dir>)
  --json         exactly one JSON document on stdout`,
  run: `synapse-export run <spec> [--local <dir>] [--entities A,B] [--lock-wait <seconds>] [--rehash] [--json]

Runs the export now: against Azure as the signed-in identity (DefaultAzureCredential), or with
--local <dir> into a folder and a DuckDB database there.
  --local <dir>         the local target (never empty: an empty value is a usage error)
  --entities A,B        only these entities of the spec
  --lock-wait <seconds> how long to wait for another export of the same target (default 30)
  --rehash              hash every source again instead of trusting the recorded file identity
  --stack <name>        instead of <spec>: the spec of stacks/Pulumi.<name>.yaml (--stacks-dir <dir>)
  --json                exactly one JSON document on stdout`,
  permissions: `synapse-export permissions plan <spec> [--format table|json|mermaid] [--signed-in]
synapse-export permissions diff [preview.json] [--spec <spec>] [--wide] [--json]

plan: the whole grant graph of a spec. With --signed-in, the deployer's grant names the identity
signed in on this machine (its Azure token's oid claim; no Microsoft Graph call) instead of "deploy time".
diff: the permission changes in \`pulumi preview --json\` (a file, or stdin). A grant with Owner,
Contributor, User Access Administrator or Role Based Access Control Administrator, or on a whole
subscription or management group, is flagged as broader than the export needs; with --spec, so is
a grant whose principal, role or scope differs from the spec's plan. Any flag makes the exit code 3.
  --spec <spec>  compare with what this spec's plan grants (or --stack <name>: that stack's spec)
  --wide         full ids and scopes, lines as long as they need
  --json         every change with its full values and flags`,
};
