using Airlock.RedTeam.Host;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Resources;

/// <summary>What a resource judge sees: the samples, the sandbox's cgroup knobs, its host directory's size and how the attack ended.</summary>
internal sealed record ResourceEvidence(CaseContext Context, SandboxInfo Sandbox, ResourceWatch Watch, AttackRun Run, long? SandboxDiskBytes);
