using System.Globalization;
using Airlock.Audit;
using Airlock.Client.Wire;

namespace Airlock.Client;

/// <summary>The daemon's audit trail: query it, export it as JSON Lines, verify its hash chain and signed checkpoints.</summary>
public sealed class AuditClient
{
    private readonly DaemonConnection _daemon;

    internal AuditClient(DaemonConnection daemon) => _daemon = daemon;

    /// <summary>Records matching <paramref name="query"/>, oldest first (at most 10 000 a call; page with <see cref="AuditQuery.AfterSequence"/>).</summary>
    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var list = await _daemon.SendJsonAsync<AuditRecordList>(_daemon.Request(HttpMethod.Get, "v1/audit" + QueryString(query, withLimit: true)), cancellationToken);
        return list.Records;
    }

    /// <summary>Every record matching <paramref name="filter"/> (all when null) as JSON Lines into <paramref name="destination"/>, streamed.</summary>
    public async Task ExportAsync(Stream destination, AuditQuery? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var request = _daemon.Request(HttpMethod.Get, "v1/audit/export" + QueryString(filter ?? new AuditQuery(), withLimit: false));
        using var response = await _daemon.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await response.Content.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>Checks the whole trail on the daemon: every hash, link and checkpoint signature.</summary>
    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default) =>
        _daemon.SendJsonAsync<AuditVerification>(_daemon.Request(HttpMethod.Get, "v1/audit/verify"), cancellationToken);

    private static string QueryString(AuditQuery query, bool withLimit)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) parts.Add(name + "=" + DaemonConnection.Escape(value));
        }

        Add("sandbox", query.SandboxId);
        Add("kind", query.Kind);
        Add("actor", query.Actor);
        Add("outcome", query.Outcome);
        Add("after", query.AfterSequence?.ToString(CultureInfo.InvariantCulture));
        Add("since", query.Since is { } since ? AuditJsonLines.Time(since) : null);
        if (withLimit) Add("limit", query.Limit.ToString(CultureInfo.InvariantCulture));
        if (query.Newest) Add("newest", "true");
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
