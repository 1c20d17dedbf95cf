using Spectre.Console;
using Spectre.Console.Rendering;

namespace Airlock.Cli.Infrastructure;

/// <summary>Renders Spectre tables to our stdout; wide and colourless when stdout is a pipe, so scripts see whole lines.</summary>
internal static class Tables
{
    public static void Write(CliConsole console, IRenderable renderable)
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Output),
            Ansi = console.OutputIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = console.OutputIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!console.OutputIsTerminal) ansi.Profile.Width = 4096;
        ansi.Write(renderable);
    }
}
