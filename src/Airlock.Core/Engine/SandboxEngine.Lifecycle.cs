using System.Security.Cryptography;
using Airlock.Core.Backends;
using Airlock.Core.Network;
using Airlock.Core.Policy;
using Airlock.Core.State;

namespace Airlock.Core.Engine;

public sealed partial class SandboxEngine
{
    public async Task<SandboxInfo> CreateAsync(SandboxSpec spec, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        SpecValidator.Validate(spec);
        var policy = await ResolvePolicyAsync(spec.Policy, cancellationToken);
        (spec, var isolationMinimum, var fileRules, var parsedPolicy) = Policy.PolicyApplication.Apply(spec, policy?.Text);
        var (backend, reason) = TierSelector.Select(spec.Isolation, Backends, isolationMinimum, Options.AutoOrder);
        var egressPlan = parsedPolicy is not null && Policy.PolicyApplication.NeedsEgress(parsedPolicy) ? EgressPlan.Create(parsedPolicy, policy!.Text) : null;
        if (egressPlan is not null && Options.GatewayCommand is null)
        {
            throw AirlockException.Unavailable("this engine has no egress gateway to start (EngineOptions.GatewayCommand is unset), so it cannot enforce network.allow, egress_rate or secrets");
        }

        _agentPath ??= AgentLocator.Locate(Options.AgentPath);
        var rootfs = await Images.GetRootfsAsync(spec.Image, progress, cancellationToken);

        var now = Time.GetUtcNow();
        var ttl = spec.Ttl ?? Options.DefaultTtl;
        var limits = new ResourceLimits
        {
            Cpus = spec.Limits.Cpus ?? Math.Min(Options.DefaultCpus, Environment.ProcessorCount),
            MemoryBytes = spec.Limits.MemoryBytes ?? Options.DefaultMemoryBytes,
            Pids = spec.Limits.Pids ?? Options.DefaultPids,
            DiskBytes = spec.Limits.DiskBytes ?? Options.DefaultDiskBytes,
        };
        var info = new SandboxInfo
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            State = SandboxState.Creating,
            Image = spec.Image,
            Isolation = backend.Tier,
            IsolationReason = reason,
            Limits = limits,
            Labels = spec.Labels,
            Policy = policy?.Reference,
            CreatedAt = now,
            ExpiresAt = now + ttl,
        };
        var record = new SandboxRecord { Info = info, Owner = ProcessIdentity.Current };
        await _store.InsertAsync(record, cancellationToken);
        try
        {
            progress?.Report($"starting sandbox {info.Id} ({backend.Tier}; {info.IsolationReason})");
            EgressSetup? egress = null;
            var env = spec.Env;
            if (egressPlan is not null)
            {
                egress = await SandboxEgress.SetUpAsync(Paths, info.Id, egressPlan, Options.GatewayCommand!, info.ExpiresAt, Options.EgressTestWiring, cancellationToken);
                env = MergeEnvironment(spec.Env, egress.Environment(egressPlan));
            }

            await backend.CreateAsync(
                new BackendCreateRequest
                {
                    Id = info.Id,
                    ImageRootfs = rootfs,
                    AgentPath = _agentPath,
                    Cpus = limits.Cpus!.Value,
                    MemoryBytes = limits.MemoryBytes!.Value,
                    Pids = limits.Pids!.Value,
                    DiskBytes = limits.DiskBytes!.Value,
                    Ttl = ttl,
                    Env = env,
                    Hostname = $"sandbox-{info.Id}",
                    FileRules = fileRules,
                    Network = egress?.Lease.Link,
                },
                cancellationToken);
            if (egress is not null) await PlantEgressFilesAsync(info, egressPlan!, egress, cancellationToken);
            info = info with { State = SandboxState.Running };
            await _store.UpdateAsync(record with { Info = info }, CancellationToken.None);
            return info;
        }
        catch (Exception e)
        {
            await DestroyAsync(backend, info.Id);
            if (e is AirlockException or OperationCanceledException) throw;
            // A backend failure is the host's, not the caller's: report it as such, with the backend's reason.
            throw AirlockException.Unavailable($"could not start the sandbox on tier '{backend.Tier}': {e.Message}", e);
        }
    }

    /// <summary>
    /// The policy a sandbox was created with, parsed; null when it has none. The text is read from the policy store
    /// by the version the sandbox recorded, so later versions of the same name do not change a running sandbox.
    /// </summary>
    public async Task<Airlock.Policy.SandboxPolicy?> GetPolicyAsync(string id, CancellationToken cancellationToken = default)
    {
        var info = await GetAsync(id, cancellationToken);
        if (info.Policy is null) return null;
        var load = _policies.GetOrAdd(info.Policy, reference => new Lazy<Task<Airlock.Policy.SandboxPolicy>>(async () =>
            PolicyLoader.Load((await Policies.GetAsync(reference, CancellationToken.None)).Text, reference)));
        return await load.Value;
    }

    /// <summary>A stored policy's reference (<c>name</c>, <c>name@3</c>) or an inline document, stored so that it can be read back.</summary>
    private async Task<PolicyInfo?> ResolvePolicyAsync(string? policy, CancellationToken cancellationToken)
    {
        if (policy is null) return null;
        if (PolicyStore.IsReference(policy.Trim())) return await Policies.GetAsync(policy.Trim(), cancellationToken);
        PolicyLoader.Load(policy, "policy");
        return await Policies.PutInlineAsync(policy, cancellationToken);
    }

    public async Task<IReadOnlyList<SandboxInfo>> ListAsync(IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        var records = await _store.ListAsync(cancellationToken);
        return records
            .Select(r => r.Info)
            .Where(i => labels is null || labels.All(l => i.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .ToList();
    }

    public async Task<SandboxInfo> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await RequireAsync(id, cancellationToken)).Info;

    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) => SerializedAsync(id, async () =>
    {
        var record = await RequireAsync(id, cancellationToken);
        await DestroyAsync(BackendFor(record.Info), id);
        return true;
    }, cancellationToken);

    public Task<SandboxInfo> PauseAsync(string id, CancellationToken cancellationToken = default) => SerializedAsync(id, async () =>
    {
        var record = await RequireAsync(id, cancellationToken);
        if (record.Info.State == SandboxState.Paused) return record.Info;
        await RequireRunningAsync(id, cancellationToken);
        await BackendFor(record.Info).PauseAsync(id, cancellationToken);
        var info = record.Info with { State = SandboxState.Paused };
        await _store.UpdateAsync(record with { Info = info }, CancellationToken.None);
        return info;
    }, cancellationToken);

    public Task<SandboxInfo> ResumeAsync(string id, CancellationToken cancellationToken = default) => SerializedAsync(id, async () =>
    {
        var record = await RequireAsync(id, cancellationToken);
        if (record.Info.State == SandboxState.Running) return record.Info;
        if (record.Info.State != SandboxState.Paused) throw AirlockException.Conflict($"sandbox {id} is {record.Info.State.ToString().ToLowerInvariant()}, not paused");
        await BackendFor(record.Info).ResumeAsync(id, cancellationToken);
        var info = record.Info with { State = SandboxState.Running };
        await _store.UpdateAsync(record with { Info = info }, CancellationToken.None);
        return info;
    }, cancellationToken);

    /// <summary>Removes every host resource, then the record. Not cancellable: a half-destroyed sandbox is worse than a slow one.</summary>
    private async Task DestroyAsync(ISandboxBackend backend, string id)
    {
        _guests.TryRemove(id, out _);
        await backend.DestroyAsync(id, CancellationToken.None);
        await SandboxEgress.DestroyAsync(Paths, id);
        await _store.DeleteAsync(id, CancellationToken.None);
    }
}
