using Airlock.Native;

namespace Airlock.Guest.Files;

/// <summary>errno to the <see cref="AirlockException"/> a person can act on, naming the sandbox path.</summary>
internal static class FileSystemErrors
{
    public static string EscapeMessage(string path) =>
        $"path '{path}' resolves through a symlink that leaves the sandbox root; Airlock does not follow it";

    public static AirlockException From(int errno, string path, string? escapeMessage = null) => errno switch
    {
        Errno.ENOENT => AirlockException.NotFound($"'{path}': no such file or directory"),
        Errno.EXDEV => AirlockException.Invalid(escapeMessage ?? EscapeMessage(path)),
        Errno.ELOOP => AirlockException.Invalid($"'{path}': too many levels of symbolic links, or a symlink where none is allowed"),
        Errno.EACCES or Errno.EPERM or Errno.EROFS => AirlockException.Invalid($"'{path}': {Errno.Message(errno)}"),
        Errno.EISDIR or Errno.ENOTDIR or Errno.ENAMETOOLONG or Errno.EINVAL => AirlockException.Invalid($"'{path}': {Errno.Message(errno)}"),
        Errno.ENOSPC or Errno.EDQUOT => AirlockException.Conflict($"no space left in the sandbox (disk quota) while writing '{path}'"),
        Errno.EEXIST => AirlockException.Conflict($"'{path}' already exists"),
        Errno.ENOTEMPTY => AirlockException.Conflict($"directory '{path}' is not empty; remove it recursively"),
        _ => new AirlockException(AirlockErrorKind.Internal, $"'{path}': {Errno.Message(errno)}"),
    };

    /// <summary>Write failures surface from FileStream as IOException whose HResult is the errno.</summary>
    public static AirlockException FromIo(IOException e, string path) => e.HResult is Errno.ENOSPC or Errno.EDQUOT
        ? AirlockException.Conflict($"no space left in the sandbox (disk quota) while writing '{path}'")
        : new AirlockException(AirlockErrorKind.Internal, $"'{path}': {e.Message}", e);
}
