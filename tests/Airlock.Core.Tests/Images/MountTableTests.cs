using Airlock.Core.Images;

namespace Airlock.Core.Tests.Images;

public sealed class MountTableTests
{
    private const string MountInfo = """
        22 1 0:21 / / rw,relatime - ext4 /dev/vda1 rw
        40 22 0:35 / /var/lib/airlock/sandboxes/abc/rootfs rw,relatime - overlay overlay rw,lowerdir=/var/lib/airlock/images/python/rootfs,upperdir=/var/lib/airlock/sandboxes/abc/upper,workdir=/var/lib/airlock/sandboxes/abc/work
        41 22 0:36 / /srv/two\040words rw,relatime - overlay overlay rw,lowerdir=/x/top:/var/lib/airlock/images/py2/rootfs,upperdir=/u,workdir=/w
        42 22 0:37 / /var/lib/airlock/images/.build-tiny-0a1b2c3d/rootfs/proc rw - proc proc rw
        43 22 0:38 / /var/lib/airlock/images/.build-tiny-0a1b2c3d/rootfs/dev/pts rw - devpts devpts rw
        """;

    [Fact]
    public void OverlaysUsing_FindsTheSandboxOverlayOfAnImage()
    {
        Assert.Equal(["/var/lib/airlock/sandboxes/abc/rootfs"], MountTable.OverlaysUsing("/var/lib/airlock/images/python/rootfs", MountInfo));
    }

    [Fact]
    public void OverlaysUsing_ReadsEveryLowerLayer_AndUnescapesTheMountPoint()
    {
        Assert.Equal(["/srv/two words"], MountTable.OverlaysUsing("/var/lib/airlock/images/py2/rootfs/", MountInfo));
    }

    [Fact]
    public void OverlaysUsing_DoesNotMatchAnImageWhoseNameIsAPrefix()
    {
        Assert.Empty(MountTable.OverlaysUsing("/var/lib/airlock/images/py/rootfs", MountInfo));
        Assert.Empty(MountTable.OverlaysUsing("/var/lib/airlock/images/python/root", MountInfo));
    }

    [Fact]
    public void MountPointsUnder_ListsDeepestFirst()
    {
        Assert.Equal(
            ["/var/lib/airlock/images/.build-tiny-0a1b2c3d/rootfs/dev/pts", "/var/lib/airlock/images/.build-tiny-0a1b2c3d/rootfs/proc"],
            MountTable.MountPointsUnder("/var/lib/airlock/images/.build-tiny-0a1b2c3d", MountInfo));
        Assert.Empty(MountTable.MountPointsUnder("/var/lib/airlock/images/.build-tiny", MountInfo));
    }
}
