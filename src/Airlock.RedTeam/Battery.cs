using Airlock.RedTeam.Cases.Filesystem;
using Airlock.RedTeam.Cases.Governance;
using Airlock.RedTeam.Cases.Network;
using Airlock.RedTeam.Cases.Privilege;
using Airlock.RedTeam.Cases.Resources;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam;

/// <summary>
/// Every case of the battery, in report order. This is the extension point: a new case is an <see cref="IAttackCase"/>
/// (or a <see cref="Cases.ScriptAttack"/> with host checks) listed here; a new category is a new name in
/// <see cref="Categories"/>.
/// </summary>
internal static class Battery
{
    public static IReadOnlyList<IAttackCase> All() =>
    [
        .. ExhaustionAttacks.All(),
        .. DiskAttacks.All(),
        new CpuBurnAttack(),
        new OutputFloodAttack(),
        new WallClockAttacks(ttl: false),
        new WallClockAttacks(ttl: true),
        .. LeakSearches.All(),
        .. KernelKnobAttacks.All(),
        .. HandleAndFdAttacks.All(),
        new FilesApiAttacks(write: false),
        new FilesApiAttacks(write: true),
        new TarUploadAttack(),
        new CopyOutAttack(),
        new NeighbourFilesAttack(),
        new PersistenceAttack(),
        .. NamespaceAttacks.All(),
        .. SyscallSweep.All(),
        .. DeviceAttacks.All(),
        .. ProcessAttacks.All(),
        .. TokenAttack.All(),
        new TokenEscalationAttack(),
        new ApprovalBypassAttack(),
        new AuditTamperAttack("edit"),
        new AuditTamperAttack("delete"),
        new AuditTamperAttack("relink"),
        SecretExfiltrationAttack.Create(),
        .. NetworkCases.All(),
    ];
}
