namespace Airlock.RedTeam.Model;

/// <summary>A verdict and the host-side evidence behind it, in words a reader can check.</summary>
internal sealed record Judgement(Verdict Verdict, string Evidence)
{
    public static Judgement Contained(string evidence) => new(Verdict.Contained, evidence);

    public static Judgement Escaped(string evidence) => new(Verdict.Escaped, evidence);

    public static Judgement Inconclusive(string evidence) => new(Verdict.Inconclusive, evidence);

    public static Judgement NotRun(string evidence) => new(Verdict.NotRun, evidence);

    /// <summary>Escaped when any finding is present, else contained with <paramref name="clean"/> as evidence.</summary>
    public static Judgement From(IReadOnlyCollection<string> findings, string clean) =>
        findings.Count > 0 ? Escaped(string.Join("; ", findings)) : Contained(clean);
}
