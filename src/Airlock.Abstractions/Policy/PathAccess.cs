namespace Airlock.Policy;

/// <summary>What a <see cref="FileRule"/> lets the sandbox do with a path (named so as not to clash with System.IO.FileAccess).</summary>
public enum PathAccess
{
    ReadWrite,

    ReadOnly,

    /// <summary>The path does not exist as far as the sandbox can tell.</summary>
    Hidden,
}
