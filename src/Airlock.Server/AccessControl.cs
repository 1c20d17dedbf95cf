using System.Buffers.Text;
using Airlock.Access;
using Airlock.Audit;
using Airlock.Core;
using Airlock.Governance.AccessFailures;
using Airlock.Governance.Tokens;

namespace Airlock.Server;

/// <summary>
/// Who may call the API besides the admin: the scoped-token service, and where refusals are counted and audited.
/// The composition root builds one (<see cref="Open"/>) and hands it to <see cref="AirlockServer.Build"/>.
/// </summary>
public sealed class AccessControl
{
    public required TokenService Tokens { get; init; }

    public required AccessDenialRecorder Denials { get; init; }

    public IAccessFailures Failures => Denials.Failures;

    /// <summary>
    /// <see cref="Open"/>, then the audit log's past refusals replayed into the counts, so that a restart does not
    /// reset them. What <c>airlock serve</c> calls once it has an audit log.
    /// </summary>
    public static async Task<AccessControl> OpenAsync(string dataDirectory, TimeProvider time, IAuditLog audit, IAccessFailures? failures = null, CancellationToken cancellationToken = default)
    {
        var access = Open(dataDirectory, time, audit, failures);
        await access.Denials.LoadHistoryAsync(cancellationToken);
        return access;
    }

    /// <summary>Token table and signing key in <paramref name="dataDirectory"/> (the key file is created 0600 on first use).</summary>
    public static AccessControl Open(string dataDirectory, TimeProvider? time = null, IAuditLog? audit = null, IAccessFailures? failures = null)
    {
        time ??= TimeProvider.System;
        var paths = new AirlockPaths(dataDirectory);
        // The same owner-only, create-once file as the admin token: 32 random bytes, base64url.
        var key = Base64Url.DecodeFromChars(AdminToken.LoadOrCreate(paths.TokenKey));
        return new AccessControl
        {
            Tokens = new TokenService(paths.TokenDatabase, key, time, audit),
            Denials = new AccessDenialRecorder(failures ?? new AccessFailureTracker(), time, audit),
        };
    }
}
