using Spectre.Console;

namespace Airlock.Cli.Infrastructure;

/// <summary>Progress of slow steps (first-use image build) on stderr: a spinner on a terminal, plain lines otherwise.</summary>
internal static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(CliConsole console, string initial, Func<IProgress<string>, Task<T>> work)
    {
        if (!console.ErrorIsTerminal)
        {
            return await work(new LineProgress(message => console.Say(message)));
        }

        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        return await ansi.Status().StartAsync(Markup.Escape(initial), context =>
            work(new LineProgress(message => context.Status(Markup.Escape(message)))));
    }

    /// <summary>Reports synchronously on the reporting thread (Progress&lt;T&gt; would post and reorder).</summary>
    private sealed class LineProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
