using Microsoft.AspNetCore.Http;

namespace Airlock.Server.Http;

/// <summary>
/// Server-Sent Events, written by hand so that the headers go out at once (a client knows it is subscribed before
/// anything happens) and a comment line every 15 s keeps idle proxies from closing the stream.
/// </summary>
internal static class EventStream
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task WriteAsync<T>(HttpContext context, IAsyncEnumerable<T> items, Func<T, (string Id, string Event, string Data)> format)
    {
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.Body.FlushAsync(cancellationToken);
        await using var changes = items.GetAsyncEnumerator(cancellationToken);
        var next = changes.MoveNextAsync().AsTask();
        try
        {
            while (true)
            {
                var finished = await Task.WhenAny(next, Task.Delay(KeepAlive, cancellationToken));
                if (finished != next)
                {
                    await response.WriteAsync(": keep-alive\n\n", cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    continue;
                }

                if (!await next) return;
                var (id, name, data) = format(changes.Current);
                await response.WriteAsync($"id: {id}\nevent: {name}\ndata: {data}\n\n", cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                next = changes.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; let the pending read end before the enumerator is disposed.
            await next.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
