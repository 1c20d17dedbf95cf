namespace Airlock.Guest.Protocol;

/// <summary>
/// The host &lt;-&gt; guest agent wire protocol.
/// <para>
/// <b>Transport.</b> A reliable byte stream per operation (today a unix socket the agent listens on;
/// a virtio-serial/vsock multiplexer can carry the same frames later). The host connects, sends one
/// request, exchanges frames for that one operation, and either side closes when it is over.
/// </para>
/// <para>
/// <b>Frames.</b> <c>[1 byte type][4 byte big-endian payload length][payload]</c>; the payload is at
/// most <see cref="MaxFramePayload"/> bytes and both sides refuse bigger frames, unknown types and JSON
/// they cannot parse (a compromised sandbox must not make the host allocate without bound).
/// Types: see <see cref="FrameType"/>. <c>Json</c> payloads are UTF-8 JSON with camelCase names and
/// enums as strings (<see cref="GuestJsonContext"/>, source generated: NativeAOT safe).
/// </para>
/// <para>
/// <b>Operations.</b> The first frame from the host is a Json <see cref="GuestRequest"/> whose
/// <c>op</c> is one of <see cref="GuestOps"/>. Any failure is reported with one Error frame
/// (<see cref="GuestError"/>: <c>{kind, message}</c>, kind an <see cref="AirlockErrorKind"/> name)
/// that ends the operation. "→" is host to agent, "←" agent to host:
/// <list type="bullet">
/// <item><c>ping</c>: ← Json <see cref="GuestHello"/> <c>{version, pid}</c>.</item>
/// <item><c>exec {argv, env, cwd, timeoutMs, hasStdin}</c>: → Stdin* StdinClose (when hasStdin);
/// ← Stdout*/Stderr* as produced, then Json <see cref="GuestExit"/> <c>{exitCode, signal, killedBy, durationMs}</c>.
/// Closing the connection before the exit kills the command's process group.</item>
/// <item><c>process.start {argv, env, cwd, hasStdin}</c>: ← Json <see cref="ProcessInfo"/>; → Stdin* StdinClose (when hasStdin); ← Json <see cref="GuestOk"/>.</item>
/// <item><c>process.list</c>: ← Json <see cref="ProcessInfo"/>[]. <c>process.output {pid}</c>: ← Json ProcessInfo, Stdout*, Stderr*, End.
/// <c>process.signal {pid, signal}</c>: ← Json GuestOk.</item>
/// <item><c>file.read {path}</c>: ← Json <see cref="FileEntry"/>, Data*, End.</item>
/// <item><c>file.write {path, mode}</c>: ← Json GuestOk (the file is open); → Data*, End; ← Json FileEntry.</item>
/// <item><c>file.list {path}</c>: ← Json FileEntry[]. <c>file.stat {path}</c>, <c>file.mkdir {path, parents}</c>: ← Json FileEntry.
/// <c>file.remove {path, recursive}</c>: ← Json GuestOk.</item>
/// <item><c>tar.get {path}</c>: ← Json GuestOk, Data* (a PAX tar stream), End.</item>
/// <item><c>pty.open {argv, env, cwd, cols, rows}</c>: ← Json <see cref="ProcessInfo"/> (the command runs on a new pseudo-terminal);
/// → Stdin* (keystrokes), Json <see cref="GuestResize"/> <c>{cols, rows}</c>, StdinClose (types ^D); ← Stdout* (the terminal's
/// output), then Json GuestExit. Closing the connection kills the command's process group.</item>
/// <item><c>port.connect {port}</c>: ← Json GuestOk once 127.0.0.1:port inside the sandbox accepted, or Error (Unavailable: nothing
/// listens); then Data* both ways; End from either side half-closes that direction; closing the connection closes the socket.</item>
/// <item><c>tar.put {path}</c>: ← Json GuestOk (the directory exists); → Data* (a tar stream), End; ← Json GuestOk.</item>
/// </list>
/// </para>
/// </summary>
public static class GuestProtocol
{
    /// <summary>Bumped on any incompatible change; reported by <c>ping</c>.</summary>
    public const string Version = "1";

    /// <summary>The largest payload either side accepts in one frame.</summary>
    public const int MaxFramePayload = 1024 * 1024;

    /// <summary>The size of Data, Stdout and Stderr chunks the sender produces (large enough for 50 MB files to be fast).</summary>
    public const int DataChunkSize = 256 * 1024;

    /// <summary>Frame header: type byte plus big-endian length.</summary>
    public const int HeaderSize = 5;
}
