using Airlock.Audit;
using Airlock.Client.Wire;

namespace Airlock.Cli.Infrastructure;

/// <summary>One audit record as one line for people: sequence, time, outcome, kind, actor, sandbox, details.</summary>
internal static class AuditText
{
    public static string Line(AuditRecord record)
    {
        var details = string.Join(' ', record.Event.Details.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={Quote(d.Value)}"));
        return $"{record.Sequence,7}  {AuditJsonLines.Time(record.Time)}  {record.Event.Outcome,-7}  {record.Event.Kind,-18}  {record.Event.Actor,-14}  {record.Event.SandboxId ?? "-",-14}  {details}".TrimEnd();
    }

    /// <summary>Values with spaces or quotes are quoted, so a line splits back into its fields.</summary>
    private static string Quote(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\') ? value : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
