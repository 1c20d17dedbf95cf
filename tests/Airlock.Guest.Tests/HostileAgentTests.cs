using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Airlock.Guest.Protocol;

namespace Airlock.Guest.Tests;

/// <summary>The host must survive whatever a compromised sandbox's "agent" sends back.</summary>
public sealed class HostileAgentTests
{
    [Fact]
    public async Task Client_WhenAgentSendsAnOversizedFrame_FailsWithoutAllocatingIt()
    {
        var client = Replying(Header(FrameType.Json, int.MaxValue));
        var e = await Assert.ThrowsAsync<AirlockException>(() => client.PingAsync());
        Assert.Equal(AirlockErrorKind.Internal, e.Kind);
        Assert.Equal("guest agent sent a malformed frame", e.Message);
    }

    [Fact]
    public async Task Client_WhenAgentSendsAnUnknownFrameType_ReportsMalformed()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => Replying([99, 0, 0, 0, 0]).PingAsync());
        Assert.Equal(AirlockErrorKind.Internal, e.Kind);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"version\":1}")]
    [InlineData("null")]
    public async Task Client_WhenAgentSendsJsonItCannotParse_ReportsMalformed(string json)
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => Replying(Frame(FrameType.Json, json)).PingAsync());
        Assert.Equal(AirlockErrorKind.Internal, e.Kind);
        Assert.Equal("guest agent sent a malformed frame", e.Message);
    }

    [Fact]
    public async Task Client_WhenAgentCutsAFileShort_FailsInsteadOfReturningATruncatedFile()
    {
        byte[] reply = [.. Frame(FrameType.Json, "{\"name\":\"f\",\"path\":\"/f\",\"kind\":\"File\",\"size\":10}"), .. Frame(FrameType.Data, "12345")];
        await using Stream stream = await Replying(reply).ReadFileAsync("/f");
        var e = await Assert.ThrowsAsync<AirlockException>(() => stream.CopyToAsync(Stream.Null));
        Assert.Equal(AirlockErrorKind.Unavailable, e.Kind);
    }

    [Fact]
    public async Task Client_MapsAgentErrorsToTheirKind()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => Replying(Frame(FrameType.Error, "{\"kind\":\"NotFound\",\"message\":\"'/x': no such file or directory\"}")).StatAsync("/x"));
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);
        Assert.Equal("'/x': no such file or directory", e.Message);
    }

    [Fact]
    public async Task Client_WhenNoAgentListens_IsUnavailable()
    {
        var client = GuestClient.ForUnixSocket(Path.Combine(Path.GetTempPath(), "airlock-no-agent-" + Guid.NewGuid().ToString("N")));
        var e = await Assert.ThrowsAsync<AirlockException>(() => client.PingAsync());
        Assert.Equal(AirlockErrorKind.Unavailable, e.Kind);
        Assert.Equal("the sandbox's guest agent is not answering", e.Message);
    }

    /// <summary>A client whose "agent" answers every connection with <paramref name="reply"/> then closes.</summary>
    private static GuestClient Replying(byte[] reply) => new(cancellationToken =>
    {
        var (host, agent) = SocketPair();
        agent.Send(reply);
        agent.Shutdown(SocketShutdown.Send);
        _ = Task.Run(() =>
        {
            // Drain whatever the host sends, then go away.
            var sink = new byte[64 * 1024];
            try
            {
                while (agent.Receive(sink) > 0)
                {
                }
            }
            catch (SocketException)
            {
            }

            agent.Dispose();
        }, CancellationToken.None);
        return Task.FromResult<Stream>(new NetworkStream(host, ownsSocket: true));
    });

    private static (Socket Host, Socket Agent) SocketPair()
    {
        string path = Path.Combine(Path.GetTempPath(), "airlock-pair-" + Guid.NewGuid().ToString("N"));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var host = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        host.Connect(new UnixDomainSocketEndPoint(path));
        Socket agent = listener.Accept();
        File.Delete(path);
        return (host, agent);
    }

    private static byte[] Header(FrameType type, int length)
    {
        byte[] header = new byte[5];
        header[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), length);
        return header;
    }

    private static byte[] Frame(FrameType type, string payload)
    {
        byte[] body = Encoding.UTF8.GetBytes(payload);
        return [.. Header(type, body.Length), .. body];
    }
}
