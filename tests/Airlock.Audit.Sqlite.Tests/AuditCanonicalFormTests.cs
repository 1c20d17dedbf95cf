using System.Security.Cryptography;
using System.Text;

namespace Airlock.Audit.Sqlite.Tests;

/// <summary>The canonical form is a contract other tools implement from its documentation; this pins the documented example.</summary>
public sealed class AuditCanonicalFormTests
{
    [Fact]
    public void Hash_IsSha256OfTheDocumentedNetstrings()
    {
        var genesis = new string('0', 64);
        var documented = $"16:airlock.audit.v1,1:1,13:1700000000000,4:exec,5:admin,2:ok,4:sb-1,1:1,4:exit,1:0,64:{genesis},";
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(documented)));
        var auditEvent = new AuditEvent { Kind = "exec", Actor = "admin", SandboxId = "sb-1", Details = new Dictionary<string, string> { ["exit"] = "0" } };
        Assert.Equal(expected, AuditCanonicalForm.Hash(1, 1_700_000_000_000, auditEvent, genesis));
    }

    [Fact]
    public void Hash_DoesNotDependOnDetailInsertionOrder()
    {
        var a = new AuditEvent { Kind = "k", Actor = "a", Details = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", ["😀"] = "x", ["\uffff"] = "y" } };
        var b = a with { Details = new Dictionary<string, string> { ["\uffff"] = "y", ["😀"] = "x", ["a"] = "1", ["b"] = "2" } };
        Assert.Equal(AuditCanonicalForm.Hash(1, 0, a, ""), AuditCanonicalForm.Hash(1, 0, b, ""));
        Assert.Equal(["a", "b", "\uffff", "😀"], AuditCanonicalForm.SortedKeys(a.Details));
    }

    [Fact]
    public void Hash_LengthPrefixes_KeepFieldBoundaries()
    {
        var a = new AuditEvent { Kind = "ab", Actor = "c" };
        var b = new AuditEvent { Kind = "a", Actor = "bc" };
        Assert.NotEqual(AuditCanonicalForm.Hash(1, 0, a, ""), AuditCanonicalForm.Hash(1, 0, b, ""));
    }
}
