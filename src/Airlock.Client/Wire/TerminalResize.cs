namespace Airlock.Client.Wire;

/// <summary>The text message a terminal WebSocket's client sends to resize it: <c>{"cols":N,"rows":N}</c>.</summary>
internal sealed record TerminalResize(int Cols, int Rows);
