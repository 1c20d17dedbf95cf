namespace Airlock.RedTeam.Model;

/// <summary>
/// One malicious behaviour: it sets up what it needs (usually a fresh sandbox through the context), runs the
/// attack inside it within a time bound, and judges the outcome from what the host can observe. New cases are
/// added to <see cref="Battery"/>; a category is just the name a case reports.
/// </summary>
internal interface IAttackCase
{
    string Category { get; }

    string Name { get; }

    /// <summary>One sentence: what the attack tries, and what the host checks.</summary>
    string Attempts { get; }

    /// <summary>Whether the case attacks the battery's own internet (its listeners and namespaces), which is started only when a selected case does.</summary>
    bool NeedsInternet => false;

    Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken);
}
