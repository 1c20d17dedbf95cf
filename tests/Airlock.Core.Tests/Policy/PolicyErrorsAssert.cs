using Airlock.Core.Policy;

namespace Airlock.Core.Tests.Policy;

/// <summary>Loads a policy that must fail and returns its error lines.</summary>
internal static class PolicyErrorsAssert
{
    public static string[] Errors(string text, string? fileName = null)
    {
        var error = Assert.Throws<AirlockException>(() => PolicyLoader.Load(text, fileName));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        return error.Message.Split('\n');
    }

    public static string SingleError(string text, string? fileName = null) => Assert.Single(Errors(text, fileName));
}
