using Microsoft.Extensions.Time.Testing;
using System.Text;

namespace Airlock.Egress.Tests;

/// <summary>The parsers that read what a sandbox sends before anything is decided: hostile input must read as "nothing".</summary>
public sealed class WireFormatTests
{
    [Fact]
    public void ServerName_OfATruncatedClientHello_IsNull()
    {
        byte[] record = [22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3];

        Assert.True(TlsClientHello.IsHandshake(record));
        Assert.Null(TlsClientHello.ServerName(record));
    }

    [Fact]
    public void HttpHead_FoldedHeader_IsRefused()
    {
        var error = Assert.Throws<EgressRefusedException>(() => HttpHead.Parse("GET / HTTP/1.1\r\nHost: a.test\r\n x: folded\r\n\r\n"));

        Assert.Equal("malformed", error.Rule);
    }

    [Fact]
    public void HttpHead_NotHttp_IsRefused()
    {
        Assert.Throws<EgressRefusedException>(() => HttpHead.Parse("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
        Assert.False(HttpHead.LooksLikeRequest(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH")));
        Assert.True(HttpHead.LooksLikeRequest(Encoding.ASCII.GetBytes("GET / HTTP/1.1")));
    }

    [Fact]
    public void DnsTunnelDetector_FiresOncePerDomainPerWindow()
    {
        var time = new FakeTimeProvider();
        var detector = new DnsTunnelDetector(time);
        var fired = Enumerable.Range(0, DnsTunnelDetector.Threshold * 2).Select(i => detector.Observe($"x{i}.tunnel.test")).Count(r => r is not null);
        var repeats = Enumerable.Range(0, DnsTunnelDetector.Threshold * 2).Select(_ => detector.Observe("same.other.test")).Count(r => r is not null);
        time.Advance(DnsTunnelDetector.Window + TimeSpan.FromSeconds(1));
        var again = Enumerable.Range(0, DnsTunnelDetector.Threshold).Select(i => detector.Observe($"y{i}.tunnel.test")).Count(r => r is not null);

        Assert.Equal(1, fired);
        Assert.Equal(0, repeats); // one name asked again and again is a retry loop, not a tunnel
        Assert.Equal(1, again);
    }
}
