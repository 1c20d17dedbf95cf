namespace Airlock.Guest.Protocol;

/// <summary>The <c>op</c> names of <see cref="GuestRequest"/>.</summary>
public static class GuestOps
{
    public const string Ping = "ping";
    public const string Exec = "exec";
    public const string ProcessStart = "process.start";
    public const string ProcessList = "process.list";
    public const string ProcessOutput = "process.output";
    public const string ProcessSignal = "process.signal";
    public const string FileRead = "file.read";
    public const string FileWrite = "file.write";
    public const string FileList = "file.list";
    public const string FileStat = "file.stat";
    public const string FileMkdir = "file.mkdir";
    public const string FileRemove = "file.remove";
    public const string TarGet = "tar.get";
    public const string TarPut = "tar.put";
    public const string PtyOpen = "pty.open";
    public const string PortConnect = "port.connect";
}
