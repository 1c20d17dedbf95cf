namespace Airlock.Guest.Bridge;

/// <summary>
/// <c>airlock-agent bridge --listen HOSTSOCK (--connect UNIXSOCK | --accept UNIXSOCK) [--pid-file FILE] [--log FILE]</c>.
/// <c>--connect</c>: the guest's stream is a unix socket to connect to (QEMU's virtio-serial chardev in server mode).
/// <c>--accept</c>: listen on UNIXSOCK for the guest agent to dial in (<c>airlock-agent serve --dial</c>).
/// </summary>
internal sealed record BridgeOptions
{
    public const string Usage = "airlock-agent bridge --listen HOSTSOCK (--connect UNIXSOCK | --accept UNIXSOCK) [--pid-file FILE] [--log FILE]";

    /// <summary>The unix socket the host's GuestClient connects to, once per operation.</summary>
    public required string ListenPath { get; init; }

    public required string GuestPath { get; init; }

    /// <summary>True for <c>--accept</c> (the guest dials in), false for <c>--connect</c>.</summary>
    public required bool GuestDialsIn { get; init; }

    public string? PidFile { get; init; }

    public string? LogPath { get; init; }

    /// <summary>Parses the command line; null (with <paramref name="error"/>) when it is not valid.</summary>
    public static BridgeOptions? Parse(string[] args, out string? error)
    {
        error = null;
        string? listen = null, guest = null, pidFile = null, log = null;
        bool? dialsIn = null;
        for (int i = 1; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--listen" when value is not null:
                    listen = value;
                    break;
                case "--connect" or "--accept" when value is not null && dialsIn is null:
                    dialsIn = args[i] == "--accept";
                    guest = value;
                    break;
                case "--pid-file" when value is not null:
                    pidFile = value;
                    break;
                case "--log" when value is not null:
                    log = value;
                    break;
                default:
                    error = $"unexpected argument '{args[i]}'\nusage: {Usage}";
                    return null;
            }

            i++;
        }

        if (listen is null || guest is null)
        {
            error = "usage: " + Usage;
            return null;
        }

        return new BridgeOptions { ListenPath = listen, GuestPath = guest, GuestDialsIn = dialsIn!.Value, PidFile = pidFile, LogPath = log };
    }
}
