using System.Text.RegularExpressions;

namespace Airlock.Core.Images;

/// <summary>The rules for image names and Debian package names, and the default image.</summary>
internal static partial class ImageNames
{
    public const string DefaultImage = "python";

    public const string Suite = "bookworm";

    /// <summary>
    /// What an agent expects of a "python" sandbox: an interpreter with pip and venv, a shell, git
    /// and curl, TLS roots, and ps/kill; plus the code interpreter's Jupyter kernel with numpy and
    /// pandas. Every package is in every sandbox's lower dir, shared read-only, so it costs disk
    /// once, not per sandbox.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultPackages =
    [
        "python3", "python3-pip", "python3-venv", "bash", "coreutils", "curl", "git", "ca-certificates", "procps", "less",
        "python3-ipykernel", "python3-jupyter-client", "python3-numpy", "python3-pandas",
    ];

    /// <summary>The default image plus matplotlib, for charts from the code interpreter.</summary>
    public const string DataImage = "python-data";

    /// <summary>
    /// Apart from the default image because Debian's matplotlib needs fonttools, which in bookworm
    /// depends on scipy and sympy, and scipy on pythran and a C++ compiler: the image grows about
    /// fivefold, and so does its build time.
    /// </summary>
    public static readonly IReadOnlyList<string> DataPackages = [.. DefaultPackages, "python3-matplotlib"];

    /// <summary>The packages of an image the store builds by itself on first use, or null for any other name.</summary>
    public static IReadOnlyList<string>? Recipe(string name) => name switch
    {
        DefaultImage => DefaultPackages,
        DataImage => DataPackages,
        _ => null,
    };

    // \z, not $: in .NET "$" also matches before a final newline, and "python\n" must not pass.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex PackagePattern();

    public static void ValidateName(string name)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            throw AirlockException.Invalid(
                $"invalid image name '{name}': use 1-63 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
        }
    }

    /// <summary>The packages, trimmed and without duplicates, in the order given.</summary>
    public static IReadOnlyList<string> ValidatePackages(IReadOnlyList<string> packages)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var result = new List<string>();
        foreach (var raw in packages)
        {
            var package = raw?.Trim() ?? "";
            if (!PackagePattern().IsMatch(package))
            {
                throw AirlockException.Invalid(
                    $"invalid Debian package name '{raw}': use lower-case letters, digits, '+', '-' and '.', at least 2 characters, starting with a letter or digit");
            }

            if (!result.Contains(package)) result.Add(package);
        }

        return result;
    }

    public static AirlockException Unknown(string name) => AirlockException.Invalid(
        $"unknown image '{name}'; `airlock image ls` lists the images, `airlock image build {name} --packages a,b` builds one");
}
