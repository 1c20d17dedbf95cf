using System.Net;
using System.Text;
using Airlock.Audit;

namespace Airlock.Egress.Tests;

public sealed class SecretTests
{
    private const string Placeholder = "airlock-placeholder-5f1c0e7d9a";
    private const string RealValue = "sk_live_REAL_51HxYzSecretValue";
    private const string Canary = "AKIAAIRLOCKCANARY0001";

    [Fact]
    public async Task SecretHost_OverHttps_ReceivesTheRealValue_AndTheAuditNamesOnlyTheSecret()
    {
        await using var h = await EgressHarness.StartAsync();
        using var ca = SandboxCertificateAuthority.Create("sb-test");
        h.Attach(Tenant(h, ca));
        // The sandbox trusts its own CA only (as egress-net installs it): api.test's TLS is terminated by the gateway.
        using var client = h.Client(viaProxy: true, ca.Certificate);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://api.test:{h.ApiTls.EndPoint.Port}/v1/charges?key={Placeholder}")
        {
            Content = new StringContent($"{{\"token\":\"{Placeholder}\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", Placeholder);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("api.test POST /v1/charges?key=" + RealValue, await response.Content.ReadAsStringAsync());
        var arrived = Assert.Single(h.ApiTls.Requests);
        Assert.Contains($"Authorization: Bearer {RealValue}", arrived);
        Assert.Contains($"{{\"token\":\"{RealValue}\"}}", arrived);
        Assert.DoesNotContain(Placeholder, arrived);
        var record = await h.AuditedAsync(e => e.Details.GetValueOrDefault("secrets") == "STRIPE_KEY", "the substitution");
        Assert.Equal(AuditOutcomes.Ok, record.Event.Outcome);
        Assert.Equal("api.test", record.Event.Details["host"]);
        await AssertValueNeverAuditedAsync(h);
    }

    [Fact]
    public async Task SecretHost_Transparently_IsInterceptedToo()
    {
        await using var h = await EgressHarness.StartAsync();
        using var ca = SandboxCertificateAuthority.Create("sb-test");
        h.Attach(Tenant(h, ca));
        h.Redirect = h.ApiTls.EndPoint;
        using var client = h.Client(viaProxy: false, ca.Certificate);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://api.test:{h.ApiTls.EndPoint.Port}/v1/balance");
        request.Headers.Authorization = new("Bearer", Placeholder);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"Authorization: Bearer {RealValue}", Assert.Single(h.ApiTls.Requests));
    }

    [Fact]
    public async Task Placeholder_ToAnotherAllowedHost_IsBlockedAndAuditedAsExfiltration()
    {
        await using var h = await EgressHarness.StartAsync();
        using var ca = SandboxCertificateAuthority.Create("sb-test");
        h.Attach(Tenant(h, ca));
        using var client = h.Client(viaProxy: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://other.test:{h.Other.EndPoint.Port}/collect");
        request.Headers.Authorization = new("Bearer", Placeholder);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("placeholder of secret STRIPE_KEY", await response.Content.ReadAsStringAsync());
        Assert.Empty(h.Other.Requests);
        var denied = await h.AuditedAsync(e => e.Kind == AuditKinds.NetworkDecision && e.Outcome == AuditOutcomes.Denied, "the blocked request");
        Assert.Equal("secret:STRIPE_KEY", denied.Event.Details["rule"]);
        Assert.Equal("STRIPE_KEY", denied.Event.Details["secret"]);
        var alert = await h.AuditedAsync(e => e.Kind == AuditKinds.Anomaly, "the exfiltration alert");
        Assert.Equal("secret_exfiltration", alert.Event.Details["reason"]);
        await AssertValueNeverAuditedAsync(h);
    }

    [Fact]
    public async Task Canary_InAPostBody_IsBlockedAndRaisesAnAlert()
    {
        await using var h = await EgressHarness.StartAsync();
        using var ca = SandboxCertificateAuthority.Create("sb-test");
        h.Attach(Tenant(h, ca));
        using var client = h.Client(viaProxy: true);

        using var response = await client.PostAsync($"http://pkgs.test:{h.Pkgs.EndPoint.Port}/upload",
            new StringContent($"[default]\naws_access_key_id = {Canary}\n"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(h.Pkgs.Requests);
        var denied = await h.AuditedAsync(e => e.Kind == AuditKinds.NetworkDecision && e.Outcome == AuditOutcomes.Denied, "the blocked upload");
        // The anomaly monitor counts canary_access from this detail and egress_denied from the denied network.decision.
        Assert.Equal("canary#1", denied.Event.Details["canary"]);
        var alert = await h.AuditedAsync(e => e.Kind == AuditKinds.Anomaly, "the canary alert");
        Assert.Equal(AuditOutcomes.Alert, alert.Event.Outcome);
        Assert.Equal("canary", alert.Event.Details["reason"]);
        Assert.DoesNotContain(await h.AllAuditAsync(), r => r.Event.Details.Values.Any(v => v.Contains(Canary, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RealValue_LeavingInAChunkedBody_IsBlocked()
    {
        await using var h = await EgressHarness.StartAsync();
        using var ca = SandboxCertificateAuthority.Create("sb-test");
        h.Attach(Tenant(h, ca));
        using var client = h.Client(viaProxy: true);
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($"leak={RealValue}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://pkgs.test:{h.Pkgs.EndPoint.Port}/x") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(h.Pkgs.Requests);
        await AssertValueNeverAuditedAsync(h);
    }

    [Fact]
    public async Task SecretHost_WithoutAnInterceptionCa_IsRefusedNotTunnelled()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(Tenant(h, null));
        using var client = h.Client(viaProxy: true, TestCertificates.Root);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync($"https://api.test:{h.ApiTls.EndPoint.Port}/"));

        Assert.Empty(h.ApiTls.Requests);
        await h.AuditedAsync(e => e.Details.GetValueOrDefault("rule") == "no-interception-ca", "the refusal");
    }

    private static EgressTenant Tenant(EgressHarness h, SandboxCertificateAuthority? ca) =>
        h.Tenant(Allow.Host("api.test"), Allow.Host("pkgs.test"), Allow.Host("other.test")) with
        {
            Secrets = [new EgressSecret("STRIPE_KEY", Placeholder, RealValue, [Allow.Host("api.test")], "Authorization")],
            Canaries = [Canary],
            Interception = ca,
        };

    private static async Task AssertValueNeverAuditedAsync(EgressHarness h) =>
        Assert.DoesNotContain(await h.AllAuditAsync(), r => r.Event.Details.Values.Any(v => v.Contains(RealValue, StringComparison.Ordinal)));
}
