namespace Airlock.RedTeam.Cases.Network;

/// <summary>What a network case allows and what it must see the gateway refuse (proof the attack ran as meant).</summary>
internal sealed record NetworkExpectations
{
    /// <summary>Allowed names and the battery internet address each may be reached at.</summary>
    public required IReadOnlyDictionary<string, string> AllowedHosts { get; init; }

    /// <summary>The path of the control request to the allowed host; it must arrive.</summary>
    public required string ControlPath { get; init; }

    /// <summary>Denials the gateway must have recorded (what, and a test over a decision's details).</summary>
    public IReadOnlyList<(string What, Func<IReadOnlyDictionary<string, string>, bool> Match)> RequiredDenials { get; init; } = [];

    /// <summary>Anomaly alerts (by reason) that must have been raised.</summary>
    public IReadOnlyList<string> RequiredAlerts { get; init; } = [];

    /// <summary>Values that must never arrive anywhere but at the given address (null: nowhere).</summary>
    public IReadOnlyList<(string Value, string What, string? OnlyAt)> Secrets { get; init; } = [];

    /// <summary>Worthless stand-ins (placeholders): on inspected (plain HTTP) requests they must not arrive.</summary>
    public IReadOnlyList<(string Value, string What)> Placeholders { get; init; } = [];

    /// <summary>The case's nonce, searched for in the daemon's request log.</summary>
    public required string Nonce { get; init; }
}
