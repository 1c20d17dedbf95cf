using System.IO.Enumeration;

namespace Airlock.Core.Images;

/// <summary>Disk use of a directory tree, for image and sandbox sizes.</summary>
public static class DirectorySize
{
    /// <summary>
    /// Sum of the sizes of the regular files under <paramref name="path"/>, not following symbolic
    /// links. Hard links count once per name, so this can overstate the blocks a tree uses.
    /// </summary>
    public static long Of(string path)
    {
        if (!Directory.Exists(path)) return 0;
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = 0,
            IgnoreInaccessible = true,
            ReturnSpecialDirectories = false,
        };
        var files = new FileSystemEnumerable<long>(path, static (ref FileSystemEntry entry) => entry.Length, options)
        {
            ShouldIncludePredicate = static (ref FileSystemEntry entry) =>
                !entry.IsDirectory && (entry.Attributes & FileAttributes.ReparsePoint) == 0,
            ShouldRecursePredicate = static (ref FileSystemEntry entry) =>
                (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        long total = 0;
        foreach (var length in files) total += length;
        return total;
    }
}
