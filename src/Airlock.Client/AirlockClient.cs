using Airlock.Access;
using Airlock.Artifacts;
using Airlock.Client.Wire;

namespace Airlock.Client;

/// <summary>
/// A connection to an Airlock daemon (<c>airlock serve</c>). Create sandboxes with
/// <see cref="CreateSandboxAsync"/>; everything else a caller can do is on <see cref="Operations"/>.
/// </summary>
/// <example>
/// <code>
/// using var client = AirlockClient.FromEnvironment();
/// await using var sandbox = await client.CreateSandboxAsync(new SandboxSpec { Image = "python" });
/// var outcome = await sandbox.ExecAsync("python3", "-c", "print(6*7)");
/// </code>
/// </example>
public sealed class AirlockClient : IDisposable
{
    /// <summary>The environment variable holding the daemon's base address, e.g. <c>http://127.0.0.1:7070</c>.</summary>
    public const string HostVariable = "AIRLOCK_HOST";

    /// <summary>The environment variable holding the bearer token.</summary>
    public const string TokenVariable = "AIRLOCK_TOKEN";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly DaemonConnection _daemon;
    private readonly HttpGovernanceOperations _governance;

    /// <summary>Connects to the daemon at <paramref name="baseAddress"/> with a bearer <paramref name="token"/>.</summary>
    /// <param name="baseAddress">The daemon's address, e.g. <c>http://127.0.0.1:7070</c>.</param>
    /// <param name="token">The admin token (the daemon writes it to <c>admin.token</c> in its data directory).</param>
    /// <param name="http">An HttpClient to use; the client does not dispose it. Give it an infinite
    /// <see cref="HttpClient.Timeout"/>: exec streams and image builds last as long as they last.</param>
    public AirlockClient(Uri baseAddress, string token, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        if (!baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw AirlockException.Invalid($"'{baseAddress}' is not an http(s) address of an Airlock daemon; use e.g. http://127.0.0.1:7070");
        }

        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _daemon = new DaemonConnection(_http, baseAddress, token.Trim());
        var operations = new HttpSandboxOperations(_daemon);
        Operations = operations;
        Code = operations;
        _governance = new HttpGovernanceOperations(_daemon);
        Audit = new AuditClient(_daemon);
        Tokens = new HttpTokenOperations(_daemon);
        Artifacts = new HttpArtifactStore(_daemon);
    }

    /// <summary>The code interpreter of every sandbox: run a cell, interrupt, restart (also <see cref="Sandbox.RunCodeAsync(string, TimeSpan?, CancellationToken)"/>).</summary>
    public ICodeOperations Code { get; }

    /// <summary>Pending approvals: list, approve, deny.</summary>
    public IApprovalOperations Approvals => _governance;

    /// <summary>Named, versioned policies a sandbox can be created with (<see cref="SandboxSpec.Policy"/> = <c>NAME</c> or <c>NAME@VERSION</c>).</summary>
    public IPolicyOperations Policies => _governance;

    /// <summary>
    /// Exposes port <paramref name="port"/> of a sandbox at a daemon URL guarded by a token of its own (returned once, in
    /// <see cref="PortPreview.Token"/>); <paramref name="ttl"/> defaults to one hour. Needs the <c>sandbox:expose</c> scope.
    /// </summary>
    public Task<PortPreview> ExposePortAsync(string sandboxId, int port, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
        ((HttpSandboxOperations)Operations).ExposePortAsync(sandboxId, port, ttl, cancellationToken);

    /// <summary>The sandbox's open previews (without their tokens).</summary>
    public Task<IReadOnlyList<PortPreview>> ListPortsAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        ((HttpSandboxOperations)Operations).ListPortsAsync(sandboxId, cancellationToken);

    /// <summary>Closes the preview of <paramref name="port"/>; NotFound when it is not exposed.</summary>
    public Task ClosePortAsync(string sandboxId, int port, CancellationToken cancellationToken = default) =>
        ((HttpSandboxOperations)Operations).ClosePortAsync(sandboxId, port, cancellationToken);

    /// <summary>The policy's verdict on each intended step in a sandbox, before anything runs.</summary>
    public Task<IReadOnlyList<PlanStepDecision>> VetPlanAsync(string sandboxId, IReadOnlyList<PlanStep> steps, CancellationToken cancellationToken = default) =>
        _governance.VetPlanAsync(sandboxId, steps, cancellationToken);

    /// <summary>The daemon's base address.</summary>
    public Uri BaseAddress => _daemon.BaseAddress;

    /// <summary>Every sandbox operation, over HTTP. The same interface the embedded engine implements.</summary>
    public ISandboxOperations Operations { get; }

    /// <summary>The daemon's audit trail: query, export, verify.</summary>
    public AuditClient Audit { get; }

    /// <summary>Scoped tokens: mint (needs the admin token or <c>tokens:mint</c>), list, revoke.</summary>
    public ITokenOperations Tokens { get; }

    /// <summary>How many requests naming sandbox <paramref name="id"/> the daemon refused (401 and 403).</summary>
    public async Task<AccessFailureCounts> GetAccessFailuresAsync(string id, CancellationToken cancellationToken = default) =>
        (await _daemon.SendJsonAsync<AccessFailureReport>(_daemon.Request(HttpMethod.Get, $"v1/sandboxes/{DaemonConnection.Escape(id)}/access-failures"), cancellationToken)).FailedAccess;

    /// <summary>The daemon's content-addressed artifact store. The same interface the CLI's embedded mode uses on a data directory.</summary>
    public IArtifactStore Artifacts { get; }

    /// <summary>A client for <c>AIRLOCK_HOST</c> with the token in <c>AIRLOCK_TOKEN</c>.</summary>
    /// <exception cref="AirlockException">InvalidArgument when either variable is missing or malformed.</exception>
    public static AirlockClient FromEnvironment()
    {
        var host = Environment.GetEnvironmentVariable(HostVariable);
        var token = Environment.GetEnvironmentVariable(TokenVariable);
        if (string.IsNullOrWhiteSpace(host)) throw AirlockException.Invalid($"{HostVariable} is not set; set it to the daemon's address, e.g. http://127.0.0.1:7070");
        if (string.IsNullOrWhiteSpace(token)) throw AirlockException.Invalid($"{TokenVariable} is not set; set it to the daemon's token (the admin.token file in its data directory)");
        if (!Uri.TryCreate(host.Trim(), UriKind.Absolute, out var uri)) throw AirlockException.Invalid($"{HostVariable}='{host}' is not an address; use e.g. http://127.0.0.1:7070");
        return new AirlockClient(uri, token);
    }

    /// <summary>Creates a sandbox and returns a handle that destroys it when disposed.</summary>
    public Task<Sandbox> CreateSandboxAsync(SandboxSpec? spec = null, CancellationToken cancellationToken = default) =>
        Sandbox.CreateAsync(Operations, spec ?? new SandboxSpec(), progress: null, cancellationToken);

    /// <summary>A handle on an existing sandbox. Disposing it destroys the sandbox.</summary>
    public async Task<Sandbox> GetSandboxAsync(string id, CancellationToken cancellationToken = default) =>
        Sandbox.Attach(Operations, await Operations.GetAsync(id, cancellationToken));

    /// <summary>Sandboxes whose labels contain every pair of <paramref name="labels"/>.</summary>
    public Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default) =>
        Operations.ListAsync(labels, cancellationToken);

    /// <summary>The images in the daemon's image store.</summary>
    public async Task<IReadOnlyList<ImageInfo>> ListImagesAsync(CancellationToken cancellationToken = default) =>
        (await _daemon.SendJsonAsync<ImageList>(_daemon.Request(HttpMethod.Get, "v1/images"), cancellationToken)).Images;

    /// <summary>Builds (or rebuilds) an image from Debian packages. Takes minutes; the call waits for the build.</summary>
    public Task<ImageInfo> BuildImageAsync(string name, IReadOnlyList<string> packages, CancellationToken cancellationToken = default) =>
        _daemon.SendJsonAsync<ImageInfo>(_daemon.Request(HttpMethod.Post, "v1/images", DaemonConnection.Json(new BuildImageBody(name, packages))), cancellationToken);

    /// <summary>Removes an image from the daemon's image store.</summary>
    public Task RemoveImageAsync(string name, CancellationToken cancellationToken = default) =>
        _daemon.SendNoContentAsync(_daemon.Request(HttpMethod.Delete, "v1/images/" + DaemonConnection.Escape(name)), cancellationToken);

    /// <summary>Stores <paramref name="content"/> as an artifact; the answer names it by its SHA-256 digest. Storing the same bytes again is harmless.</summary>
    public Task<ArtifactInfo> PutArtifactAsync(Stream content, string? mediaType = null, string? name = null, CancellationToken cancellationToken = default) =>
        Artifacts.PutAsync(content, mediaType, name, cancellationToken);

    /// <summary>
    /// The bytes of artifact <paramref name="digest"/>. The daemon refuses (Conflict) an artifact changed after it was
    /// stored; the stream also checks the digest as it is read and throws Conflict at its end if the bytes differ.
    /// </summary>
    public Task<Stream> GetArtifactAsync(string digest, CancellationToken cancellationToken = default) =>
        Artifacts.OpenAsync(digest, cancellationToken);

    /// <summary>Asks the daemon whether it is up (no token needed).</summary>
    public Task<ServerHealth> GetHealthAsync(CancellationToken cancellationToken = default) =>
        _daemon.SendJsonAsync<ServerHealth>(_daemon.Request(HttpMethod.Get, "health"), cancellationToken);

    /// <summary>Disposes the HttpClient when this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
