using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Airlock.Client.Wire;

namespace Airlock.Client;

/// <summary><see cref="ISandboxOperations"/> against a daemon's REST API (docs/api.md).</summary>
internal sealed partial class HttpSandboxOperations(DaemonConnection daemon) : ISandboxOperations
{
    private static string Sandbox(string id) => $"v1/sandboxes/{DaemonConnection.Escape(id)}";

    private static string FileQuery(string path) => "?path=" + DaemonConnection.Escape(path);

    public async Task<SandboxInfo> CreateAsync(SandboxSpec spec, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        // The daemon builds a missing default image inside this call; it reports no progress over HTTP yet,
        // so <paramref name="progress"/> stays silent.
        var body = new CreateSandboxBody
        {
            Image = spec.Image,
            Isolation = spec.Isolation,
            Cpus = spec.Limits.Cpus,
            Memory = spec.Limits.MemoryBytes,
            Pids = spec.Limits.Pids,
            Disk = spec.Limits.DiskBytes,
            Timeout = spec.Ttl is { } ttl ? WireFormat.Duration(ttl) : null,
            Env = spec.Env.Count > 0 ? spec.Env : null,
            Labels = spec.Labels.Count > 0 ? spec.Labels : null,
            Policy = spec.Policy,
        };
        return await daemon.SendJsonAsync<SandboxInfo>(daemon.Request(HttpMethod.Post, "v1/sandboxes", DaemonConnection.Json(body)), cancellationToken);
    }

    public async Task<IReadOnlyList<SandboxInfo>> ListAsync(IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        var query = labels is { Count: > 0 }
            ? "?" + string.Join('&', labels.Select(l => "label=" + DaemonConnection.Escape($"{l.Key}={l.Value}")))
            : "";
        var list = await daemon.SendJsonAsync<SandboxList>(daemon.Request(HttpMethod.Get, "v1/sandboxes" + query), cancellationToken);
        return list.Sandboxes;
    }

    public Task<SandboxInfo> GetAsync(string id, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<SandboxInfo>(daemon.Request(HttpMethod.Get, Sandbox(id)), cancellationToken);

    public Task<SandboxPosture> InspectAsync(string id, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<SandboxPosture>(daemon.Request(HttpMethod.Get, Sandbox(id) + "/posture"), cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        daemon.SendNoContentAsync(daemon.Request(HttpMethod.Delete, Sandbox(id)), cancellationToken);

    public Task<SandboxInfo> PauseAsync(string id, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<SandboxInfo>(daemon.Request(HttpMethod.Post, Sandbox(id) + "/pause"), cancellationToken);

    public Task<SandboxInfo> ResumeAsync(string id, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<SandboxInfo>(daemon.Request(HttpMethod.Post, Sandbox(id) + "/resume"), cancellationToken);

    public async IAsyncEnumerable<ExecEvent> ExecStreamAsync(string id, ExecRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var body = await ToBodyAsync(request, cancellationToken);
        using var message = daemon.Request(HttpMethod.Post, Sandbox(id) + "/exec", DaemonConnection.Json(body));
        using var response = await daemon.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0) continue;
            var execEvent = ExecWire.Parse(line);
            yield return execEvent;
            if (execEvent is ExecExited) yield break;
        }

        throw AirlockException.Unavailable("the exec stream ended before the command's exit status arrived (the daemon stopped or the connection broke)");
    }

    public async Task<ProcessInfo> StartProcessAsync(string id, ExecRequest request, CancellationToken cancellationToken = default)
    {
        var body = await ToBodyAsync(request, cancellationToken);
        return await daemon.SendJsonAsync<ProcessInfo>(daemon.Request(HttpMethod.Post, Sandbox(id) + "/processes", DaemonConnection.Json(body)), cancellationToken);
    }

    public async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string id, CancellationToken cancellationToken = default) =>
        (await daemon.SendJsonAsync<ProcessList>(daemon.Request(HttpMethod.Get, Sandbox(id) + "/processes"), cancellationToken)).Processes;

    public Task<ProcessOutput> GetProcessOutputAsync(string id, int pid, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<ProcessOutput>(daemon.Request(HttpMethod.Get, $"{Sandbox(id)}/processes/{pid}"), cancellationToken);

    public Task SignalProcessAsync(string id, int pid, int signal, CancellationToken cancellationToken = default) =>
        daemon.SendNoContentAsync(daemon.Request(HttpMethod.Post, $"{Sandbox(id)}/processes/{pid}/signal", DaemonConnection.Json(new SignalBody(signal))), cancellationToken);

    public Task<Stream> ReadFileAsync(string id, string path, CancellationToken cancellationToken = default) =>
        daemon.OpenDownloadAsync(Sandbox(id) + "/files" + FileQuery(path), cancellationToken);

    public Task<FileEntry> WriteFileAsync(string id, string path, Stream content, int? mode = null, CancellationToken cancellationToken = default)
    {
        var query = FileQuery(path) + (mode is { } m ? "&mode=" + Convert.ToString(m, 8) : "");
        return daemon.SendJsonAsync<FileEntry>(daemon.Request(HttpMethod.Put, Sandbox(id) + "/files" + query, Upload(content)), cancellationToken);
    }

    public async Task<IReadOnlyList<FileEntry>> ListFilesAsync(string id, string path, CancellationToken cancellationToken = default) =>
        (await daemon.SendJsonAsync<FileList>(daemon.Request(HttpMethod.Get, Sandbox(id) + "/files/list" + FileQuery(path)), cancellationToken)).Entries;

    public Task<FileEntry> StatFileAsync(string id, string path, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<FileEntry>(daemon.Request(HttpMethod.Get, Sandbox(id) + "/files/stat" + FileQuery(path)), cancellationToken);

    public Task<FileEntry> MakeDirectoryAsync(string id, string path, bool parents = true, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<FileEntry>(daemon.Request(HttpMethod.Post, Sandbox(id) + "/files/mkdir" + FileQuery(path) + (parents ? "&parents=true" : "&parents=false")), cancellationToken);

    public Task RemoveFileAsync(string id, string path, bool recursive = false, CancellationToken cancellationToken = default) =>
        daemon.SendNoContentAsync(daemon.Request(HttpMethod.Delete, Sandbox(id) + "/files" + FileQuery(path) + (recursive ? "&recursive=true" : "&recursive=false")), cancellationToken);

    public Task<Stream> DownloadTarAsync(string id, string path, CancellationToken cancellationToken = default) =>
        daemon.OpenDownloadAsync(Sandbox(id) + "/files/tar" + FileQuery(path), cancellationToken);

    public Task UploadTarAsync(string id, string path, Stream tar, CancellationToken cancellationToken = default)
    {
        var content = Upload(tar);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        return daemon.SendNoContentAsync(daemon.Request(HttpMethod.Put, Sandbox(id) + "/files/tar" + FileQuery(path), content), cancellationToken);
    }

    private static StreamContent Upload(Stream content)
    {
        // StreamContent sends the caller's stream as it reads it (chunked when the length is unknown): never buffered whole.
        var streamContent = new StreamContent(content, 81920);
        streamContent.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return streamContent;
    }

    /// <summary>
    /// Stdin travels base64 in the JSON body, so a remote exec reads the caller's stdin stream to its end
    /// before the command starts (documented limitation; the embedded engine streams it).
    /// </summary>
    private static async Task<ExecBody> ToBodyAsync(ExecRequest request, CancellationToken cancellationToken)
    {
        byte[]? stdin = null;
        if (request.Stdin is { } input)
        {
            using var buffer = new MemoryStream();
            await input.CopyToAsync(buffer, cancellationToken);
            stdin = buffer.ToArray();
        }

        return new ExecBody
        {
            Command = request.Command,
            Env = request.Env.Count > 0 ? request.Env : null,
            Cwd = request.Cwd,
            Timeout = request.Timeout is { } timeout ? WireFormat.Duration(timeout) : null,
            Stdin = stdin,
        };
    }
}
