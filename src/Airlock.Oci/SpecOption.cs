using Airlock.Oci.Spec;

namespace Airlock.Oci;

/// <summary>One composable change to a spec, in the style of containerd's <c>oci.SpecOpts</c>.</summary>
public delegate RuntimeSpec SpecOption(RuntimeSpec spec);

/// <summary>Builds a spec by applying options, in order, to <see cref="HardenedDefaults.Create"/>.</summary>
public static class SpecBuilder
{
    public static RuntimeSpec Build(params IEnumerable<SpecOption> options)
    {
        var spec = HardenedDefaults.Create();
        foreach (var option in options)
        {
            spec = option(spec);
        }

        return spec;
    }
}
