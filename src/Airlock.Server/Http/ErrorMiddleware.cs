using Airlock.Client.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Airlock.Server.Http;

/// <summary>
/// The outermost middleware: every failure becomes problem+json. A caller's mistake is a 4xx with a
/// detail they can act on; anything unexpected is logged and answered with a 500 that leaks no stack trace.
/// </summary>
internal sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            if (!context.Response.HasStarted && context.Response.ContentType is null)
            {
                // Routing's own empty 404/405 answers: give them a body too.
                if (context.Response.StatusCode == StatusCodes.Status404NotFound)
                {
                    await Problems.WriteAsync(context, AirlockErrorKind.NotFound, $"no route {context.Request.Method} {context.Request.Path}; see /openapi/v1.json");
                }
                else if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed)
                {
                    await Problems.WriteAsync(context, new Problem
                    {
                        Type = WireFormat.Describe(AirlockErrorKind.InvalidArgument).Type,
                        Title = "Method not allowed",
                        Status = 405,
                        Detail = $"{context.Request.Path} does not accept {context.Request.Method}; see /openapi/v1.json",
                    });
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var (kind, detail) = Classify(e);
            if (kind == AirlockErrorKind.Internal)
            {
                logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            }
            else if (kind == AirlockErrorKind.Unavailable)
            {
                logger.LogWarning(e, "{Method} {Path}: {Detail}", context.Request.Method, context.Request.Path, detail);
            }

            await Problems.WriteAsync(context, kind, detail);
        }
        catch (Exception e)
        {
            // The status line is out; all that is left is to log and cut the response short.
            logger.LogError(e, "{Method} {Path} failed after the response started", context.Request.Method, context.Request.Path);
            context.Abort();
        }
    }

    public static (AirlockErrorKind Kind, string Detail) Classify(Exception e) => e switch
    {
        AirlockException airlock => (airlock.Kind, airlock.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (AirlockErrorKind.TooLarge, "the request body is larger than this route accepts"),
        BadHttpRequestException bad => (AirlockErrorKind.InvalidArgument, $"bad request: {bad.Message}"),
        _ when IsDiskFull(e) => (AirlockErrorKind.Unavailable, "the daemon's data directory is out of space (disk full); free space there and retry"),
        _ when IsStorageError(e) => (AirlockErrorKind.Unavailable, "the daemon could not write to its data directory (a disk I/O error: is it full?); free space there or check the disk, and retry"),
        _ => (AirlockErrorKind.Internal, "internal error; see the daemon log"),
    };

    /// <summary>SQLITE_IOERR / SQLITE_CANTOPEN: on a full disk a fresh connection's shared-memory file cannot grow.</summary>
    private static bool IsStorageError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            const int SqliteIoError = 10, SqliteCantOpen = 14;
            if (e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: SqliteIoError or SqliteCantOpen }) return true;
        }

        return false;
    }

    /// <summary>
    /// ENOSPC/EDQUOT from a file write or SQLITE_FULL from a state database, anywhere in the chain. Found by the
    /// disk-full harness: creates, token mints and policy writes on a full data directory were answered with a 500.
    /// </summary>
    private static bool IsDiskFull(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            const int SqliteFull = 13, Enospc = 28, Edquot = 122;
            if (e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: SqliteFull }) return true;
            if (e is IOException { HResult: Enospc or Edquot }) return true;
        }

        return false;
    }
}
