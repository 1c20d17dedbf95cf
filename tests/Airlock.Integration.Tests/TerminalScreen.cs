using System.Text;

namespace Airlock.Integration.Tests;

/// <summary>Reads a terminal's output until some text has appeared (the bound only keeps a broken run from hanging).</summary>
internal sealed class TerminalScreen(Stream output)
{
    private readonly StringBuilder _seen = new();
    private readonly byte[] _buffer = new byte[4096];

    public string Text => _seen.ToString();

    public async Task WaitForAsync(string text, int from = 0)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (_seen.ToString().IndexOf(text, from, StringComparison.Ordinal) < 0)
        {
            int n = await output.ReadAsync(_buffer, bound.Token);
            if (n == 0) throw new Xunit.Sdk.XunitException($"the terminal ended before showing '{text}'; it showed: {_seen}");
            _seen.Append(Encoding.UTF8.GetString(_buffer, 0, n));
        }
    }

    public async Task DrainAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        int n;
        while ((n = await output.ReadAsync(_buffer, bound.Token)) > 0) _seen.Append(Encoding.UTF8.GetString(_buffer, 0, n));
    }
}
